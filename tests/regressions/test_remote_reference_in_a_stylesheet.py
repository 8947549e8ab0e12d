"""@import "http://..." (a string, not url()), image-set("http://..." 1x) and u\\72l(http...)
passed the read stage: the EPUB shipped them (EPUBCheck RSC-006) and the PDF failed with no
line. Each is an error at its file:line:col, whatever the format."""

from __future__ import annotations

import pytest

from brochure.core.diagnostics import BrochureError, Report
from brochure.manuscript.read import read_manuscript

CSS = ('@import "http://127.0.0.1:9/t.css";\n'
       'p { background: image-set("http://127.0.0.1:9/a.png" 1x); }\n'
       "h1 { background: u\\72l(http://127.0.0.1:9/b.png); }\n")


def test_every_form_of_a_remote_url_is_refused_at_its_place(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "book.yaml").write_text("title: T\nlang: en\n")
    (tmp_path / "m" / "a.md").write_text("Text.\n")
    (tmp_path / "styles").mkdir()
    sheet = tmp_path / "styles" / "book.css"
    sheet.write_text(CSS)
    with pytest.raises(BrochureError) as caught:
        read_manuscript(tmp_path / "m", Report())
    said = [str(d).split("\n")[0] for d in caught.value.diagnostics]
    assert said == [f"{sheet}:{place}: error: remote resource 'http://127.0.0.1:9/{name}' is not "
                    "fetched" for place, name in (("1:9", "t.css"), ("2:27", "a.png"),
                                                  ("3:18", "b.png"))]
