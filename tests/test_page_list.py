"""The print edition's page numbers in the EPUB: for every page of the PDF, the EPUB has a
page-break marker labelled with the page's number, the text right after it is the text the
page starts with, and the navigation document's page-list leads to it."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import FIXTURES, build_fixture
from helpers import cover_pages
from lxml import etree

from brochure.render.page_setup import BOTTOM, TOP

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
# Drawn by the stylesheet, not in the text: list numbers, the contents' dot leaders (". . .",
# their first dot against the entry's last word).
_LIST_MARKER = re.compile(r"^(\d+\.|[•◦▪–])")
_LEADER = re.compile(r"\s?\.(\s+\.)+")


def first_texts(pdf: Path) -> list[str]:
    """The first words of the text area (running heads and page numbers left out) of each
    page numbered as printed, from page 1 (the covers aside), in the order a reader reads
    them: poppler's reading order, which puts a raised note call after its word wherever the
    page's drawing puts it (a superscript, positioned, is drawn after the rest of its page)."""
    first = cover_pages(pdf)
    with pikepdf.open(pdf) as document:
        _, _, width, height = (float(v) for v in document.pages[first].mediabox)
    top, bottom = round(height * TOP), round(height * (1 - BOTTOM))
    shown = subprocess.run(
        ["pdftotext", "-f", str(first + 1), "-r", "72", "-x", "0", "-y", str(top),
         "-W", str(round(width)), "-H", str(bottom - top), str(pdf), "-"],
        capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()[:8]) for page in shown.split("\f")[:-1]]


def markers(epub: Path) -> dict[str, str]:
    """Each page-break marker's label -> the text that follows it."""
    found = {}
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml") and not name.endswith("nav.xhtml"):
                root = etree.fromstring(archive.read(name))
                for marker in root.xpath("//*[@epub:type='pagebreak']", namespaces=NS):
                    assert marker.get("role") == "doc-pagebreak"
                    assert marker.get("id") == f"page-{marker.get('aria-label')}"
                    after = "".join(marker.xpath("following::text()")[:60])
                    found[marker.get("aria-label")] = " ".join(after.split())
    return found


def page_list(epub: Path) -> list[tuple[str, str]]:
    with zipfile.ZipFile(epub) as archive:
        nav = etree.fromstring(archive.read("EPUB/nav.xhtml"))
    return [(a.text, a.get("href")) for a in
            nav.xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def starts_alike(page: str, after_marker: str) -> bool:
    """Whether the text after the marker is where the page starts: the same characters, or
    the page starting inside the first word after the marker (a word hyphenated across)."""
    on_page, in_epub = squeeze(_LEADER.split(page)[0]), squeeze(after_marker)
    if not in_epub.startswith(on_page[:1]) and _LIST_MARKER.match(on_page):
        on_page = _LIST_MARKER.sub("", on_page)
    on_page = on_page[:30]
    first_word = len(after_marker.split()[0]) if after_marker.split() else 0
    return in_epub.startswith(on_page) or 0 < in_epub.find(on_page) < first_word


def check_every_page(built) -> None:
    pages = first_texts(built.pdf)
    found = markers(built.epub)
    with pikepdf.open(built.pdf) as pdf:  # the PDF's page labels: the numbers as printed
        labels = [page.label for page in pdf.pages[cover_pages(built.pdf):]]
    assert labels[:len(pages) - 1] == [str(n) for n in range(1, len(pages))]
    assert sorted(found, key=int) == [str(n) for n in range(1, len(pages) + 1)]
    for number, text in enumerate(pages, start=1):
        if text:  # a blank page shares the next page's place
            assert starts_alike(text, found[str(number)]), (number, text, found[str(number)])
    listed = page_list(built.epub)
    assert [label for label, _ in listed] == [str(n) for n in range(1, len(pages) + 1)]
    assert all(href.endswith(f"#page-{label}") for label, href in listed)


def test_every_page_of_the_manifesto_is_where_the_pdf_puts_it(manifesto):
    """The Manifesto's PDF is laid out in parts, with blank pages before its chapters."""
    assert manifesto.result.details.get("pdf", [""])[0].startswith("laid out in")
    check_every_page(manifesto)


def test_a_page_that_opens_on_a_figure_is_marked_before_it(figures):
    check_every_page(figures)
    with zipfile.ZipFile(figures.epub) as archive:
        chapter = etree.fromstring(archive.read("EPUB/chapter-1.xhtml"))
    marker = chapter.xpath("//*[@id='page-5']")[0]
    assert etree.QName(marker.getnext()).localname == "figure"


def test_the_page_list_is_announced(figures):
    with zipfile.ZipFile(figures.epub) as archive:
        opf = archive.read("EPUB/content.opf").decode()
    assert "<meta property=\"schema:accessibilityFeature\">printPageNumbers</meta>" in opf
    assert "<meta property=\"pageBreakSource\">urn:isbn:9780000000002</meta>" in opf


def test_an_epub_made_without_the_pdf_has_no_page_list(tmp_path, epoch_env):
    built = build_fixture(FIXTURES / "figures", tmp_path, formats=("epub",))
    assert markers(built.epub) == {} and page_list(built.epub) == []
    with zipfile.ZipFile(built.epub) as archive:
        assert b"printPageNumbers" not in archive.read("EPUB/content.opf")


@pytest.mark.slow
def test_the_corpus_manifesto_with_footnotes(tmp_path, epoch_env):
    built = build_fixture(FIXTURES.parent / "corpus" / "communist-manifesto", tmp_path,
                          settings={"print_notes": "footnotes"})
    check_every_page(built)
