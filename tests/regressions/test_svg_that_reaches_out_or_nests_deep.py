"""An SVG passed with <?xml-stylesheet href="http://..."?>, a foreignObject holding
<img src=http...>, or a data: SVG carrying <script>; one nested 5,000 deep vanished from the
PDF without a word. Each is refused."""

from __future__ import annotations

import base64

import pytest

from brochure.core.diagnostics import BrochureError
from brochure.manuscript.images import check_image

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">{}</svg>'
SCRIPTED = base64.b64encode(SVG.format("<script>x()</script>").encode()).decode()


@pytest.mark.parametrize(("svg", "said"), [
    ('<?xml-stylesheet href="http://127.0.0.1:9/s.css"?>' + SVG.format(""),
     "has an <?xml-stylesheet?> instruction"),
    (SVG.format('<foreignObject><img xmlns="http://www.w3.org/1999/xhtml" '
                'src="http://127.0.0.1:9/i.png"/></foreignObject>'),
     "refers to 'http://127.0.0.1:9/i.png' outside the image"),
    (SVG.format(f'<image href="data:image/svg+xml;base64,{SCRIPTED}"/>'),
     "has a data: URL whose SVG contains a <script>"),
    (SVG.format("<g>" * 5000 + "</g>" * 5000), "nests elements more than 256 deep"),
], ids=["xml-stylesheet", "foreign-object", "data-svg-script", "deep"])
def test_refused(svg, said):
    with pytest.raises(BrochureError, match="SVG 'figure.svg' " + said.replace("?", r"\?")
                       .replace("(", r"\(").replace(")", r"\)")):
        check_image("figure.svg", "image/svg+xml", svg.encode())
