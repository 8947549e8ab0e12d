"""PDF writer: the rendered document and the same stylesheet bytes, through WeasyPrint.

A long book is laid out in parts side by side (parts.py), anything else in one piece
(draw.py). WeasyPrint reads nothing by itself: its URL fetcher serves only the files the
document model carries.
"""

from __future__ import annotations

import datetime as dt

from brochure.core.diagnostics import Diagnostic
from brochure.core.model import Rendering, Written
from brochure.core.xhtml import serialize
from brochure.pdf.draw import diagnostics, draw
from brochure.pdf.internals import unsupported, use_indexed_lookups
from brochure.pdf.parts import write_in_parts


def write_pdf(rendering: Rendering, built: dt.datetime, cores: int | None = None) -> Written:
    """The PDF of a rendering, as bytes, with its page count and WeasyPrint's complaints; laid
    out in at most ``cores`` parts side by side (None: one a core this process may use)."""
    use_indexed_lookups()
    book = rendering.book
    source = serialize(rendering.document)
    slower = unsupported()
    said = (Diagnostic("warning", f"PDF: {slower}", hint="install the WeasyPrint version "
                       "brochure names in its requirements"),) if slower else ()
    in_parts = write_in_parts(source, book, rendering.notes, built, cores)
    if in_parts is not None:
        return in_parts
    drawing = draw(source, book, built)
    anchors = {anchor for page in drawing.pages for anchor in page.anchors}
    return Written(drawing.data, len(drawing.pages),
                   (*said, *diagnostics(drawing.warnings, drawing.refused, book, anchors)))
