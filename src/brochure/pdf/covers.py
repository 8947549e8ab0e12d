"""The covers in the PDF: the front cover first, with the blank inside of the cover behind
it (so that the title page stays a right-hand page), and the back cover last when the book
asks for one; the pages are labelled so that a viewer's page numbers are the printed ones.

Each cover is a one-page PDF (cover/): it is placed as a form XObject on a page of the same
geometry as the book's pages. For a print shop it was drawn with the bleed around the trim,
and goes over the bleed box (full bleed); the covers and the blank inside of the cover get
the crop marks the book's pages have, the same lines in the same places, so that the shop
trims every sheet alike. In a tagged PDF the covers are artifacts: the title page says what
they show.
"""

from __future__ import annotations

import hashlib
import io
import re

import pikepdf

from brochure.core.i18n import strings
from brochure.core.model import Covers
from brochure.core.paper import POINTS_PER_MM
from brochure.core.settings import PrintMode, Settings

CSS_PIXEL = 0.75  # points: the width of WeasyPrint's crop marks


def with_covers(data: bytes, covers: Covers, settings: Settings, lang: str) -> bytes:
    """The book's PDF ``data`` with its covers: the front one and its inside when
    ``pdf-cover`` asks for it, the back one when drawn."""
    shop = settings.print_mode == PrintMode.SHOP
    bleed = settings.bleed * POINTS_PER_MM if shop else 0.0
    with pikepdf.open(io.BytesIO(data)) as pdf:
        model = pdf.pages[0]
        interior = len(pdf.pages)
        marks = _crop_marks(model) if shop else b""
        if settings.pdf_cover:
            assert covers.front_pdf is not None  # drawn whenever a PDF is made
            pdf.pages.insert(0, _cover_page(pdf, covers.front_pdf, model, bleed, marks))
            pdf.pages.insert(1, _blank_like(pdf, model, marks))
        if covers.back_pdf is not None:
            pdf.pages.append(_cover_page(pdf, covers.back_pdf, model, bleed, marks))
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


def _blank_like(pdf: pikepdf.Pdf, model: pikepdf.Page, marks: bytes) -> pikepdf.Page:
    page = _geometry(pdf, model)
    page.obj.Contents = pdf.make_stream(b"/Artifact BMC\n" + marks + b"EMC\n" if marks else b"")
    return page


def _cover_page(pdf: pikepdf.Pdf, cover: bytes, model: pikepdf.Page, bleed: float,
                marks: bytes) -> pikepdf.Page:
    page = _geometry(pdf, model)
    x0, y0, x1, y1 = (float(v) for v in model.trimbox)
    with pikepdf.open(io.BytesIO(cover)) as drawn:
        _own_subset_names(drawn)
        form = pdf.copy_foreign(drawn.pages[0].as_form_xobject())
    name = page.add_resource(form, pikepdf.Name.XObject, pikepdf.Name("/Cover"))
    placement = page.calc_form_xobject_placement(
        form, name, pikepdf.Rectangle(x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed))
    # An artifact in a tagged PDF: the title page, tagged, says what the cover shows.
    content = b"/Artifact BMC\nq\n" + placement + b"\nQ\n" + marks + b"EMC\n"
    page.obj.Contents = pdf.make_stream(content)
    return page


_SUBSET_NAME = re.compile(r"^/([A-Z]{6})\+(.+)$")


def _own_subset_names(drawn: pikepdf.Pdf) -> None:
    """Give the cover's font subsets names of their own. WeasyPrint names a subset after its
    font, so the cover's Charis SIL and the book's had the same name for different glyphs,
    which viewers and preflight tools take for one font (missing glyphs, a rejected file).
    The new tag is made from the subset's bytes: the same cover, the same names."""
    programs: dict[str, bytes] = {}
    for obj in drawn.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            program = next((obj[key] for key in ("/FontFile2", "/FontFile3", "/FontFile")
                            if key in obj), None)
            if program is not None:
                programs[str(obj.FontName)] = program.read_raw_bytes()
    renamed: dict[str, pikepdf.Name] = {}
    for name, data in programs.items():
        match = _SUBSET_NAME.match(name)
        if match:
            digest = hashlib.sha256(b"cover" + data).digest()
            tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
            renamed[match[2]] = pikepdf.Name(f"/{tag}+{match[2]}")
    for obj in drawn.objects:
        if not isinstance(obj, pikepdf.Dictionary):
            continue
        for key in ("/BaseFont", "/FontName"):
            match = _SUBSET_NAME.match(str(obj.get(key, "")))
            if match and match[2] in renamed:
                obj[key] = renamed[match[2]]


def _crop_marks(model: pikepdf.Page) -> bytes:
    """The crop marks WeasyPrint draws on the book's pages (``marks: crop``, page_setup.py),
    drawn again: in line with each trim edge, from the paper's edge over half of the margin
    between the paper's edge and the trim, a CSS pixel wide, in black ink only."""
    mx0, my0, mx1, my1 = (float(v) for v in model.mediabox)
    x0, y0, x1, y1 = (float(v) for v in model.trimbox)
    lines = []
    for y in (y0, y1):
        lines += [(mx0, y, (mx0 + x0) / 2, y), (mx1, y, (mx1 + x1) / 2, y)]
    for x in (x0, x1):
        lines += [(x, my0, x, (my0 + y0) / 2), (x, my1, x, (my1 + y1) / 2)]
    path = b"".join(f"{a:.2f} {b:.2f} m {c:.2f} {d:.2f} l S\n".encode() for a, b, c, d in lines)
    return f"q\n{CSS_PIXEL} w 0 J 0 0 0 1 K\n".encode() + path + b"Q\n"


def _label_pages(pdf: pikepdf.Pdf, interior: int, front: bool, back: bool, lang: str) -> None:
    """Page labels: the covers by name, the book's pages by the numbers printed on them."""
    words = strings(lang)
    first = 2 if front else 0
    numbers: list = [0, pikepdf.Dictionary(P=pikepdf.String(words["cover"]))] if front else []
    numbers += [first, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)]
    if back:
        numbers += [first + interior, pikepdf.Dictionary(P=pikepdf.String(words["back_cover"]))]
    pdf.Root.PageLabels = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(numbers)))
