"""A PDF laid out in parts carried the build's clock: fontTools stamped the joined fonts'
``head.modified`` with the time of the join (or SOURCE_DATE_EPOCH), so the same book built twice
gave two PDFs."""

from __future__ import annotations

import io

import pikepdf
from conftest import FIXTURES, ROOT, build_fixture
from fontTools.ttLib import TTFont

from brochure.pdf import parts


def test_the_fonts_of_a_pdf_in_parts_keep_their_own_date(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(parts, "MIN_SOURCE_BYTES", 0)
    monkeypatch.setattr(parts, "usable_cores", lambda: 2)
    built = build_fixture(FIXTURES / "two-chapters", tmp_path, formats=("pdf",), cache=False)
    assert "laid out in" in built.result.details["pdf"][0]
    shipped = TTFont(ROOT / "styles" / "fonts" / "CharisSIL-Regular.ttf")["head"].modified
    dates = []
    with pikepdf.open(built.pdf) as pdf:
        for font in pdf.objects:
            if isinstance(font, pikepdf.Dictionary) and font.get("/Subtype") == "/Type0":
                program = font.DescendantFonts[0].FontDescriptor.FontFile2.read_bytes()
                dates.append(TTFont(io.BytesIO(program))["head"].modified)
    assert dates and set(dates) == {shipped}
