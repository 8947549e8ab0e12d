"""Metadata: read with its lines, written to both formats, read back by calibre, poppler and
pikepdf as a library or a store would."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from conftest import FIXTURES
from lxml import etree

from brochure.core.diagnostics import BrochureError, Report
from brochure.core.model import Identifier, Person
from brochure.manuscript.read import read_manuscript

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
CALIBRE = shutil.which("ebook-meta")
needs_calibre = pytest.mark.skipif(
    CALIBRE is None, reason="calibre's ebook-meta is not installed (scripts/test installs it)")


def front(tmp_path: Path, yaml: str) -> Path:
    path = tmp_path / "essay.md"
    path.write_text(f"---\ntitle: T\nlang: en\n{yaml}---\nText.\n", "utf-8")
    return path


def read(path: Path):
    report = Report()
    return read_manuscript(path, report).metadata, report


def error_of(path: Path) -> str:
    with pytest.raises(BrochureError) as caught:
        read(path)
    return str(caught.value)


# ---- Reading ----------------------------------------------------------------------------

def test_people_with_roles_and_sort_names(tmp_path):
    meta, report = read(front(tmp_path, "author:\n  - name: Karl Marx\n    file-as: Marx, Karl\n"
                                        "  - Friedrich Engels\n"
                                        "  - {name: Samuel Moore, role: translator}\n"
                                        "contributor: [{text: Ann Drawer, role: ill}]\n"))
    assert meta.creators == (Person("Karl Marx", "aut", "Marx, Karl"),
                             Person("Friedrich Engels", "aut"), Person("Samuel Moore", "trl"))
    assert meta.contributors == (Person("Ann Drawer", "ill"),)
    assert meta.authors == ("Karl Marx", "Friedrich Engels")
    assert report.diagnostics == []


@pytest.mark.parametrize(("written", "expected"), [
    ("978-2-07-036002-4", Identifier("ISBN", "9782070360024")),
    ("ISBN 2-07-036002-4", Identifier("ISBN", "9782070360024")),  # ISBN-10 -> 13
    ("urn:isbn:9780000000002", Identifier("ISBN", "9780000000002")),
    ("doi:10.1234/abc.def", Identifier("DOI", "10.1234/abc.def")),
    ("https://doi.org/10.1234/abc", Identifier("DOI", "10.1234/abc")),
    ("urn:uuid:0F8FAD5B-D9CB-469F-A165-70867728950E",
     Identifier("UUID", "0f8fad5b-d9cb-469f-a165-70867728950e")),
    ("https://example.org/book", Identifier("URI", "https://example.org/book")),
])
def test_identifiers_are_told_apart_by_their_form(tmp_path, written, expected):
    meta, _ = read(front(tmp_path, f"identifier: '{written}'\n"))
    assert meta.identifiers == (expected,)


def test_identifiers_with_pandocs_schemes(tmp_path):
    meta, _ = read(front(tmp_path, "identifier:\n  - scheme: ISBN-13\n    text: 9780000000002\n"
                                   "  - scheme: URN\n    text: urn:nbn:de:1234\n"))
    assert meta.identifiers == (Identifier("ISBN", "9780000000002"),
                                Identifier("URI", "urn:nbn:de:1234"))
    assert meta.identifier == "urn:isbn:9780000000002"


@pytest.mark.parametrize(("yaml", "expected"), [
    ("identifier: 978-0-00-000000-3\n",
     "essay.md:4: error: 'identifier': ISBN-13 '978-0-00-000000-3' has the check digit 3, "
     "where its other digits give 2"),
    ("identifier: 2-07-036002-5\n",
     "essay.md:4: error: 'identifier': ISBN-10 '2-07-036002-5' has the check digit 5, "
     "where its other digits give 4"),
    ("identifier:\n  - urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e\n  - 9780000000003\n",
     "essay.md:6: error: 'identifier': ISBN-13 '9780000000003'"),
    ("identifier:\n  - scheme: ISBN\n    text: '123'\n",
     "essay.md:6: error: 'identifier': ISBN '123' has 3 digits; an ISBN has 10 or 13"),
    ("identifier: {scheme: ISNI, text: x}\n", "essay.md:4: error: unknown identifier scheme 'ISNI'"),
    ("author: [{name: A, role: baker}]\n", "essay.md:4: error: unknown role 'baker'"),
    ("author: [{role: editor}]\n", "essay.md:4: error: each 'author' needs a 'name'"),
    ("group-position: 2\n", "essay.md:4: error: 'group-position' without a series"),
    ("series: S\nbelongs-to-collection: S\n", "'series' and 'belongs-to-collection' are the same"),
])
def test_bad_fields_are_errors_at_their_line(tmp_path, yaml, expected):
    assert expected in error_of(front(tmp_path, yaml))


def test_series_and_print_edition(tmp_path):
    meta, _ = read(front(tmp_path, "belongs-to-collection: Pamphlets\ngroup-position: 3\n"
                                   "edition: 2\nprint-run: 500\nprinter: P\n"
                                   "legal-deposit: May 2024\n"))
    assert (meta.collection.name, meta.collection.position) == ("Pamphlets", "3")
    assert (meta.edition, meta.print_run, meta.printer, meta.legal_deposit) == \
        ("2", "500", "P", "May 2024")


# ---- Keys brochure does not read ------------------------------------------------------------

def test_every_unknown_key_is_a_warning_at_its_line(tmp_path):
    _, report = read(front(tmp_path, "toc: true\nisbn: 978\nmy-own-field: x\n"
                                     "author:\n  - name: A\n    twitter: '@a'\n"))
    said = [str(d).replace(f"{tmp_path}/", "") for d in report.warnings]
    assert said[0].startswith("essay.md:4: warning: unknown key 'toc'; it is ignored")
    assert "pandoc knows 'toc', which brochure does not use" in said[0]
    assert said[1].startswith("essay.md:5: warning: unknown key 'isbn'")
    assert "give it as 'identifier: 978-...'" in said[1]
    assert said[2].startswith("essay.md:6: warning: unknown key 'my-own-field'")
    assert said[3].startswith("essay.md:9: warning: unknown key 'twitter' in 'author'")
    assert len(said) == 4


def test_a_key_pandoc_knows_says_so(tmp_path):
    _, report = read(front(tmp_path, "abstract-title: Summary\n"))
    assert "pandoc knows 'abstract-title', which brochure does not use yet" in str(report.warnings[0])


def test_the_fixture_and_the_seed_have_no_unknown_key():
    for path in (FIXTURES / "figures", FIXTURES.parents[1] / "manuscript"):
        report = Report()
        read_manuscript(path, report)
        assert report.diagnostics == []


# ---- Written and read back --------------------------------------------------------------

def opf_of(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        return etree.fromstring(archive.read("EPUB/content.opf"))


def test_the_package_document_refines_roles_identifiers_and_the_series(figures):
    opf = opf_of(figures.epub)

    def refinement(text: str, prop: str) -> str:
        target = opf.xpath(f"//*[text()='{text}']/@id", namespaces=OPF)[0]
        return opf.xpath(f"//opf:meta[@refines='#{target}'][@property='{prop}']/text()",
                         namespaces=OPF)[0]

    assert refinement("Ada Writer", "role") == "aut"
    assert refinement("Ada Writer", "file-as") == "Writer, Ada"
    assert refinement("Carla Translator", "role") == "trl"
    assert opf.xpath("//dc:contributor/text()", namespaces=OPF) == ["Dan Drawer"]
    assert refinement("urn:isbn:9780000000002", "identifier-type") == "15"
    assert refinement("Small Pamphlets", "collection-type") == "series"
    assert refinement("Small Pamphlets", "group-position") == "2"
    assert opf.xpath("//dc:rights/text()", namespaces=OPF) == ["© 2024 Ada Writer, CC BY-SA 4.0"]


@needs_calibre
def test_calibre_reads_the_epub(figures):
    meta = _ebook_meta(figures.epub)
    assert meta["Title"] == "Maps and Tables: A fixture with figures"
    assert meta["Author(s)"] == "Ada Writer [Writer, Ada]"
    assert meta["Publisher"] == "Test Press"
    assert meta["Tags"] == "cities, rivers, maps"
    assert meta["Series"] == "Small Pamphlets #2"
    assert meta["Identifiers"] == "isbn:9780000000002, doi:10.1234/maps.tables"
    assert meta["Languages"] == "eng"
    assert meta["Published"].startswith("2024-05")


@needs_calibre
def test_calibre_reads_the_pdf(figures):
    meta = _ebook_meta(figures.pdf)
    assert meta["Title"] == "Maps and Tables"
    assert meta["Author(s)"] == "Ada Writer"
    assert meta["Publisher"] == "Test Press"
    assert meta["Series"] == "Small Pamphlets #2"
    assert meta["Identifiers"] == "isbn:9780000000002, doi:10.1234/maps.tables"
    assert meta["Comments"] == "A short book about a city, its river and its floods."


def _ebook_meta(path: Path) -> dict[str, str]:
    done = subprocess.run([CALIBRE, str(path)], capture_output=True, text=True, check=True,
                          timeout=120)
    fields = {}
    for line in done.stdout.splitlines():
        key, _, value = line.partition(":")
        if value:
            fields[key.strip()] = value.strip()
    return fields


def test_the_pdf_info_and_xmp(figures):
    with pikepdf.open(figures.pdf) as pdf:
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        xmp = pdf.open_metadata()
        assert info["/Title"] == "Maps and Tables"
        assert info["/Author"] == "Ada Writer"
        assert info["/Subject"] == "A short book about a city, its river and its floods."
        assert info["/Keywords"] == "cities, rivers, maps"
        assert xmp["dc:title"] == "Maps and Tables"
        assert xmp["dc:creator"] == ["Ada Writer"]
        assert set(xmp["dc:contributor"]) == {"Carla Translator", "Dan Drawer"}
        assert xmp["dc:publisher"] == {"Test Press"}
        assert xmp["dc:rights"] == "© 2024 Ada Writer, CC BY-SA 4.0"
        assert xmp["dc:language"] == {"en"}
        assert xmp["dc:identifier"] == "urn:isbn:9780000000002"
        assert xmp["prism2:isbn"] == "978-0-00-000000-2"


def test_the_print_shop_pdf_keeps_its_pdfx_identification_beside_the_book(shop):
    with pikepdf.open(shop.pdf) as pdf:
        xmp = pdf.open_metadata()
        assert xmp["pdfx:GTS_PDFXVersion"] == "PDF/X-4"
        assert xmp["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert xmp["dc:title"] == "Two Chapters"
        assert xmp["dc:creator"] == ["Ada Writer", "Ben Editor"]
        assert str(pdf.docinfo["/Trapped"]) == "/False"


def test_the_imprint_prints_the_isbn_hyphenated_and_the_print_edition(figures):
    import pdfplumber

    with pdfplumber.open(figures.pdf) as pdf:
        imprint = pdf.pages[3].extract_text()  # after the cover, its inside and the title page
    for line in ("ISBN 978-0-00-000000-2", "DOI 10.1234/maps.tables", "Translated by Carla Translator",
                 "Illustrated by Dan Drawer", "Small Pamphlets, 2", "Second edition",
                 "Printed by Imprimerie du Test, Lyon", "Print run: 500 copies",
                 "Legal deposit: May 2024"):
        assert line in imprint
    with zipfile.ZipFile(figures.epub) as archive:
        ebook = archive.read("EPUB/imprint.xhtml").decode()
    assert "ISBN 978-0-00-000000-2" in ebook


def test_the_pdf_metadata_step_keeps_the_bytes_the_same(figures, tmp_path):
    from brochure.pdf.metadata import with_metadata

    data = figures.pdf.read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/Metadata" in pdf.Root
    meta = read_manuscript(FIXTURES / "figures", Report()).metadata
    assert with_metadata(data, meta) == with_metadata(data, meta)
