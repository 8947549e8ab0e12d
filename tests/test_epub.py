"""The EPUB as a reader and a validator see it."""

from __future__ import annotations

import pytest
from conftest import ACCEPTED_USAGE, ROOT
from helpers import NS, Epub, text_of

SEED_NOTES = [
    "AutreFutur, article de 2008 sur le travail gratuit et la rentabilité du volontariat aux jeux "
    "olympiques de Pékin.",
    "Sur la gamification des communautés de clients",
    "Pierre Collin et Nicolas Colin, Mission d’expertise sur la fiscalité de l’économie numérique, "
    "rapport, 2013.",
    "Dmytri Kleiner, The Telekommunist Manifesto.",
    "Valérie Segond, « Les faux-semblants du travail gratuit », Le Monde, 18 octobre 2016.",
    "Sophie Bernard, Marie-Anne Dujarier et Guillaume Tiffon (coord.), L’activité des clients : "
    "un travail ?",
    "Marie-Anne Dujarier, Le travail du consommateur. De McDo à eBay, comment nous coproduisons ce "
    "que nous achetons.",
]


def test_epubcheck_reports_nothing_for_the_seed(seed_epubcheck):
    assert seed_epubcheck == []


def test_epubcheck_reports_nothing_for_two_chapters(two_chapters_epubcheck):
    assert two_chapters_epubcheck == []


def test_usage_messages_are_only_the_documented_ones(two_chapters_messages):
    found = {d.message.split(":")[0].removeprefix("EPUBCheck USAGE ")
             for d in two_chapters_messages}
    assert "OPF-086b" not in found
    assert found == set(ACCEPTED_USAGE)
    explained = (ROOT / "docs" / "typography.md").read_text() + (ROOT / "README.md").read_text()
    assert all(f"`{message}`" in explained for message in ACCEPTED_USAGE)


@pytest.fixture(scope="module")
def seed_epub(seed) -> Epub:
    return Epub.open(seed.epub)


@pytest.fixture(scope="module")
def two_epub(two_chapters) -> Epub:
    return Epub.open(two_chapters.epub)


def test_mimetype_is_first_and_stored(seed):
    import zipfile

    with zipfile.ZipFile(seed.epub) as z:
        first = z.infolist()[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert seed.epub.read_bytes()[30:58] == b"mimetypeapplication/epub+zip"


def test_seed_has_seven_notes_in_order_with_their_text(seed_epub):
    notes = seed_epub.find("//h:li[@class='note']")
    assert [el.get("id") for _, el in notes] == [f"note-{n}" for n in range(1, 8)]
    for (_, note), expected in zip(notes, SEED_NOTES, strict=True):
        assert expected in text_of(note)


def test_notes_live_in_their_own_spine_file_titled_in_the_book_language(seed_epub):
    assert "notes.xhtml" in seed_epub.documents
    notes = seed_epub.documents["notes.xhtml"]
    section = notes.find(".//h:section", NS)
    assert section.get(f"{{{NS['epub']}}}type") == "endnotes"
    assert section.get("role") == "doc-endnotes"
    assert text_of(section.find("h:h1", NS)) == "Notes"
    assert notes.get("lang") == "fr"


def test_each_reference_is_a_superscript_link_to_its_note(seed_epub):
    refs = seed_epub.find("//h:a[@epub:type='noteref']")
    assert [text_of(a) for _, a in refs] == [str(n) for n in range(1, 8)]
    ids = seed_epub.ids()
    for name, a in refs:
        assert a.get("role") == "doc-noteref"
        assert a.getparent().tag == f"{{{NS['h']}}}sup"
        assert ":" not in a.get("id")
        target = seed_epub.resolve(name, a.get("href"))
        assert target == ("notes.xhtml", f"note-{text_of(a)}")
        assert target in ids


def test_each_note_links_back_to_each_call(seed_epub, two_epub):
    for book in (seed_epub, two_epub):
        ids = book.ids()
        for name, note in book.find("//h:section[@epub:type='endnotes']//h:li[@class='note']"):
            backlinks = note.findall(".//h:a[@role='doc-backlink']", NS)
            assert backlinks, note.get("id")
            for link in backlinks:
                assert link.get("aria-label")
                file, target = book.resolve(name, link.get("href"))
                assert (file, target) in ids
                assert target.startswith("noteref-" + note.get("id").removeprefix("note-"))


def test_second_chapter_restarts_labels_but_not_numbers(two_epub):
    refs = [(name, text_of(a)) for name, a in two_epub.find("//h:a[@epub:type='noteref']")]
    assert refs == [("chapter-1.xhtml", "1"), ("chapter-1.xhtml", "2"), ("chapter-1.xhtml", "1"),
                    ("chapter-2.xhtml", "3"), ("chapter-2.xhtml", "4")]
    notes = dict((el.get("id"), text_of(el)) for _, el in two_epub.find("//h:li[@class='note']"))
    # Each note shows its number in its text (pop-up notes show no list marker).
    assert notes["note-1"].startswith("1. The note that is called twice.")
    assert notes["note-2"].startswith("2. Defined first, but called second")
    assert notes["note-3"].startswith("3. The second chapter’s own first note")


def test_note_called_twice_has_one_entry_and_two_backlinks(two_epub):
    [(_, note)] = two_epub.find("//h:li[@id='note-1']")
    hrefs = [a.get("href") for a in note.findall(".//h:a[@role='doc-backlink']", NS)]
    assert hrefs == ["chapter-1.xhtml#noteref-1", "chapter-1.xhtml#noteref-1-2"]
    assert len(note.findall("h:p", NS)) == 2  # the multi-paragraph note keeps its paragraphs


def test_note_keeps_emphasis_and_links(two_epub):
    [(_, note)] = two_epub.find("//h:li[@id='note-3']")
    assert text_of(note.find(".//h:em", NS)) == "emphasis"
    assert note.find(".//h:a[@href='https://example.org/']", NS) is not None


def test_stylesheet_is_the_very_file_of_styles(seed_epub):
    from conftest import ROOT

    assert seed_epub.files["EPUB/styles/brochure.css"] == (ROOT / "styles/brochure.css").read_bytes()
    for name, doc in seed_epub.documents.items():
        links = doc.findall(".//h:link[@rel='stylesheet']", NS)
        # The generated page setup (page size, margins) first, then the shared stylesheet.
        assert [link.get("href") for link in links] == ["styles/page-setup.css",
                                                        "styles/brochure.css"], name


def test_every_document_declares_the_language(seed_epub):
    assert seed_epub.opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert seed_epub.opf.findtext(".//dc:language", namespaces=NS) == "fr"
    for name, text in seed_epub.files.items():
        if name.endswith(".xhtml"):
            assert b'lang="fr" xml:lang="fr"' in text, name


def test_metadata(seed_epub, two_epub):
    opf = seed_epub.opf
    assert opf.findtext(".//dc:title", namespaces=NS) == "Le client moderne comme employé à titre gratuit"
    assert opf.findtext(".//dc:creator", namespaces=NS) == "Contribution"
    assert opf.findtext(".//dc:publisher", namespaces=NS) == "AutreFutur"
    assert opf.findtext(".//dc:date", namespaces=NS) == "2017-08-10"
    assert opf.findtext(".//dc:identifier", namespaces=NS).startswith("urn:uuid:")
    modified = opf.findtext(".//opf:meta[@property='dcterms:modified']", namespaces=NS)
    assert modified == "2023-11-14T22:13:20Z"  # SOURCE_DATE_EPOCH=1700000000
    assert two_epub.opf.findtext(".//dc:identifier", namespaces=NS) == "urn:isbn:9780000000002"
    assert [c.text for c in two_epub.opf.iterfind(".//dc:creator", NS)] == ["Ada Writer", "Ben Editor"]


def test_navigation_lists_sections_and_notes(seed_epub):
    nav = etree_nav(seed_epub)
    titles = [text_of(a) for a in nav.iterfind(".//h:nav[@epub:type='toc']//h:a", NS)]
    assert titles == [
        "Le client moderne comme employé à titre gratuit", "Le phénix capitaliste",
        "Profession : contributeur bénévole", "Mise en commun de la connaissance",
        "Du partage de la valeur ?", "Notes",
    ]
    landmarks = [a.get(f"{{{NS['epub']}}}type")
                 for a in nav.iterfind(".//h:nav[@epub:type='landmarks']//h:a", NS)]
    assert {"toc", "bodymatter", "endnotes"} <= set(landmarks)
    assert b"<navMap>" in seed_epub.files["EPUB/toc.ncx"]


def test_heading_with_a_note_has_no_number_in_the_table_of_contents(two_epub):
    nav = etree_nav(two_epub)
    titles = [text_of(a) for a in nav.iterfind(".//h:nav[@epub:type='toc']//h:a", NS)]
    assert "A section with a note" in titles


def test_the_page_list_lists_page_breaks_only(seed_epub, seed):
    """ebooklib makes a page of every element with an id and an epub:type: the page-list is
    brochure's, one entry for each of the PDF's pages (but the cover and its inside)."""
    import pikepdf

    nav = etree_nav(seed_epub)
    links = nav.findall(".//h:nav[@epub:type='page-list']//h:a", NS)
    with pikepdf.open(seed.pdf) as pdf:
        assert len(links) == len(pdf.pages) - 2
    for link in links:
        name, _, target = link.get("href").partition("#")
        marker = seed_epub.documents[name].find(f".//*[@id='{target}']")
        assert marker.get("{http://www.idpf.org/2007/ops}type") == "pagebreak"
        assert marker.get("aria-label") == link.text


def etree_nav_bytes(book: Epub) -> bytes:
    return book.files["EPUB/nav.xhtml"]


def etree_nav(book: Epub):
    from lxml import etree

    return etree.fromstring(etree_nav_bytes(book))


def test_accessibility_metadata(seed_epub):
    properties = {(m.get("property"), m.text)
                  for m in seed_epub.opf.iterfind(".//opf:meta[@property]", NS)}
    assert ("schema:accessMode", "textual") in properties
    assert ("schema:accessibilityFeature", "tableOfContents") in properties
    assert ("schema:accessibilityHazard", "none") in properties


def test_the_validator_does_report_a_broken_epub():
    """The 0/0 results above come from a validator that does speak up."""
    import io
    import zipfile

    from brochure.epub.epubcheck import check_epub

    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
    problems = check_epub(raw.getvalue())
    assert any(p.level == "error" and "RSC-002" in p.message for p in problems)
