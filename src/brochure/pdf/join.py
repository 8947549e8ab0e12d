"""The PDFs of a book's chunks joined into the book's PDF.

Each chunk's PDF holds its own pages, their link annotations (internal links name their target,
``/Dest (note-12)``) and a named destination for each anchor on its pages, plus stand-ins for
the anchors of other chunks that its links name. The book's PDF takes the first chunk's file
(its catalogue: metadata, output intent), appends the other chunks' pages, and makes one table
of named destinations from the anchors each chunk really holds, one outline from all the
chunks' bookmarks, nested as WeasyPrint nests them in a single document, and one subset of each
font (pdf_font_subsets.py).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pikepdf
from weasyprint.anchors import make_page_bookmark_tree
from weasyprint.matrix import Matrix

from brochure.pdf.font_subsets import merge_font_subsets

SCALE = 0.75  # WeasyPrint's PDF points per CSS pixel


@dataclass(frozen=True)
class PageMarks:
    """A page's height (CSS pixels) and bookmarks: (level, label, (x, y), state)."""

    height: float
    bookmarks: list


@dataclass(frozen=True)
class ChunkPdf:
    data: bytes
    anchors: frozenset[str]  # the anchors on the chunk's own pages
    pages: tuple[PageMarks, ...]


def join(chunks: list[ChunkPdf]) -> bytes:
    opened = [pikepdf.open(io.BytesIO(chunk.data)) for chunk in chunks]
    try:
        book = opened[0]
        first_pages = len(book.pages)
        destinations = _destinations(opened, chunks)
        with warnings.catch_warnings():
            # pikepdf warns that named destinations do not follow the pages: made below.
            warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
            for pdf in opened[1:]:
                book.pages.extend(pdf.pages)
        pages = list(book.pages)
        names = pikepdf.Array()
        for name in sorted(destinations):
            index, x, y = destinations[name]
            names.append(pikepdf.String(name))
            names.append(pikepdf.Array([pages[index].obj, pikepdf.Name.XYZ, x, y, 0]))
        if "/Names" not in book.Root:
            book.Root.Names = pikepdf.Dictionary()
        book.Root.Names.Dests = book.make_indirect(pikepdf.Dictionary(Names=names))
        _outline(book, [marks for chunk in chunks for marks in chunk.pages])
        _merge_structure(book, opened[1:], first_pages)
        merge_font_subsets(book)
        out = io.BytesIO()
        book.save(out, deterministic_id=True, compress_streams=True,
                  object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return out.getvalue()
    finally:
        for pdf in opened:
            pdf.close()


def _destinations(opened: list[pikepdf.Pdf],
                  chunks: list[ChunkPdf]) -> dict[str, tuple[int, float, float]]:
    """Each anchor's page in the book and point, from the chunk whose pages hold it."""
    found: dict[str, tuple[int, float, float]] = {}
    offset = 0
    for pdf, chunk in zip(opened, chunks, strict=True):
        index_of = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            for name, destination in pikepdf.NameTree(pdf.Root.Names.Dests).items():
                if name in chunk.anchors and name not in found:
                    page, _, x, y = list(destination)[:4]
                    found[name] = (offset + index_of[page.objgen], float(x), float(y))
        offset += len(pdf.pages)
    return found


def _merge_structure(book: pikepdf.Pdf, others: list[pikepdf.Pdf], first_pages: int) -> None:
    """One structure tree for the joined pages (a tagged PDF): the other chunks' elements go
    under the first chunk's Document element, and their parent-tree keys (each page's and each
    link's) move past the keys already used."""
    if "/StructTreeRoot" not in book.Root:
        return
    root = book.Root.StructTreeRoot
    document = root.K[0]
    numbers = root.ParentTree.Nums
    used = max((int(numbers[i]) for i in range(0, len(numbers), 2)), default=-1) + 1
    start = first_pages
    for pdf in others:
        copies = list(book.pages)[start:start + len(pdf.pages)]
        start += len(pdf.pages)
        if "/StructTreeRoot" not in pdf.Root:
            continue
        theirs = pdf.Root.StructTreeRoot
        their_numbers = theirs.ParentTree.Nums
        for index in range(0, len(their_numbers), 2):
            numbers.append(int(their_numbers[index]) + used)
            numbers.append(_copied(book, their_numbers[index + 1]))
        for kid in theirs.K[0].K:
            copied = _copied(book, kid)
            copied.P = document
            document.K.append(copied)
        for page in copies:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + used
            for annotation in page.obj.get("/Annots", ()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + used
        used += max((int(their_numbers[i]) for i in range(0, len(their_numbers), 2)),
                    default=-1) + 1


def _copied(book: pikepdf.Pdf, value):
    """``value`` of another PDF in ``book``: its objects copied (once: the pages they name are
    the pages copied before), its direct arrays rebuilt around them."""
    if value.is_indirect:
        return book.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copied(book, item) for item in value])
    return value


def _outline(book: pikepdf.Pdf, pages: list[PageMarks]) -> None:
    """The bookmarks of every page, nested by WeasyPrint's own rule across the chunks."""
    tree: list = []
    skipped_levels: list[int] = []
    last_by_depth = [tree]
    previous_level = 0
    for number, page in enumerate(pages):
        matrix = Matrix(a=SCALE, d=-SCALE, f=page.height * SCALE)
        previous_level = make_page_bookmark_tree(page, skipped_levels, last_by_depth,
                                                 previous_level, number, matrix)
    with book.open_outline() as outline:
        outline.root.clear()
        outline.root.extend(_items(tree))


def _items(tree: list) -> list[pikepdf.OutlineItem]:
    items = []
    for label, (page, x, y), children, state in tree:
        item = pikepdf.OutlineItem(label, page, pikepdf.PageLocation.XYZ, left=x, top=y, zoom=0)
        item.children.extend(_items(children))
        item.is_closed = state == "closed"
        items.append(item)
    return items
