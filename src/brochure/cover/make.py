"""A cover from the book's metadata, in one call: its HTML, its PDF page, the PNG for the EPUB,
and what it could not show."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from brochure.cover.design import CoverText, back_cover_html, front_cover_html
from brochure.cover.draw import draw_cover, rasterise
from brochure.cover.files import cover_files
from brochure.cover.fit import back_strings, front_strings, unfit_text


@dataclass(frozen=True)
class Cover:
    """One drawn cover: a one-page PDF, and what it fails to show legibly."""

    pdf: bytes
    problems: tuple[str, ...]  # text it should show legibly but does not

    def png(self) -> bytes:
        """The page as PNG for the EPUB, at least 1600 x 2560 px."""
        return rasterise(self.pdf)


def front_cover(text: CoverText, page_mm: tuple[float, float], styles: Path) -> Cover:
    """The front cover at ``page_mm`` (width, height), with the template and fonts of
    ``styles``."""
    pdf = draw_cover(front_cover_html(text, page_mm), cover_files(styles))
    return Cover(pdf, tuple(unfit_text(pdf, front_strings(text))))


def back_cover(text: CoverText, page_mm: tuple[float, float], styles: Path) -> Cover:
    """The back cover: description, publisher, and the barcode when the book has an ISBN."""
    pdf = draw_cover(back_cover_html(text, page_mm), cover_files(styles, text.isbn))
    return Cover(pdf, tuple(unfit_text(pdf, back_strings(text))))
