"""PDF writer: the rendered document and the same stylesheet bytes, through WeasyPrint.

A long book is laid out in parts side by side (parts.py), anything else in one piece
(draw.py). WeasyPrint reads nothing by itself: its URL fetcher serves only the files the
document model carries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from brochure.core.diagnostics import Diagnostic
from brochure.core.model import Book, Covers, PageStart, Rendering, Written
from brochure.core.xhtml import serialize
from brochure.pdf.covers import with_covers
from brochure.pdf.draw import diagnostics, draw, tell_part
from brochure.pdf.internals import unsupported, use_indexed_lookups
from brochure.pdf.metadata import with_metadata
from brochure.pdf.parts import write_in_parts


def write_pdf(rendering: Rendering, built: dt.datetime, cores: int | None = None) -> Written:
    """The PDF of a rendering, as bytes, with its page count and WeasyPrint's complaints; laid
    out in at most ``cores`` parts side by side (None: one a core this process may use); with
    its covers (``with_book_covers``) when the rendering has them."""
    use_indexed_lookups()
    book = rendering.book
    source = serialize(rendering.document)
    slower = unsupported()
    said = (Diagnostic("warning", f"PDF: {slower}", hint="install the WeasyPrint version "
                       "brochure names in its requirements"),) if slower else ()
    written = write_in_parts(source, book, rendering.notes, built, cores)
    if written is None:
        tell_part("the book", source, book)
        drawing = draw(source, book, built)
        anchors = {anchor for page in drawing.pages for anchor in page.anchors}
        written = Written(drawing.data, len(drawing.pages),
                          (*said, *diagnostics(drawing.warnings, drawing.refused, book, anchors)),
                          page_starts=tuple(drawing.starts))
    # brochure's stylesheet numbers the pages from the first: the label is the page's place.
    starts = tuple(dataclasses.replace(start, label=str(number)) if start
                   else PageStart(str(number), "", (), "", None)  # nothing on the page
                   for number, start in enumerate(written.page_starts, start=1))
    laid = dataclasses.replace(written, data=with_metadata(written.data, book.metadata),
                               page_starts=starts)
    return with_book_covers(laid, rendering.covers, book)


def with_book_covers(written: Written, covers: Covers | None, book: Book) -> Written:
    """The PDF with its covers: the front cover first (if ``pdf-cover``) and the back cover
    last. Separate from the layout so that the covers can be drawn beside it."""
    if covers is None or not (book.settings.pdf_cover or covers.back_pdf is not None):
        return written
    data = with_covers(written.data, covers, book.settings, book.metadata.lang)
    pages = (written.pages or 0) + 2 * book.settings.pdf_cover + (covers.back_pdf is not None)
    return dataclasses.replace(written, data=data, pages=pages)
