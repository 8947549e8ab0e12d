"""Covers from the book: its HTML, its PDF page, the PNG for the EPUB, and what it could not
show; or, when the metadata names a cover image, that image on a page of its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from brochure.core.diagnostics import Diagnostic, Location
from brochure.core.model import Asset, Book, Covers
from brochure.cover.check import check_cover_image
from brochure.cover.design import CoverText, back_cover_html, front_cover_html, image_cover_html
from brochure.cover.files import cover_files, template_files
from brochure.cover.fit import back_strings, front_strings, unfit_text

DRAWN_HREF = "images/cover.png"  # the drawn front cover, in the EPUB


@dataclass(frozen=True)
class Cover:
    """One drawn cover: a one-page PDF, and what it fails to show legibly."""

    pdf: bytes
    problems: tuple[str, ...]  # text it should show legibly but does not

    def png(self) -> bytes:
        """The page as PNG for the EPUB, at least 1600 x 2560 px."""
        from brochure.cover.draw import rasterise

        return rasterise(self.pdf)


def front_cover(text: CoverText, page_mm: tuple[float, float],
                files: Path | dict[str, tuple[bytes, str]], shop: bool = False) -> Cover:
    """The front cover at ``page_mm`` (width, height), with the template and fonts of a styles
    folder, or with ``files`` (path -> bytes, media type) as the read stage found them; in a
    print ``shop``'s inks."""
    from brochure.cover.draw import draw_cover  # WeasyPrint: only where a cover is drawn

    files = cover_files(files) if isinstance(files, Path) else files
    pdf = draw_cover(front_cover_html(text, page_mm, shop), files)
    return Cover(pdf, tuple(unfit_text(pdf, front_strings(text))))


def back_cover(text: CoverText, page_mm: tuple[float, float],
               files: Path | dict[str, tuple[bytes, str]], shop: bool = False) -> Cover:
    """The back cover: description, publisher, and the barcode when the book has an ISBN."""
    from brochure.cover.draw import draw_cover

    files = cover_files(files, text.isbn) if isinstance(files, Path) else files
    pdf = draw_cover(back_cover_html(text, page_mm, shop=shop), files)
    return Cover(pdf, tuple(unfit_text(pdf, back_strings(text))))


def cover_text(book: Book) -> CoverText:
    meta = book.metadata
    return CoverText(title=meta.title, subtitle=meta.subtitle, authors=meta.authors,
                     publisher=meta.publisher,
                     series=meta.collection.name if meta.collection else None,
                     series_position=meta.collection.position if meta.collection else None,
                     description=meta.description, isbn=meta.isbn, lang=meta.lang)


def page_size(book: Book) -> tuple[float, float]:
    """The cover's page in the PDF, in mm: the trim, and the bleed around it for a print shop."""
    trim, settings = book.settings.trim, book.settings
    bleed = settings.bleed if settings.print_mode == "shop" else 0.0
    return trim.width + 2 * bleed, trim.height + 2 * bleed


def make_covers(book: Book, for_pdf: bool = True) -> tuple[Covers, list[Diagnostic]]:
    """The book's covers: its cover image, or the template drawn from its metadata; a back
    cover when ``back-cover`` asks for one. Warnings say what a cover does not show, or what
    the cover image lacks for the stores or for print. Without ``for_pdf`` (an EPUB alone),
    the PDF's pages are left out: a cover image is then taken as it is, nothing drawn."""
    text = cover_text(book)
    trim = (book.settings.trim.width, book.settings.trim.height)
    shop = book.settings.print_mode == "shop"
    found: list[Diagnostic] = []
    files = template_files(book.cover.template, text.isbn)
    where = book.metadata.location
    image = book.cover.image
    if image is not None:
        where = book.metadata.where("cover-image")
        found += [Diagnostic("warning", problem, where) for problem in
                  check_cover_image(image.data, image.source.name, trim)]
        epub_image = image
        if not for_pdf:
            return Covers(epub_image, None), found
        from brochure.cover.draw import draw_cover

        front_pdf = draw_cover(image_cover_html(text, page_size(book), image.href),
                               {image.href: (image.data, image.media_type)})
    else:
        drawn = front_cover(text, page_size(book), files, shop)
        found += _problems("front", drawn, where)
        front_pdf = drawn.pdf
        # The EPUB's cover: the trim alone, in a screen's colours.
        at_trim = drawn if not shop else front_cover(text, trim, files)
        source = book.cover.template[0].source if book.cover.template else Path("cover.css")
        epub_image = Asset(DRAWN_HREF, at_trim.png(), "image/png", source)
    back_pdf = None
    if book.settings.back_cover:
        back = back_cover(text, page_size(book), files, shop)
        found += _problems("back", back, where)
        back_pdf = back.pdf
    return Covers(epub_image, front_pdf, back_pdf), found


def _problems(side: str, cover: Cover, where: Location) -> list[Diagnostic]:
    return [Diagnostic("warning", f"the {side} cover does not show {problem} legibly", where,
                       "shorten the metadata, or change the template styles/cover.css")
            for problem in cover.problems]
