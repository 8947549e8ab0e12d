"""The EAN-13 barcode of an ISBN, as SVG for the back cover.

python-barcode draws the bars (guard bars long, the first digit left of them, as on books).
Its output is rewritten so that the same ISBN always gives the same bytes: no comment naming
the library's version, no DOCTYPE, no platform line ends; its digits are set in the book's
font, which the cover's stylesheet declares.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from barcode.ean import EuropeanArticleNumber13WithGuard
from barcode.writer import SVGWriter

from brochure.core.isbn import parse_isbn

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = "Charis SIL"

# 90 % of EAN-13's nominal size (0.33 mm modules), common on books; the bars are a little
# shorter than nominal, as booksellers' scanners allow.
_OPTIONS = {
    "module_width": 0.297,
    "module_height": 18.0,
    "quiet_zone": 3.6,  # 11 modules left of the bars, which EAN-13 asks for
    "font_size": 9,
    "text_distance": 2.5,
    "background": "white",
    "foreground": "black",
}


def ean13_svg(isbn13: str) -> bytes:
    """The SVG barcode of an ISBN-13 (hyphens allowed), as deterministic UTF-8 bytes."""
    digits = parse_isbn(isbn13).isbn13
    writer = SVGWriter()
    writer.with_doctype = False
    writer.compress = True  # one line from toxml(), not os.linesep-indented text
    code = EuropeanArticleNumber13WithGuard(digits, writer=writer)
    if code.get_fullcode().replace(" ", "").rstrip(">") != digits:
        raise ValueError(f"barcode: {digits} was encoded as {code.get_fullcode()}")
    out = io.BytesIO()
    code.write(out, options=_OPTIONS)
    return _normalised(out.getvalue())


def _normalised(svg: bytes) -> bytes:
    ET.register_namespace("", SVG_NS)
    root = ET.fromstring(svg)  # the parser drops the comment
    for text in root.iter(f"{{{SVG_NS}}}text"):
        text.set("font-family", FONT_FAMILY)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
