"""A long book's PDF laid out in chunks side by side is the PDF of the book in one piece: the
same pages (drawn pixel for pixel), text, links and bookmarks; and books a chunk could not
lay out alone are made in one piece."""

from __future__ import annotations

import dataclasses
import io
import subprocess
from pathlib import Path

import pikepdf
import pytest
from conftest import FIXTURES, ROOT
from PIL import Image, ImageChops

from brochure import parallel_pdf, weasyprint_patch
from brochure.assemble import assemble_book
from brochure.clock import build_time
from brochure.diagnostics import Report
from brochure.page_setup import with_page_setup
from brochure.read import read_manuscript
from brochure.render import render_book
from brochure.write_pdf import draw
from brochure.xhtml import serialize

MANIFESTO = ROOT / "tests" / "corpus" / "communist-manifesto"


def _job(manuscript: Path):
    report = Report()
    rendering = render_book(assemble_book(with_page_setup(read_manuscript(manuscript, report)),
                                          report))
    return serialize(rendering.document), rendering.book, build_time(rendering.book.metadata)


@pytest.fixture(scope="module")
def manifesto_both_ways(epoch_env, tmp_path_factory):
    """The Manifesto in one piece, and with each chapter a chunk of its own (so that chunks
    start on left pages as well as right ones)."""
    weasyprint_patch.apply()
    source, book, built = _job(MANIFESTO)
    whole = draw(source, book, built)
    chunked = parallel_pdf.write_chunked(source, book, built, chunks=6)
    assert chunked is not None
    folder = tmp_path_factory.mktemp("chunks")
    (folder / "whole.pdf").write_bytes(whole.data)
    (folder / "chunked.pdf").write_bytes(chunked.data)
    return folder / "whole.pdf", folder / "chunked.pdf", chunked


def _pages_as_images(path: Path, folder: Path) -> list[Image.Image]:
    prefix = folder / path.stem
    subprocess.run(["pdftoppm", "-r", "36", "-gray", "-png", str(path), str(prefix)], check=True)
    return [Image.open(png) for png in sorted(folder.glob(f"{path.stem}-*.png"))]


def test_chunked_pages_are_drawn_as_the_whole_books(manifesto_both_ways, tmp_path):
    whole, chunked, _ = manifesto_both_ways
    first, second = _pages_as_images(whole, tmp_path), _pages_as_images(chunked, tmp_path)
    assert len(first) == len(second) == 50
    differing = [number for number, (a, b) in enumerate(zip(first, second, strict=True), 1)
                 if ImageChops.difference(a, b).getbbox()]
    assert differing == []


def _texts(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return out.split("\f")


def test_chunked_text_page_numbers_and_references_are_the_whole_books(manifesto_both_ways):
    whole, chunked, written = manifesto_both_ways
    texts = _texts(chunked)
    assert texts == _texts(whole)
    assert written.pages == 50
    # The contents name each chapter's page; a chapter opening on a left page (10) and the notes'
    # "↑ p." references to every chunk are there.
    contents = texts[2]
    assert "Introduction" in contents and contents.rstrip().split()[-1] == "49"
    assert any(line.split()[-1:] == ["10"] for line in contents.splitlines() if "Introduction" in line)
    assert "p. 36" in "".join(texts[48:])


def _links(path: Path) -> list[tuple]:
    with pikepdf.open(path) as pdf:
        index = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        named = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        found = []
        for number, page in enumerate(pdf.pages):
            for annotation in page.obj.get("/Annots", []):
                rect = tuple(round(float(v), 2) for v in annotation.Rect)
                if "/Dest" in annotation:
                    target = named[str(annotation.Dest)]  # every internal link resolves
                    found.append((number, rect, str(annotation.Dest), index[target[0].objgen],
                                  round(float(target[3]), 2)))
                else:
                    found.append((number, rect, str(annotation.A.URI)))
        return found


def _outline(path: Path) -> list[tuple]:
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        index = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        found = []

        def walk(items, depth):
            for item in items:
                target = item.destination
                found.append((depth, item.title, index[target[0].objgen], round(float(target[3]), 2)))
                walk(item.children, depth + 1)

        walk(outline.root, 0)
        return found


def test_chunked_links_and_bookmarks_are_the_whole_books(manifesto_both_ways):
    whole, chunked, _ = manifesto_both_ways
    links = _links(chunked)
    assert links == _links(whole)
    # Links cross chunks both ways: calls to the notes, notes back to their calls.
    assert any(link[2].startswith("note-") and link[0] < 45 and link[3] >= 48 for link in links)
    outline = _outline(chunked)
    assert outline == _outline(whole)
    assert [(title, page + 1) for depth, title, page, _ in outline if depth == 0][1:4] == [
        ("Preface", 4), ("Introduction", 10), ("I: Bourgeois and Proletarians", 11)]


def test_chunked_pdf_has_the_whole_books_boxes_and_fonts(manifesto_both_ways):
    whole, chunked, _ = manifesto_both_ways
    with pikepdf.open(whole) as one, pikepdf.open(chunked) as other:
        boxes = [[(list(page.MediaBox), list(page.TrimBox)) for page in pdf.pages]
                 for pdf in (one, other)]
        assert boxes[0] == boxes[1]
    fonts = subprocess.run(["pdffonts", str(chunked)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[4:6] == ["yes", "yes"] for line in fonts)  # emb, sub
    names = [line.split()[0] for line in fonts]
    assert {name.split("+")[1] for name in names} == {
        "Charis-SIL", "Charis-SIL-Bold", "Charis-SIL-Italic"}
    # Each chunk embeds its own subsets; different subsets never share a name.
    assert len(set(names)) == len(names)


def test_chunking_is_reproducible(manifesto_both_ways, epoch_env):
    _, chunked, _ = manifesto_both_ways
    source, book, built = _job(MANIFESTO)
    again = parallel_pdf.write_chunked(source, book, built, chunks=6)
    assert again is not None and again.data == chunked.read_bytes()


def _with_css(book, css: str):
    """The book with ``css`` added to its stylesheet."""
    assets = tuple(dataclasses.replace(asset, data=asset.data + css.encode())
                   if asset.href == "styles/brochure.css" else asset for asset in book.assets)
    return dataclasses.replace(book, assets=assets)


@pytest.mark.parametrize("css", [
    "h2 { counter-increment: section; }",  # a counter through the book: seen in the stylesheet
    ".chapter h1::after { content: ' ' counter(page); }",  # page numbers in the text: at layout
])
def test_what_a_chunk_cannot_know_alone_is_laid_out_in_one_piece(epoch_env, css):
    weasyprint_patch.apply()
    source, book, built = _job(FIXTURES / "two-chapters")
    assert parallel_pdf.write_chunked(source, book, built, chunks=2) is not None
    assert parallel_pdf.write_chunked(source, _with_css(book, css), built, chunks=2) is None


def test_a_build_of_a_long_book_uses_the_chunks(tmp_path, epoch_env, monkeypatch):
    # What counts as long is lowered to the Manifesto's length; the build's PDF worker is forked
    # from this process, so it sees the same threshold.
    from conftest import build_fixture

    monkeypatch.setattr(parallel_pdf, "MIN_SOURCE_BYTES", 0)
    monkeypatch.setattr(parallel_pdf, "usable_cores", lambda: 2)
    built = build_fixture(MANIFESTO, tmp_path / "out", formats=("pdf",))
    # The front matter, the chapters in two chunks, the notes.
    assert built.result.details["pdf"] == ["laid out in 4 parts side by side"]
    assert built.result.pages == 50
    whole = draw(*_job(MANIFESTO)).data
    assert _texts(built.pdf) == _texts(_saved(whole, tmp_path))


def _saved(data: bytes, folder: Path) -> Path:
    path = folder / "whole.pdf"
    path.write_bytes(data)
    return path


def test_pdf_bytes_open_in_pikepdf(manifesto_both_ways):
    _, _, written = manifesto_both_ways
    with pikepdf.open(io.BytesIO(written.data)) as pdf:
        assert pdf.check_pdf_syntax() == []
