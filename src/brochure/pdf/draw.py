"""A document drawn by WeasyPrint with the book's files, and what WeasyPrint said about it.

WeasyPrint reads nothing by itself: its URL fetcher serves only the files the document
model carries (stylesheets, fonts, images) and refuses every other URL, so a stylesheet or
manuscript cannot make it read the disk or the network.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from brochure.core import progress
from brochure.core.diagnostics import Diagnostic
from brochure.core.model import Book, PageStart
from brochure.core.paper import NAMED_SIZES
from brochure.pdf.internals import page_starts, release_after_painting, tell_pages, use_book_tags
from brochure.pdf.print_shop import is_shop, render_options, write_options

# A base that names no real place: relative URLs resolve under it, and only the book's own
# files answer there.
BASE_URL = "https://book.invalid/"
MAX_DATA_URL = 4 * 1024 * 1024
# About how much XHTML an A5 page holds (Mutual Aid: 2,425 bytes a page; the Manifesto:
# 1,920): the progress display's first guess of a part's pages.
BYTES_PER_A5_PAGE = 2300


class BookFetcher(URLFetcher):
    """Serves the book's assets by URL; anything else is refused (and recorded)."""

    def __init__(self, files: dict[str, tuple[bytes, str]], refused: list[str]):
        super().__init__(allowed_protocols={"data"})
        self.files = files
        self.refused = refused

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:") and len(url) <= MAX_DATA_URL:
            return super().fetch(url, headers)
        if url.startswith(BASE_URL):
            href = url[len(BASE_URL):].split("#")[0].split("?")[0]
            if href in self.files:
                data, media_type = self.files[href]
                return URLFetcherResponse(url, data, {"Content-Type": media_type})
        self.refused.append(url)
        raise ValueError(f"brochure does not fetch {url!r}")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class Drawing:
    """A PDF as WeasyPrint drew it, with its pages' data (anchors, links, bookmarks)."""

    data: bytes
    pages: list  # weasyprint.Page objects, their boxes let go
    warnings: list[str]
    refused: list[str]
    starts: list[PageStart | None]  # where each page begins in the document


def draw(source: bytes, book: Book, built: dt.datetime,
         prepare: Callable[[Any], None] | None = None) -> Drawing:
    """WeasyPrint's PDF of an XHTML document that uses the book's files; ``prepare`` sees the
    laid-out document before it is drawn."""
    files = {asset.href: (asset.data, asset.media_type) for asset in book.assets}
    refused: list[str] = []
    fetcher = BookFetcher(files, refused)
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        html = weasyprint.HTML(string=source.decode("utf-8"), base_url=BASE_URL,
                               url_fetcher=fetcher)
        document = html.render(presentational_hints=False, **render_options(book))
        del html
        # The reading PDF is tagged, which reads every page's boxes once all are drawn; the
        # print shop's PDF/X is not, and lets each page's boxes go once drawn.
        tagged = not is_shop(book.settings)
        if tagged:
            use_book_tags()
        else:
            for page in document.pages:
                release_after_painting(page)
        if prepare is not None:
            prepare(document)
        starts = page_starts(document.pages)
        out = io.BytesIO()
        document.write_pdf(out, uncompressed_pdf=False, pdf_identifier=_identifier(book),
                           custom_metadata=False, pdf_tags=tagged,
                           **write_options(document, book.settings, built))
    finally:
        logger.removeHandler(collect)
    return Drawing(out.getvalue(), document.pages, collect.messages, refused, starts)


# Tagging, WeasyPrint names each image without alt text: the book stage has said so at the
# image's line already (or the image is decorative, as its author said).
_NO_ALT = re.compile(r'^Image ".*" has no required alt description$', re.DOTALL)


def tell_part(name: str, source: bytes, book: Book) -> None:
    """Tell the progress display (core/progress.py) that this process lays out ``name``,
    about how many pages it will make, and then each page as it is made."""
    if not progress.listening():
        return
    a5, trim = NAMED_SIZES["a5"], book.settings.trim
    scale = (a5.width * a5.height) / (trim.width * trim.height)
    progress.tell("part", part=name, estimate=max(1, round(len(source) / BYTES_PER_A5_PAGE * scale)))
    tell_pages(name)


def diagnostics(warnings: list[str], refused: list[str], book: Book,
                anchors: set[str]) -> list[Diagnostic]:
    """WeasyPrint's warnings, the URLs refused, and the notes missing from the pages."""
    # The calls of a note missing from the pages link nowhere: the error on the notes says why.
    dangling = {f"No anchor #{note.id} for internal URI reference"
                for note in book.notes if note.id not in anchors}
    found = [_warning(m) for m in dict.fromkeys(warnings)
             if not _NO_ALT.match(m) and m not in dangling]
    for url in dict.fromkeys(refused):
        shown = url if len(url) <= 80 else url[:77] + "..."  # a data: URL can be megabytes
        found.append(Diagnostic("error", f"PDF: refused to fetch '{shown}'"))
    found.extend(_lost_notes(book, anchors))
    return found


def _lost_notes(book: Book, anchors: set[str]) -> list[Diagnostic]:
    """An error if a note is missing from the pages: WeasyPrint can drop footnotes it cannot place."""
    lost = [note for note in book.notes if note.id not in anchors]
    if not lost:
        return []
    numbers = ", ".join(str(note.number) for note in lost[:20]) + (", ..." if len(lost) > 20 else "")
    return [Diagnostic(
        "error", f"PDF: {len(lost)} note(s) could not be placed on the pages (notes {numbers})",
        lost[0].location,
        "WeasyPrint loses some footnotes where notes are dense; use 'print-notes: endnotes'")]


_NOTDEF = re.compile(r'^\.notdef glyph rendered for Unicode string unsupported by fonts: "(.*)" '
                     r'\((U\+[0-9A-F]+)\)$', re.DOTALL)


def _warning(message: str) -> Diagnostic:
    missing = _NOTDEF.match(message)
    if missing:
        return Diagnostic("warning", f"PDF: no font can draw the character {missing.group(2)} "
                          f"('{missing.group(1)}'); it is printed as an empty box",
                          hint="add a font that has it to the stylesheet with @font-face, "
                               "or replace the character")
    return Diagnostic("warning", f"PDF: {message}")


def _identifier(book) -> bytes:
    return (book.metadata.identifier or book.metadata.title).encode("utf-8")
