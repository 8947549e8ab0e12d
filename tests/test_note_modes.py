"""Notes in every placement and numbering mode, on a real book: The Communist Manifesto.

Each mode is built once per run; ``notes_check.check_notes`` compares the EPUB and the PDF
with the Markdown as Python-Markdown alone reads it.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from conftest import FIXTURES, Built, build_fixture, epubcheck
from helpers import (
    NS,
    Epub,
    cover_pages,
    glyphs_under,
    pdf_destinations,
    pdf_link_areas,
    pdf_page_texts,
    pdf_running_heads,
    pdf_text,
    text_of,
)
from lxml import etree
from notes_check import check_notes

from brochure.render import notes as render_notes

MANIFESTO = Path(__file__).resolve().parent / "corpus" / "communist-manifesto"
MODES = {
    "book": {},
    "chapter": {"notes": "chapter"},
    "footnotes": {"print_notes": "footnotes"},
    "numbering": {"note_numbering": "chapter"},
}
HEADING_WITH_NOTE = "I: Bourgeois and Proletarians"
# The default suite checks the modes whose output differs most; -m slow checks every mode.
SLOW = pytest.mark.slow
MAIN_MODES = ["book", "chapter", pytest.param("footnotes", marks=SLOW),
              pytest.param("numbering", marks=SLOW)]


class _Modes(dict):
    """The Manifesto built in each mode when a test first asks for it (a test process of the
    parallel suite then builds only the modes its tests read)."""

    def __init__(self, factory):
        super().__init__()
        self.factory = factory

    def __missing__(self, mode: str) -> Built:
        self[mode] = build_fixture(MANIFESTO, self.factory.mktemp(f"cm-{mode}"),
                                   settings=MODES[mode])
        return self[mode]


@pytest.fixture(scope="session")
def modes(tmp_path_factory, epoch_env) -> dict[str, Built]:
    return _Modes(tmp_path_factory)


@pytest.fixture(scope="session")
def manifesto_split(tmp_path_factory, epoch_env) -> Built:
    """Endnote files cut every 4 notes, as Pepys's are cut every 500."""
    mp = pytest.MonkeyPatch()
    mp.setattr(render_notes, "NOTES_PER_FILE", 4)
    try:
        return build_fixture(MANIFESTO, tmp_path_factory.mktemp("cm-split"), formats=("epub",))
    finally:
        mp.undo()


# Book mode's EPUB is checked in the default suite on tests/fixtures/manifesto (test_page_setup).
@pytest.mark.parametrize("mode", [pytest.param("book", marks=SLOW), "chapter",
                                  pytest.param("numbering", marks=SLOW)])
def test_epubcheck_reports_nothing_in_each_mode(modes, mode):
    assert epubcheck(modes[mode].epub) == []


@pytest.mark.parametrize("mode", MAIN_MODES)
def test_notes_link_both_ways_in_reading_order_with_their_text(modes, mode):
    built = modes[mode]
    report = check_notes(MANIFESTO, built.epub, built.pdf, per_chapter=mode == "numbering",
                         footnotes=mode == "footnotes")
    assert report.problems == []
    assert built.result.notes == 10


def epub_texts(path) -> dict[str, bytes | str]:
    """Each file of an EPUB, its documents by their text: the page-break markers (which follow
    the PDF built beside it) hold none, and the package and navigation files name them."""
    with zipfile.ZipFile(path) as archive:
        return {name: "".join(etree.fromstring(archive.read(name)).itertext())
                if name.endswith(".xhtml") else archive.read(name)
                for name in archive.namelist()
                if name not in ("EPUB/nav.xhtml", "EPUB/content.opf")}


def test_footnotes_change_the_pdf_only(modes):
    # The EPUB is the same but for the places of its page-break markers: the PDF's pages differ.
    assert epub_texts(modes["footnotes"].epub) == epub_texts(modes["book"].epub)
    pages = pdf_page_texts(modes["footnotes"].pdf)
    assert not any(text.lstrip().startswith("Notes") for text in pages)
    destinations = pdf_destinations(modes["footnotes"].pdf)
    on_call_page = [n for n in range(1, 11)
                    if destinations[f"note-{n}"] == destinations[f"noteref-{n}"]]
    # WeasyPrint cannot split a footnote: one that does not fit under its call goes a page on.
    assert len(on_call_page) >= 8, on_call_page


def test_book_notes_are_grouped_under_their_chapters(modes):
    epub = Epub.open(modes["book"].epub)
    groups = epub.find("//h:section[@epub:type='endnotes']//h:section[@class='notes-group']/h:h2")
    assert [text_of(h) for _, h in groups] == [
        "Preface", HEADING_WITH_NOTE, "III: Socialist and Communist Literature",
        "IV: Position of the Communists in Relation to the Various Existing Opposition Parties"]
    [(_, link)] = epub.find("//h:section[@class='notes-group']/h:h2/h:a[.='Preface']")
    assert link.get("href") == "chapter-1.xhtml#chapter-1"


def test_chapter_notes_close_each_chapter(modes):
    epub = Epub.open(modes["chapter"].epub)
    assert "notes.xhtml" not in epub.documents
    placed = [(name, el.get("id")) for name, el in epub.find("//h:li[@class='note']")]
    assert placed[:3] == [("chapter-1.xhtml", "note-1"), ("chapter-1.xhtml", "note-2"),
                          ("chapter-3.xhtml", "note-3")]
    # In the PDF, a chapter's notes come before the next chapter starts.
    destinations = pdf_destinations(modes["chapter"].pdf)
    assert destinations["noteref-3"] <= destinations["note-6"] < destinations["noteref-7"]


def test_numbering_restarts_in_each_chapter_with_ids_unique(modes):
    epub = Epub.open(modes["numbering"].epub)
    shown = [(name, text_of(a)) for name, a in epub.find("//h:a[@epub:type='noteref']")]
    assert shown == [("chapter-1.xhtml", "1"), ("chapter-1.xhtml", "2"), ("chapter-3.xhtml", "1"),
                     ("chapter-3.xhtml", "2"), ("chapter-3.xhtml", "3"), ("chapter-3.xhtml", "4"),
                     ("chapter-5.xhtml", "1"), ("chapter-5.xhtml", "2"), ("chapter-5.xhtml", "3"),
                     ("chapter-6.xhtml", "1")]
    ids = [el.get("id") for _, doc in epub.documents.items() for el in doc.iter() if el.get("id")]
    assert len(ids) == len(set(ids))


def test_pdf_endnotes_name_the_page_of_their_call(modes):
    pdf = modes["book"].pdf
    destinations = pdf_destinations(pdf)
    text = " ".join(" ".join(pdf_page_texts(pdf)[destinations["note-4"]:]).split())
    page = destinations["noteref-4"] - cover_pages(pdf) + 1  # as printed on the page
    assert re.search(rf"Stuttgart, 1886\.\s↑ p\. {page}\b", text), text[:2000]


def test_heading_with_a_note_shows_no_stray_number_in_toc_bookmarks_or_running_heads(modes):
    for mode in ("book", "footnotes"):
        built = modes[mode]
        epub = Epub.open(built.epub)
        nav = [text_of(a) for _, a in epub.find("//h:nav[@epub:type='toc']//h:a")]
        assert HEADING_WITH_NOTE in nav
        with pikepdf.open(built.pdf) as pdf, pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        assert HEADING_WITH_NOTE in titles, titles
        # Right-hand pages of the chapter carry its title as running head, without the number.
        start = pdf_destinations(built.pdf)["noteref-3"]
        heads = pdf_running_heads(built.pdf)[start + 1:start + 4]
        assert HEADING_WITH_NOTE in heads, heads
        assert not any("Proletarians3" in head for head in heads)
    # The number stays in the heading's text.
    [(_, h1)] = Epub.open(modes["book"].epub).find("//h:h1[h:sup]")
    assert text_of(h1) == HEADING_WITH_NOTE + "3"


def test_running_head_of_the_notes_names_the_chapter(tmp_path, epoch_env):
    (tmp_path / "book.yaml").write_text("title: Heads\nlang: en\n")
    for number, name in ((1, "One"), (2, "Two")):
        calls = " ".join(f"Call[^{n}]." for n in range(1, 31))
        notes = "\n\n".join(f"[^{n}]: " + "A long note of many words. " * 12 for n in range(1, 31))
        (tmp_path / f"{number}.md").write_text(f"# {name}\n\n{calls}\n\n{notes}\n")
    built = build_fixture(tmp_path, tmp_path / "out", formats=("pdf",))
    pages = pdf_page_texts(built.pdf)
    start = pdf_destinations(built.pdf)["note-1"]
    assert pages[start].lstrip().startswith("Notes")  # no running head where the notes open
    assert pdf_running_heads(built.pdf)[start] == ""
    heads = pdf_running_heads(built.pdf)[start + 1:]
    right = heads[1::2] if start % 2 == 0 else heads[::2]  # page 1 is a right-hand page
    assert set(right) == {"Notes · One", "Notes · Two"}, heads
    assert set(heads) - set(right) == {"Heads"}


def test_notes_files_are_cut_and_links_follow(manifesto_split):
    epub = Epub.open(manifesto_split.epub)
    files = [name for name in epub.documents if name.startswith("notes")]
    assert files == ["notes.xhtml", "notes-2.xhtml", "notes-3.xhtml"]
    counts = [len(epub.documents[name].findall(".//h:li[@class='note']", NS)) for name in files]
    assert sum(counts) == 10 and max(counts) <= 4
    report = check_notes(MANIFESTO, manifesto_split.epub, None)
    assert report.problems == []


@pytest.mark.slow
def test_notes_files_cut_pass_epubcheck(manifesto_split):
    assert epubcheck(manifesto_split.epub) == []


def test_an_image_in_a_note_is_carried_in_the_epub(tmp_path, epoch_env):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "chart.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>')
    (tmp_path / "book.yaml").write_text("title: Pictures\nlang: en\n")
    (tmp_path / "one.md").write_text(
        "# One\n\nText[^a].\n\n[^a]: A note with a picture.\n\n    ![A chart](images/chart.svg)\n")
    built = build_fixture(tmp_path, tmp_path / "out", formats=("epub",))
    epub = Epub.open(built.epub)
    [(name, img)] = epub.find("//h:section[@epub:type='endnotes']//h:li[@class='note']//h:img")
    assert name == "notes.xhtml" and img.get("alt") == "A chart"
    assert f"EPUB/{img.get('src')}" in epub.files


def test_a_note_weasyprint_could_not_place_fails_the_build():
    from types import SimpleNamespace

    from brochure.core.diagnostics import Location
    from brochure.core.model import Note
    from brochure.pdf.draw import _lost_notes

    notes = tuple(Note(n, f"note-{n}", (f"noteref-{n}",), "chapter-1", (), Location(MANIFESTO))
                  for n in (1, 2, 3))
    book = SimpleNamespace(notes=notes)
    on_the_pages = {"note-1", "note-3"}  # the anchors of the PDF's pages
    [diagnostic] = _lost_notes(book, on_the_pages)
    assert diagnostic.level == "error" and "(notes 2)" in diagnostic.message
    assert _lost_notes(SimpleNamespace(notes=notes[::2]), on_the_pages) == []


def test_note_pages_false_leaves_the_page_of_the_call_out_of_the_pdf(two_chapters, tmp_path):
    # Each "↑ p. 12" makes WeasyPrint lay the Notes' pages out again (benchmarks/README.md):
    # a book may do without them.
    with_pages = " ".join(pdf_text(two_chapters.pdf).split())
    assert re.search(r"it must be note 2\. ↑ p\. \d+ ", with_pages), with_pages
    built = build_fixture(FIXTURES / "two-chapters", tmp_path / "out", formats=("pdf",),
                          settings={"note_pages": False})
    without = " ".join(pdf_text(built.pdf).split())
    assert "it must be note 2. ↑ The Second Chapter" in without  # the link back remains
    assert not re.search(r"↑\d* p\. \d", without), without
    assert built.result.pages == two_chapters.result.pages


@pytest.mark.parametrize("mode", ["book", "footnotes", pytest.param("chapter", marks=SLOW),
                                  pytest.param("numbering", marks=SLOW)])
def test_every_link_of_the_pdf_can_be_tapped_and_covers_its_text(modes, mode):
    # sup { line-height: 0 } once flattened the link of each note call to a zero-height
    # rectangle: nothing a reader could tap in a PDF viewer.
    path = modes[mode].pdf
    areas = pdf_link_areas(path)
    assert areas
    for area in areas:
        x0, y0, x1, y1 = area.rect
        assert x1 - x0 > 1 and y1 - y0 > 3, area
    with pdfplumber.open(path) as pdf:
        chars = [page.chars for page in pdf.pages]
    calls = [area for area in areas if re.fullmatch(r"note-\d+", area.target)]
    assert len(calls) >= 10
    for area in calls:
        assert re.fullmatch(r"\d+", glyphs_under(area, chars[area.page])), area
