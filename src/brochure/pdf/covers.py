"""The covers in the PDF: the front cover first, with the blank inside of the cover behind
it (so that the title page stays a right-hand page), and the back cover last when the book
asks for one; the pages are labelled so that a viewer's page numbers are the printed ones.

Each cover is a one-page PDF (cover/): it is placed as a form XObject on a page of the same
geometry as the book's pages. For a print shop it was drawn with the bleed around the trim,
and goes over the bleed box (full bleed), with crop marks at the corners as the book's pages
have them. In a tagged PDF the covers are artifacts: the title page says what they show.
"""

from __future__ import annotations

import io

import pikepdf

from brochure.core.i18n import strings
from brochure.core.model import Covers
from brochure.core.paper import POINTS_PER_MM
from brochure.core.settings import PrintMode, Settings

CROP_MARK_MM = 5.0  # the length of a crop mark, beyond the bleed
CROP_GAP_MM = 1.0  # between the bleed's edge and the crop mark


def with_covers(data: bytes, covers: Covers, settings: Settings, lang: str) -> bytes:
    """The book's PDF ``data`` with its covers: the front one and its inside when
    ``pdf-cover`` asks for it, the back one when drawn."""
    shop = settings.print_mode == PrintMode.SHOP
    bleed = settings.bleed * POINTS_PER_MM if shop else 0.0
    with pikepdf.open(io.BytesIO(data)) as pdf:
        model = pdf.pages[0]
        interior = len(pdf.pages)
        if settings.pdf_cover:
            pdf.pages.insert(0, _cover_page(pdf, covers.front_pdf, model, bleed, shop))
            pdf.pages.insert(1, _blank_like(pdf, model))
        if covers.back_pdf is not None:
            pdf.pages.append(_cover_page(pdf, covers.back_pdf, model, bleed, shop))
        _label_pages(pdf, interior, settings.pdf_cover, covers.back_pdf is not None, lang)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return out.getvalue()


def _geometry(pdf: pikepdf.Pdf, model: pikepdf.Page) -> pikepdf.Page:
    """A new page with the boxes of ``model`` (media, trim, bleed...)."""
    page = pikepdf.Page(pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Page)))
    for box in ("/MediaBox", "/CropBox", "/TrimBox", "/BleedBox", "/ArtBox"):
        if box in model.obj:
            page.obj[box] = pikepdf.Array([float(v) for v in model.obj[box]])
    page.obj.Resources = pikepdf.Dictionary()
    return page


def _blank_like(pdf: pikepdf.Pdf, model: pikepdf.Page) -> pikepdf.Page:
    page = _geometry(pdf, model)
    page.obj.Contents = pdf.make_stream(b"")
    return page


def _cover_page(pdf: pikepdf.Pdf, cover: bytes, model: pikepdf.Page, bleed: float,
                shop: bool) -> pikepdf.Page:
    page = _geometry(pdf, model)
    x0, y0, x1, y1 = (float(v) for v in model.trimbox)
    with pikepdf.open(io.BytesIO(cover)) as drawn:
        form = pdf.copy_foreign(drawn.pages[0].as_form_xobject())
    name = page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name("/Cover"))
    placement = page.calc_form_xobject_placement(
        form, name, pikepdf.Rectangle(x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed))
    # An artifact in a tagged PDF: the title page, tagged, says what the cover shows.
    content = b"/Artifact BMC\nq\n" + placement + b"\nQ\n"
    if shop:
        content += _crop_marks(x0, y0, x1, y1, bleed)
    content += b"EMC\n"
    page.obj.Contents = pdf.make_stream(content)
    return page


def _crop_marks(x0: float, y0: float, x1: float, y1: float, bleed: float) -> bytes:
    """Thin lines in the line of each trim edge, beyond the bleed, in black ink only."""
    start, end = bleed + CROP_GAP_MM * POINTS_PER_MM, bleed + (CROP_GAP_MM + CROP_MARK_MM) * POINTS_PER_MM
    lines = []
    for x, outward in ((x0, -1), (x1, 1)):
        for y in (y0, y1):
            lines.append((x + outward * start, y, x + outward * end, y))  # horizontal
    for y, outward in ((y0, -1), (y1, 1)):
        for x in (x0, x1):
            lines.append((x, y + outward * start, x, y + outward * end))  # vertical
    path = b"".join(f"{a:.2f} {b:.2f} m {c:.2f} {d:.2f} l S\n".encode() for a, b, c, d in lines)
    return b"q\n0.25 w 0 0 0 1 K\n" + path + b"Q\n"


def _label_pages(pdf: pikepdf.Pdf, interior: int, front: bool, back: bool, lang: str) -> None:
    """Page labels: the covers by name, the book's pages by the numbers printed on them."""
    words = strings(lang)
    first = 2 if front else 0
    numbers: list = [0, pikepdf.Dictionary(P=pikepdf.String(words["cover"]))] if front else []
    numbers += [first, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)]
    if back:
        numbers += [first + interior, pikepdf.Dictionary(P=pikepdf.String(words["back_cover"]))]
    pdf.Root.PageLabels = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(numbers)))
