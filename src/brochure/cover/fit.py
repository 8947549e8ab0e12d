"""Whether a drawn cover shows all of its text, legibly.

WeasyPrint lets a box overflow without a word: the lines that fall outside the page are left
out of the PDF, what reaches over the edge is cut when the cover is printed or rasterised, and
text that overflows its box is drawn over its neighbour's. The template sizes text so that none
of this happens; reading the PDF back (pdfium's text and glyph boxes) tells when a title, a
description or a changed stylesheet defeats it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pypdfium2

from brochure.cover.design import CoverText

# Glyph boxes may graze the edge by a rounding error; half a point is far below a cut.
TOLERANCE_PT = 0.5
# Glyphs of neighbouring lines touch (a descender, an accent); text drawn over text covers more.
OVERLAP = 0.3


@dataclass(frozen=True)
class _Glyph:
    char: str
    left: float
    bottom: float
    right: float
    top: float
    line: tuple[float, float]  # the font's extent around the baseline: the same along a line

    @property
    def area(self) -> float:
        return (self.right - self.left) * (self.top - self.bottom)


def front_strings(text: CoverText) -> list[str]:
    """What the front cover must show."""
    series = [text.series, text.series_position] if text.series else []
    return [s for s in (text.title, text.subtitle, *text.authors, text.publisher, *series) if s]


def back_strings(text: CoverText) -> list[str]:
    """What the back cover must show (the barcode's digits are drawn, not checked)."""
    return [s for s in (text.title, text.description, text.publisher) if s]


def unfit_text(pdf: bytes, expected: Iterable[str]) -> list[str]:
    """What the first page fails to show legibly: the expected strings it lacks (compared by
    letters and digits only, as line breaks, hyphenation and capitals change the rest), then
    any text reaching off the page and any text drawn over other text."""
    shown, glyphs, (width, height) = _read(pdf)
    problems = [s for s in expected if _letters(s) not in shown]
    outside = "".join(g.char for g in glyphs if g.left < -TOLERANCE_PT or g.bottom < -TOLERANCE_PT
                      or g.right > width + TOLERANCE_PT or g.top > height + TOLERANCE_PT)
    if outside:
        problems.append(f"{outside} (reaches off the page)")
    overlapping = _overlapping(glyphs)
    if overlapping:
        problems.append(f"{overlapping} (drawn over other text)")
    return problems


def _read(pdf: bytes) -> tuple[str, list[_Glyph], tuple[float, float]]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        size = page.get_size()
        text = page.get_textpage()
        count = text.count_chars()
        glyphs = []
        for index in range(count):
            char = text.get_text_range(index, 1)
            if char.strip():
                left, bottom, right, top = text.get_charbox(index)
                _, line_bottom, _, line_top = text.get_charbox(index, loose=True)
                glyphs.append(_Glyph(char, left, bottom, right, top,
                                     line=(round(line_bottom, 1), round(line_top, 1))))
        shown = _letters(text.get_text_range(0, count)) if count else ""
    finally:
        document.close()
    return shown, glyphs, size


def _overlapping(glyphs: list[_Glyph]) -> str:
    """The characters whose glyph boxes cover by more than OVERLAP of the smaller one those of
    another line: on one line, kerning and ligatures bring glyphs together by design."""
    found: set[int] = set()
    ordered = sorted(range(len(glyphs)), key=lambda i: glyphs[i].left)
    for position, i in enumerate(ordered):
        a = glyphs[i]
        for j in ordered[position + 1:]:
            b = glyphs[j]
            if b.left >= a.right:
                break  # sorted by left edge: no later glyph reaches back to a
            if a.line == b.line:
                continue
            across = min(a.right, b.right) - b.left
            up = min(a.top, b.top) - max(a.bottom, b.bottom)
            smaller = min(a.area, b.area)
            if up > 0 and smaller > 0 and across * up > OVERLAP * smaller:
                found.update((i, j))
    return "".join(glyphs[i].char for i in sorted(found))


def _letters(value: str) -> str:
    return "".join(c for c in value.casefold() if c.isalnum())
