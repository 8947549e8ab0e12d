"""Whether a drawn cover shows all of its text.

WeasyPrint lets a box overflow the page without a word, and leaves out of the PDF the lines
that fall outside it; what reaches over the edge is cut when the cover is printed or
rasterised. The template sizes text so that it fits; this reads the PDF back (pdfium's text
and character boxes) to tell when a title, a description or a changed stylesheet defeats it.
"""

from __future__ import annotations

from collections.abc import Iterable

import pypdfium2

from brochure.cover.design import CoverText

# Glyph boxes may graze the edge by a rounding error; half a point is far below a cut.
TOLERANCE_PT = 0.5


def front_strings(text: CoverText) -> list[str]:
    """What the front cover must show."""
    series = [text.series, text.series_position] if text.series else []
    return [s for s in (text.title, text.subtitle, *text.authors, text.publisher, *series) if s]


def back_strings(text: CoverText) -> list[str]:
    """What the back cover must show (the barcode's digits are drawn, not checked)."""
    return [s for s in (text.title, text.description, text.publisher) if s]


def missing_text(pdf: bytes, expected: Iterable[str]) -> list[str]:
    """The expected strings that the first page does not show whole, on the page: compared by
    their letters and digits only, as line breaks, hyphenation and capitals change the rest."""
    shown, outside = _page_text(pdf)
    missing = [s for s in expected if _letters(s) not in shown]
    if outside:
        missing.append(f"{outside} (reaches off the page)")
    return missing


def _page_text(pdf: bytes) -> tuple[str, str]:
    """The page's letters, and the characters whose boxes reach outside the page."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        width, height = page.get_size()
        text = page.get_textpage()
        count = text.count_chars()
        outside = []
        for index in range(count):
            left, bottom, right, top = text.get_charbox(index)
            if (left < -TOLERANCE_PT or bottom < -TOLERANCE_PT
                    or right > width + TOLERANCE_PT or top > height + TOLERANCE_PT):
                outside.append(text.get_text_range(index, 1))
        shown = _letters(text.get_text_range(0, count)) if count else ""
    finally:
        document.close()
    return shown, "".join(outside).strip()


def _letters(value: str) -> str:
    return "".join(c for c in value.casefold() if c.isalnum())
