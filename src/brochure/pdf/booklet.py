"""The booklet: the PDF's pages imposed two-up for saddle stitching, from each page's trim box.

Printed double-sided (flip on the short edge), the sheets stacked in order, folded once and
stapled on the fold, they read in order. Eight pages give two sheets whose sides read
8|1, 2|7 and 6|3, 4|5.

Placement uses pikepdf (MPL-2.0, on qpdf, Apache-2.0), already used to check PDFs: qpdf turns
each page into a form XObject clipped to its trim box, so a page with bleed and crop marks
imposes like a plain one, and every page's content is written once, untouched. pypdf's
page merging would rewrite content streams and merge resources instead; pdfimpose is AGPL
and pulls PyMuPDF.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import pikepdf

from brochure.core.diagnostics import Diagnostic
from brochure.core.paper import POINTS_PER_MM

# Beyond this, a saddle-stitched booklet does not close flat and staples do not hold.
SADDLE_STITCH_MAX_PAGES = 64


@dataclass(frozen=True)
class Booklet:
    data: bytes
    pages: int  # pages of the document, blanks included (a multiple of 4)
    blanks: int  # blank pages added
    sheets: int  # sheets of paper, each printed on both sides
    diagnostics: tuple[Diagnostic, ...] = ()


def reading_order(pages: int, back_cover: bool) -> list[int | None]:
    """Page indices padded to a multiple of 4 with blanks (``None``), before a back cover."""
    total = max(4, math.ceil(pages / 4) * 4)
    blanks = [None] * (total - pages)
    order: list[int | None] = list(range(pages))
    if back_cover and pages >= 2:
        return order[:-1] + blanks + order[-1:]
    return order + blanks


def sheet_sides(total: int) -> list[tuple[int, int]]:
    """(left, right) positions in reading order for each printed side, sheet by sheet, front first."""
    sides = []
    for sheet in range(total // 4):
        sides.append((total - 1 - 2 * sheet, 2 * sheet))  # front: last | first
        sides.append((2 * sheet + 1, total - 2 - 2 * sheet))  # back: second | second to last
    return sides


# Paper that printers take, landscape, in points: a pair of pages goes on the one it fits
# with little to spare (two A5 pages are 296 mm wide, an A4 sheet 297 mm), centred.
SHEETS = {
    "A3": (1190.55, 841.89), "A4": (841.89, 595.28), "A5": (595.28, 419.53),
    "tabloid": (1224.0, 792.0), "letter": (792.0, 612.0),
}
SHEET_SLACK = 3 * POINTS_PER_MM


def sheet_size(width: float, height: float) -> tuple[float, float]:
    """The paper for two pages of ``width`` x ``height`` points side by side."""
    for paper in SHEETS.values():
        if (-0.5 <= paper[0] - 2 * width <= SHEET_SLACK
                and -0.5 <= paper[1] - height <= SHEET_SLACK):
            return paper
    return 2 * width, height


def impose_booklet(pdf: bytes, back_cover: bool = False, creep_mm: float = 0.0) -> Booklet:
    """Impose ``pdf`` for saddle stitching; ``creep_mm`` moves each inner sheet's pages that
    much more toward the fold, so that the fore-edges line up after trimming."""
    source = pikepdf.open(io.BytesIO(pdf))
    count = len(source.pages)
    order = reading_order(count, back_cover)
    total = len(order)
    first = pikepdf.Page(source.pages[0]).trimbox
    width, height = float(first[2] - first[0]), float(first[3] - first[1])

    paper_width, paper_height = sheet_size(width, height)
    x_margin, y_margin = (paper_width - 2 * width) / 2, (paper_height - height) / 2

    booklet = pikepdf.new()
    for key in ("/Title", "/Author", "/Subject", "/Keywords", "/CreationDate", "/ModDate"):
        if key in source.docinfo:
            booklet.docinfo[key] = source.docinfo[key]
    for index, (left, right) in enumerate(sheet_sides(total)):
        shift = (index // 2) * creep_mm * POINTS_PER_MM  # sheet 0 is the outermost
        side = booklet.add_blank_page(page_size=(paper_width, paper_height))
        for slot, position in enumerate((left, right)):
            page_index = order[position]
            if page_index is None:
                continue
            # The left page moves right toward the fold, the right page left.
            x = x_margin + slot * width + (shift if slot == 0 else -shift)
            form = booklet.copy_foreign(source.pages[page_index].as_form_xobject())
            name = side.add_resource(form, pikepdf.Name.XObject, pikepdf.Name(f"/Page{page_index + 1}"))
            placement = side.calc_form_xobject_placement(
                form, name, pikepdf.Rectangle(x, y_margin, x + width, y_margin + height))
            side.contents_add(pikepdf.Stream(booklet, b"q\n" + placement + b"\nQ\n"))
    out = io.BytesIO()
    booklet.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    diagnostics = []
    if total > SADDLE_STITCH_MAX_PAGES:
        diagnostics.append(Diagnostic(
            "warning",
            f"booklet: {total} pages on {total // 4} sheets is more than saddle stitching holds "
            f"(about {SADDLE_STITCH_MAX_PAGES} pages)",
            hint="print it as several signatures of at most 64 pages, or have it perfect-bound"))
    return Booklet(out.getvalue(), total, total - count, total // 4, tuple(diagnostics))
