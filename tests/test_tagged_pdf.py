"""The reading PDF is tagged: its structure tree, read back with pikepdf, has the book's
headings, paragraphs, figures with their alternative text, tables, note calls as references
and notes as notes, in reading order, with every page's content and every link in it; a book
laid out in parts has one tree. The print shop's PDF/X is not tagged."""

from __future__ import annotations

from collections import Counter

import pikepdf


def walk(element, found: list) -> None:
    """Every structure element under ``element``, in the tree's (reading) order."""
    if isinstance(element, pikepdf.Dictionary) and "/S" in element:
        found.append(element)
        kids = element.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, pikepdf.Dictionary):
                walk(kid, found)


def structure(path) -> tuple[pikepdf.Pdf, list]:
    pdf = pikepdf.open(path)
    found: list = []
    walk(pdf.Root.StructTreeRoot.K[0], found)
    return pdf, found


def check_tree(pdf: pikepdf.Pdf) -> None:
    """Every page's marked content and every link's annotation is in the tree, on its page."""
    assert pdf.Root.MarkInfo.Marked is True
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    numbers = pdf.Root.StructTreeRoot.ParentTree.Nums
    tree = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}
    assert len(tree) == len(numbers) // 2  # no key twice
    index = {page.objgen: i for i, page in enumerate(pdf.pages)}
    for number, page in enumerate(pdf.pages):
        if "/StructParents" not in page.obj:
            continue  # a cover: an artifact
        for element in tree[int(page.obj.StructParents)]:
            assert index[element.Pg.objgen] == number
        for annotation in page.obj.get("/Annots", ()):
            link = tree[int(annotation.StructParent)]
            assert link.S == "/Link"
            assert any(isinstance(kid, pikepdf.Dictionary) and kid.get("/Obj") == annotation
                       for kid in link.K)


def test_the_reading_pdf_is_tagged(figures):
    pdf, found = structure(figures.pdf)
    check_tree(pdf)
    kinds = Counter(str(element.S) for element in found)
    assert str(pdf.Root.Lang) == "en"
    assert kinds["/H1"] == 5  # title page, contents, two chapters, notes
    assert kinds["/P"] >= 10 and kinds["/Table"] == 1 and kinds["/TH"] == 3
    figures_ = [element for element in found if element.S == "/Figure"]
    assert [str(f.get("/Alt")) for f in figures_] == [
        "A map of the city: the river runs from west to east, with three districts on its "
        "north bank", "a house", "", "The town hall, seen from the square",
        "A bar chart of the floods: five bars, the highest in 1868"]
    assert kinds["/Caption"] == 3
    assert kinds["/Reference"] == 1
    assert [str(element.ID) for element in found if element.S == "/Note"] == ["note-1"]


def test_a_pdf_laid_out_in_parts_has_one_tree_in_reading_order(manifesto):
    pdf, found = structure(manifesto.pdf)
    check_tree(pdf)
    assert str(pdf.Root.Lang) == "en-GB"
    notes = [str(element.ID) for element in found if element.S == "/Note"]
    assert notes == [f"note-{n}" for n in range(1, 11)]
    assert sum(1 for element in found if element.S == "/Reference") == 10
    index = {page.objgen: i for i, page in enumerate(pdf.pages)}
    pages = [index[element.Pg.objgen] for element in found if "/Pg" in element]
    assert pages == sorted(pages)  # the tree reads the pages in their order
    numbers = pdf.Root.StructTreeRoot.ParentTree.Nums
    tree = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}
    marked = {n for n, page in enumerate(pdf.pages)
              if "/StructParents" in page.obj and len(tree[int(page.obj.StructParents)])}
    assert set(pages) == marked and len(marked) > 45  # every page with text, the blank ones not


def test_the_print_shop_pdf_is_not_tagged(shop):
    with pikepdf.open(shop.pdf) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
        assert pdf.open_metadata()["pdfx:GTS_PDFXVersion"] == "PDF/X-4"
