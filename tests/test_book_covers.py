"""Covers in the books brochure writes: the EPUB's cover-image and cover page, the PDF's first
pages (full bleed with crop marks for a print shop), the back cover, the booklet; a cover image
of the user's own, checked."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2
import pytest
from conftest import build_fixture
from helpers import beyond_the_bleed, same_marks
from lxml import etree
from PIL import Image

from brochure.core.paper import POINTS_PER_MM

OPF = {"opf": "http://www.idpf.org/2007/opf"}
X = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
BAND = (156, 51, 36)  # the template's band: --band: #9c3324


def package(epub: Path) -> tuple[etree._Element, zipfile.ZipFile]:
    archive = zipfile.ZipFile(epub)
    return etree.fromstring(archive.read("EPUB/content.opf")), archive


def test_the_epub_opens_with_its_cover(figures):
    opf, archive = package(figures.epub)
    item = opf.xpath("//opf:item[@properties='cover-image']", namespaces=OPF)[0]
    assert item.get("media-type") == "image/png"
    with Image.open(io.BytesIO(archive.read(f"EPUB/{item.get('href')}"))) as image:
        assert image.width >= 1600 and image.height >= 2560
        assert image.getpixel((image.width // 2, 20))[:3] == BAND
    first = opf.xpath("//opf:spine/opf:itemref", namespaces=OPF)[0]
    assert first.get("linear") in (None, "yes")
    cover = opf.xpath(f"//opf:item[@id='{first.get('idref')}']", namespaces=OPF)[0]
    page = etree.fromstring(archive.read(f"EPUB/{cover.get('href')}"))
    img = page.xpath("//x:img", namespaces=X)[0]
    assert img.get("src") == item.get("href")
    assert img.get("alt") == "Cover: Maps and Tables, by Ada Writer"
    assert page.xpath("//x:section/@epub:type", namespaces=X) == ["cover"]
    stylesheets = page.xpath("//x:link[@rel='stylesheet']/@href", namespaces=X)
    assert stylesheets == ["styles/page-setup.css", "styles/brochure.css"]
    css = archive.read("EPUB/styles/brochure.css").decode()
    assert "section.cover img {\n  max-width: 100%;\n  max-height: 98vh;" in css  # never cropped
    nav = etree.fromstring(archive.read("EPUB/nav.xhtml"))
    assert nav.xpath("//x:nav[@epub:type='landmarks']//x:a[@epub:type='cover']/@href",
                     namespaces=X) == ["cover.xhtml"]


def test_the_pdf_opens_with_its_cover_and_numbers_the_pages_as_printed(figures):
    with pikepdf.open(figures.pdf) as pdf:
        labels = pdf.Root.PageLabels.Nums
        assert [int(labels[0]), str(labels[1].P), int(labels[2]), int(labels[3].St)] == \
            [0, "Cover", 2, 1]
        first, title = pdf.pages[0], pdf.pages[2]
        assert list(first.mediabox) == list(title.mediabox)
        assert "/StructParents" not in first.obj  # an artifact in the tagged PDF
    with pdfplumber.open(figures.pdf) as pdf:
        assert "Maps and\nTables" in pdf.pages[0].extract_text()
        assert pdf.pages[1].extract_text() == ""  # the inside of the cover
        assert pdf.pages[2].extract_text().startswith("Maps and Tables")  # the title page


def rendered(pdf: Path, index: int, scale: float = 0.5) -> Image.Image:
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return document[index].render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()


@pytest.fixture(scope="module")
def shop_covers(tmp_path_factory, epoch_env):
    from conftest import FIXTURES

    return build_fixture(FIXTURES / "figures", tmp_path_factory.mktemp("shop-covers"),
                         formats=("pdf", "booklet"),
                         settings={"print_mode": "shop", "back_cover": "true"})


def test_a_print_shop_cover_is_full_bleed_with_crop_marks(shop_covers):
    with pikepdf.open(shop_covers.pdf) as pdf:
        cover, title = pdf.pages[0], pdf.pages[2]
        assert list(cover.mediabox) == list(title.mediabox)
        assert list(cover.trimbox) == list(title.trimbox)
        assert list(cover.obj.BleedBox) == list(title.obj.BleedBox)
        content = cover.obj.Contents.read_bytes()
        assert content.count(b" l S") == 8  # a crop mark at each side of each corner
        x0, _, _, y1 = (float(v) for v in cover.trimbox)
        left, bottom, _, top = (float(v) for v in cover.mediabox)
        # The template's band in the shop's four inks (styles/cover.css), not in RGB.
        painted = b"".join(obj.read_bytes() for obj in pdf.objects
                           if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") in
                           (None, pikepdf.Name.Form))
        assert re.search(rb"/DeviceCMYK cs\s+0 0?\.67 0?\.77 0?\.39 scn", painted)
    image = rendered(shop_covers.pdf, 0)
    scale = image.height / (top - bottom)
    y = round((top - y1 + 10 * POINTS_PER_MM) * scale)
    inside_bleed = (round((x0 - 1.5 * POINTS_PER_MM - left) * scale), y)
    inside_trim = (round((x0 + 10 * POINTS_PER_MM - left) * scale), y)
    # The band runs past the trim into the bleed; its red is the renderer's reading of the inks.
    assert image.getpixel(inside_bleed) == image.getpixel(inside_trim)
    red, green, blue = image.getpixel(inside_trim)
    assert red > 120 and green < 100 and blue < 80


def test_the_back_cover_closes_the_pdf_and_the_booklet(shop_covers):
    with pdfplumber.open(shop_covers.pdf) as pdf:
        back = pdf.pages[-1].extract_text()
    assert "A short book about a city, its river and its floods." in back
    assert "ISBN 978-0-00-000000-2" in back
    with pdfplumber.open(shop_covers.booklet) as booklet:
        outer = booklet.pages[0]
        left = outer.crop((0, 0, outer.width / 2, outer.height)).extract_text()
        right = outer.crop((outer.width / 2, 0, outer.width, outer.height)).extract_text()
    assert "A short book about a city" in left  # the back cover, last page
    assert "SMALL PAMPHLETS" in right.upper() and "Maps and" in right  # the front cover


def test_the_back_cover_has_the_crop_marks_of_the_books_pages(shop_covers):
    pages = beyond_the_bleed(shop_covers.pdf)
    with pikepdf.open(shop_covers.pdf) as pdf:
        first = [page.label for page in pdf.pages].index("1")
    assert same_marks(pages[-1], pages[first]) and same_marks(pages[0], pages[first])


def test_a_cover_image_of_ones_own(tmp_path, epoch_env):
    image = Image.new("RGB", (900, 1400), (20, 90, 160))
    image.save(tmp_path / "cover.jpg", quality=90)
    path = tmp_path / "essay.md"
    path.write_text("---\ntitle: T\nlang: en\ncover-image: cover.jpg\n---\n# One\n\nText.\n", "utf-8")
    built = build_fixture(path, tmp_path / "out", settings={"back_cover": "true"})
    said = [str(d) for d in built.report.warnings]
    assert any(":4: warning: cover image cover.jpg: 900 x 1400 px, ebook stores ask for at least "
               "1600 x 2560 px" in line for line in said)
    opf, archive = package(built.epub)
    item = opf.xpath("//opf:item[@properties='cover-image']", namespaces=OPF)[0]
    assert (item.get("href"), item.get("media-type")) == ("images/cover.jpg", "image/jpeg")
    assert archive.read("EPUB/images/cover.jpg") == (tmp_path / "cover.jpg").read_bytes()
    page = rendered(built.pdf, 0, scale=0.25)
    for point in ((2, 2), (page.width - 3, page.height - 3), (page.width // 2, page.height // 2)):
        assert page.getpixel(point) == pytest.approx((20, 90, 160), abs=12)  # filled, to the edges
