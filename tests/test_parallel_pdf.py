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
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops

from brochure.core.clock import build_time
from brochure.core.diagnostics import Report
from brochure.core.model import NotesLayout
from brochure.core.xhtml import serialize
from brochure.manuscript.read import read_manuscript
from brochure.pdf import internals
from brochure.pdf import parts as parallel_pdf
from brochure.pdf.draw import draw
from brochure.render.document import render_book
from brochure.render.page_setup import with_page_setup
from brochure.runtime.build import book_of

MANIFESTO = ROOT / "tests" / "corpus" / "communist-manifesto"


def _job(manuscript: Path):
    report = Report()
    rendering = render_book(book_of(with_page_setup(read_manuscript(manuscript, report)),
                                          report))
    return serialize(rendering.document), rendering.book, build_time(rendering.book.metadata)


@pytest.fixture(scope="module")
def manifesto_both_ways(epoch_env, tmp_path_factory):
    """The Manifesto in one piece, and with each chapter a chunk of its own (so that chunks
    start on left pages as well as right ones)."""
    internals.use_indexed_lookups()
    source, book, built = _job(MANIFESTO)
    whole = draw(source, book, built)
    chunked = parallel_pdf.write_chunked(source, book, NotesLayout.BOOK_END, built, chunks=6)
    assert chunked is not None
    folder = tmp_path_factory.mktemp("chunks")
    (folder / "whole.pdf").write_bytes(whole.data)
    (folder / "chunked.pdf").write_bytes(chunked.data)
    return folder / "whole.pdf", folder / "chunked.pdf", chunked


def _pages_as_images(path: Path, folder: Path) -> list[Image.Image]:
    prefix = folder / path.stem
    subprocess.run(["pdftoppm", "-r", "36", "-gray", "-png", str(path), str(prefix)], check=True)
    return [Image.open(png).convert("L") for png in sorted(folder.glob(f"{path.stem}-*.png"))]


def test_chunked_pages_look_like_the_whole_books(manifesto_both_ways, tmp_path):
    # Pixel for pixel but for anti-aliasing: the rasteriser hints a glyph from the other glyphs
    # of its font, and the joined PDF's font subset holds the glyphs of every chunk. A line
    # moved by a point would change thousands of pixels.
    whole, chunked, _ = manifesto_both_ways
    first, second = _pages_as_images(whole, tmp_path), _pages_as_images(chunked, tmp_path)
    assert len(first) == len(second) == 50
    for number, (a, b) in enumerate(zip(first, second, strict=True), 1):
        histogram = ImageChops.difference(a, b).histogram()
        assert sum(histogram[96:]) < a.width * a.height / 2000, f"page {number}"


def _drawn_glyphs(path: Path) -> dict[str, dict[int, tuple]]:
    """Each embedded font's drawn glyphs: their outlines (composites drawn out) and advances."""
    found: dict[str, dict[int, tuple]] = {}
    with pikepdf.open(path) as pdf:
        for font in pdf.objects:
            if not isinstance(font, pikepdf.Dictionary) or font.get("/Subtype") != "/Type0":
                continue
            cid_font = font.DescendantFonts[0]
            program = TTFont(io.BytesIO(cid_font.FontDescriptor.FontFile2.read_bytes()))
            order, glyphs = program.getGlyphOrder(), program.getGlyphSet()
            widths = list(cid_font.W)  # WeasyPrint writes "first [w w ...]" runs
            drawn = {int(first) + offset for first, run in zip(widths[::2], widths[1::2],
                                                              strict=True)
                     for offset in range(len(run))}
            for number in drawn:
                pen = DecomposingRecordingPen(glyphs)
                glyphs[order[number]].draw(pen)
                found.setdefault(str(font.BaseFont), {})[number] = (
                    pen.value, program["hmtx"][order[number]])
    return found


def test_chunked_pdf_draws_the_same_glyphs_from_one_subset_per_font(manifesto_both_ways):
    whole, chunked, _ = manifesto_both_ways
    glyphs = _drawn_glyphs(chunked)
    assert glyphs == _drawn_glyphs(whole)
    assert sorted(name.split("+")[1] for name in glyphs) == [
        "Charis-SIL", "Charis-SIL-Bold", "Charis-SIL-Italic"]
    assert len(glyphs["/PBISUD+Charis-SIL-Italic"]) > 40  # glyphs from several chunks merged


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
    fonts = [subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:] for path in (whole, chunked)]
    assert fonts[1] and all(line.split()[4:6] == ["yes", "yes"] for line in fonts[1])  # emb, sub
    # One subset of each font, named as in the book laid out in one piece.
    assert sorted(line.split()[0] for line in fonts[1]) == sorted(
        line.split()[0] for line in fonts[0])


@pytest.mark.slow  # the Manifesto laid out twice more: -m slow
def test_chunking_is_reproducible(manifesto_both_ways, epoch_env):
    _, chunked, _ = manifesto_both_ways
    source, book, built = _job(MANIFESTO)
    again = parallel_pdf.write_chunked(source, book, NotesLayout.BOOK_END, built, chunks=6)
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
    internals.use_indexed_lookups()
    source, book, built = _job(FIXTURES / "two-chapters")
    assert parallel_pdf.write_chunked(source, book, NotesLayout.BOOK_END, built, chunks=2) is not None
    assert parallel_pdf.write_chunked(source, _with_css(book, css), NotesLayout.BOOK_END, built,
                                      chunks=2) is None


@pytest.mark.slow  # the Manifesto laid out twice more: -m slow
def test_a_build_of_a_long_book_uses_the_chunks(tmp_path, epoch_env, monkeypatch):
    # What counts as long is lowered to the Manifesto's length; the build's PDF worker is forked
    # from this process, so it sees the same threshold.
    from conftest import build_fixture

    monkeypatch.setattr(parallel_pdf, "MIN_SOURCE_BYTES", 0)
    monkeypatch.setattr(parallel_pdf, "usable_cores", lambda: 2)
    built = build_fixture(MANIFESTO, tmp_path / "out", formats=("pdf",))
    # The front matter, the chapters in two chunks, the notes.
    assert built.result.details["pdf"] == ["laid out in 4 parts side by side"]
    assert built.result.pages == 52  # the front cover and its inside, then the book's 50
    whole = draw(*_job(MANIFESTO)).data
    assert _texts(built.pdf)[2:] == _texts(_saved(whole, tmp_path))


def _saved(data: bytes, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "book.pdf"
    path.write_bytes(data)
    return path


def test_pdf_bytes_open_in_pikepdf(manifesto_both_ways):
    _, _, written = manifesto_both_ways
    with pikepdf.open(io.BytesIO(written.data)) as pdf:
        assert pdf.check_pdf_syntax() == []


def _texts_both_ways(css: str, folder: Path) -> list[str]:
    """The pages' text of the Manifesto with ``css`` added, in eight parts; checked equal to
    the same book in one piece."""
    internals.use_indexed_lookups()
    source, book, built = _job(MANIFESTO)
    book = _with_css(book, css)
    chunked = parallel_pdf.write_chunked(source, book, NotesLayout.BOOK_END, built, chunks=6)
    assert chunked is not None
    whole = _texts(_saved(draw(source, book, built).data, folder / "whole"))
    texts = _texts(_saved(chunked.data, folder / "chunked"))
    assert texts == whole
    return texts


@pytest.mark.slow  # the Manifesto laid out twice more: -m slow
def test_running_heads_set_in_one_chunk_carry_into_the_next(epoch_env, tmp_path):
    # A named string set once, in the first chapter, heads every later page: the chunks after
    # it must start with its value.
    texts = _texts_both_ways("#chapter-1 h1 { string-set: series 'Pamphlets, volume 1'; }\n"
                             "@page { @bottom-center { content: string(series); } }\n", tmp_path)
    assert sum("Pamphlets, volume 1" in page for page in texts) > 40


@pytest.mark.slow  # the Manifesto laid out twice more: -m slow
def test_a_print_shop_pdf_in_chunks_is_the_one_piece_pdf_x(tmp_path, epoch_env, monkeypatch):
    from conftest import build_fixture

    shop = {"print_mode": "shop"}
    monkeypatch.setattr(parallel_pdf, "MIN_SOURCE_BYTES", 10**9)
    whole = build_fixture(MANIFESTO, tmp_path / "whole", formats=("pdf",), settings=shop)
    monkeypatch.setattr(parallel_pdf, "MIN_SOURCE_BYTES", 0)
    monkeypatch.setattr(parallel_pdf, "usable_cores", lambda: 2)
    chunked = build_fixture(MANIFESTO, tmp_path / "chunked", formats=("pdf",), settings=shop)
    assert "pdf" not in whole.result.details and chunked.result.details["pdf"]
    assert _texts(chunked.pdf) == _texts(whole.pdf)
    with pikepdf.open(whole.pdf) as one, pikepdf.open(chunked.pdf) as other:
        assert other.pdf_version == one.pdf_version == "1.6"
        [intent] = other.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and intent.DestOutputProfile.N == 4
        assert other.docinfo["/Trapped"] == "/False"
        with other.open_metadata() as xmp:
            assert xmp["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        for box in ("/MediaBox", "/TrimBox", "/BleedBox"):
            assert [list(page.obj[box]) for page in other.pages] == [
                list(page.obj[box]) for page in one.pages]
    checked = subprocess.run(["qpdf", "--check", str(chunked.pdf)], capture_output=True,
                             text=True)
    assert checked.returncode == 0 and "WARNING" not in checked.stdout + checked.stderr


@pytest.mark.slow  # the Manifesto laid out twice more: -m slow
def test_selectors_on_a_chapters_siblings_match_as_in_the_whole_book(epoch_env, tmp_path):
    # A part keeps the chapters it does not show as undisplayed stand-ins: "+" and
    # ":first-child" see the same siblings as in the book.
    texts = _texts_both_ways(".chapter + .chapter h1::before { content: '§ '; }\n"
                             "body > .chapter:nth-child(5) h1::after { content: ' (fifth)'; }\n",
                             tmp_path)
    assert "".join(texts).count("§ ") == 5 and "(fifth)" in "".join(texts)


@pytest.mark.slow  # the Manifesto laid out twice more: -m slow
def test_chapters_on_right_hand_pages_get_the_blank_pages_of_the_whole_book(epoch_env, tmp_path):
    # Each part opens on a right-hand page: it brings a blank left-hand page, kept where the
    # page before it is a right-hand one, as in the book laid out in one piece.
    import dataclasses as dc

    internals.use_indexed_lookups()
    report = Report()
    manuscript = read_manuscript(MANIFESTO, report)
    manuscript = dc.replace(manuscript, settings=manuscript.settings.overridden({"chapters_on_recto": True}))
    rendering = render_book(book_of(with_page_setup(manuscript), report))
    source, book = serialize(rendering.document), rendering.book
    built = build_time(book.metadata)
    chunked = parallel_pdf.write_chunked(source, book, NotesLayout.BOOK_END, built, chunks=6)
    assert chunked is not None and chunked.parts == 8
    whole = _saved(draw(source, book, built).data, tmp_path / "whole")
    parts = _saved(chunked.data, tmp_path / "chunked")
    texts = _texts(parts)
    assert texts == _texts(whole)
    assert _links(parts) == _links(whole) and _outline(parts) == _outline(whole)
    blanks = [number for number, text in enumerate(texts[:-1], 1) if not text.strip()]
    assert len(blanks) >= 3 and all(number % 2 == 0 for number in blanks)
    chapters = [page + 1 for depth, _, page, _ in _outline(parts) if depth == 0][1:]
    assert chapters and all(page % 2 == 1 for page in chapters)
