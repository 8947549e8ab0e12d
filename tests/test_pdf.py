"""The PDF as a reader (and poppler / pikepdf) see it."""

from __future__ import annotations

import pikepdf
import pytest
from helpers import cover_pages, pdf_destinations, pdf_fonts, pdf_links, pdf_page_texts, pdf_text

A5_POINTS = (419.53, 595.28)


def test_every_page_is_a5(seed, two_chapters):
    for built in (seed, two_chapters):
        with pikepdf.open(built.pdf) as pdf:
            for page in pdf.pages:
                box = [float(v) for v in page.MediaBox]
                assert abs(box[2] - box[0] - A5_POINTS[0]) < 0.5
                assert abs(box[3] - box[1] - A5_POINTS[1]) < 0.5


def test_page_count_is_reported(seed):
    with pikepdf.open(seed.pdf) as pdf:
        assert seed.result.pages == len(pdf.pages) >= 3


def test_pages_are_numbered(seed):
    pages = pdf_page_texts(seed.pdf)[cover_pages(seed.pdf):]  # from page 1, the covers aside
    for number, text in enumerate(pages, start=1):
        if number > 2:  # the title page and the imprint behind it carry no number
            assert text.strip().splitlines()[-1].strip() == str(number)
    assert not pages[1].strip().splitlines()[-1].strip().isdigit()


def test_notes_section_follows_the_text_with_every_note(seed):
    pages = pdf_page_texts(seed.pdf)
    notes_pages = [i for i, text in enumerate(pages) if text.lstrip().startswith("Notes")]
    assert notes_pages and notes_pages[0] > 1
    notes_text = " ".join(" ".join(pages[notes_pages[0]:]).split())
    notes_text = notes_text.replace("\u2010 ", "")  # words hyphenated at a line end, joined
    for number, expected in enumerate([
        "AutreFutur, article de 2008 sur le travail gratuit",
        "Pierre Collin et Nicolas Colin",
        "Dmytri Kleiner, The Telekommunist Manifesto.",
        "Valérie Segond, « Les faux-semblants du travail gratuit », Le Monde, 18 octobre 2016.",
        "Marie-Anne Dujarier, Le travail du consommateur.",
    ]):
        assert expected in notes_text, number


def test_links_go_both_ways_and_land_on_existing_destinations(seed, two_chapters):
    for built, count in ((seed, 7), (two_chapters, 4)):
        destinations = pdf_destinations(built.pdf)
        links = pdf_links(built.pdf)
        to_notes = [dest for _, dest in links if dest.startswith("note-")]
        back = [dest for _, dest in links if dest.startswith("noteref-")]
        assert sorted(set(to_notes)) == sorted(f"note-{n}" for n in range(1, count + 1))
        assert len(back) >= count
        for _, dest in links:
            assert dest in destinations, dest
        notes_page = destinations["note-1"]
        assert all(destinations[d] < notes_page for d in back)


def test_fonts_are_all_embedded(seed):
    fonts = pdf_fonts(seed.pdf)
    assert fonts
    assert all(embedded for _, embedded in fonts), fonts


def test_metadata_and_bookmarks(seed, two_chapters):
    with pikepdf.open(seed.pdf) as pdf:
        assert str(pdf.docinfo["/Title"]) == "Le client moderne comme employé à titre gratuit"
        assert str(pdf.docinfo["/Author"]) == "Contribution"
        assert str(pdf.Root.Lang) == "fr"
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
            children = [c.title for item in outline.root for c in item.children]
    assert titles[0] == "Le client moderne comme employé à titre gratuit"
    assert "Notes" in titles
    assert "Le phénix capitaliste" in children


def test_the_text_is_in_the_pdf(seed):
    text = " ".join(pdf_text(seed.pdf).split())
    assert "Le phénix capitaliste" in text
    assert "si c’est gratuit, c’est que vous êtes le produit" in text
    assert "Accueil" not in text  # the web page's breadcrumb is not part of the essay


@pytest.mark.parametrize("book", ["two-chapters", pytest.param("manifesto", marks=pytest.mark.slow)])
def test_the_indexed_target_lookups_give_the_same_pdf_bytes(epoch_env, monkeypatch, book):
    # internals.py replaces a quadratic step of WeasyPrint's by an indexed one: the PDF laid out
    # in one piece (where the step runs) must not change by a byte, on books with notes called
    # from many pages.
    from conftest import FIXTURES, ROOT

    from brochure.core.clock import build_time
    from brochure.core.diagnostics import Report
    from brochure.core.xhtml import serialize
    from brochure.pdf import internals
    from brochure.pdf.draw import draw
    from brochure.render.document import render_book
    from brochure.runtime.build import BuildOptions, book_of, read

    assert not internals.unsupported()  # another WeasyPrint must be checked again first
    calls = []
    indexed = internals.cache_target_page_counters

    def counted(*args):
        calls.append(1)
        return indexed(*args)

    monkeypatch.setattr(internals, "cache_target_page_counters", counted)
    manuscripts = {"manifesto": ROOT / "tests" / "corpus" / "communist-manifesto",
                   "two-chapters": FIXTURES / "two-chapters"}
    for manuscript in (manuscripts[book],):
        report = Report()
        rendering = render_book(book_of(read(BuildOptions(manuscript), report), report))
        source, built = serialize(rendering.document), build_time(rendering.book.metadata)
        outputs = []
        for enabled in (False, True):
            internals.use_indexed_lookups(enabled)
            outputs.append(draw(source, rendering.book, built).data)
        internals.use_indexed_lookups(False)
        assert outputs[0] == outputs[1]
        assert "↑ p." in pdf_text_of(outputs[1])
    assert calls  # the indexed step did run


def pdf_text_of(data: bytes) -> str:
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join(page.extract_text() or "" for page in pdf.pages)
