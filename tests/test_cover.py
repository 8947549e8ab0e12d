"""Covers made from the metadata: ISBNs, the barcode, the drawing and its fit, the fetcher's
refusals, and the checks of a cover image the user gives."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("barcode", reason="python-barcode draws the ISBN's bars")
pytest.importorskip("stdnum", reason="python-stdnum hyphenates ISBNs")
pytest.importorskip("pypdfium2", reason="pypdfium2 rasterises the cover")

import pdfplumber
import pikepdf
from PIL import Image

from brochure.core.isbn import parse_isbn
from brochure.cover.barcode import SVG_NS, ean13_svg
from brochure.cover.check import check_cover_image
from brochure.cover.design import (
    CoverText,
    back_cover_html,
    description_length,
    front_cover_html,
    title_length,
)
from brochure.cover.draw import CoverFetcher, draw_cover, rasterise
from brochure.cover.files import cover_files
from brochure.cover.fit import back_strings, front_strings, unfit_text
from brochure.cover.make import front_cover

STYLES = Path(__file__).resolve().parents[1] / "styles"
A5 = (148.0, 210.0)
MM = 72 / 25.4

SEED = CoverText(title="Le client moderne comme employé à titre gratuit", authors=("Contribution",),
                 publisher="AutreFutur", lang="fr",
                 description="Le client travaille : il scanne, il pèse, il se sert.\n\nQui en profite ?",
                 isbn="978-2-07-036024-6")
FIFTEEN_WORDS = CoverText(
    title="On the Uses and Abuses of Public Libraries in the Small Towns of Northern Provinces",
    subtitle="A Social History of Reading, Lending and Forgetting, 1850–1914",
    authors=("Margaret Ellison",), publisher="Harbour Street Press",
    series="Studies in Print Culture", series_position="12", lang="en")
THREE_AUTHORS = CoverText(title="Cooperatives in Practice", subtitle="Ten Years of Shared Work",
                          authors=("Ana María Gutiérrez", "Jean-Baptiste Lefèvre-Duval", "Oluwaseun Adeyemi"),
                          publisher="AutreFutur", lang="en")


# ---- ISBN -----------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["9782070360246", "978-2-07-036024-6", "urn:isbn:978-2-07-036024-6",
                                     "ISBN 978 2 07 036024 6", "ISBN-13: 978–2–07–036024–6"])
def test_isbn13_is_read_however_written(written):
    assert parse_isbn(written).isbn13 == "9782070360246"


def test_isbn10_becomes_isbn13():
    assert parse_isbn("2-07-036024-5").isbn13 == "9782070360246"
    assert parse_isbn("0-8044-2957-X").isbn13 == "9780804429573"  # X is the check digit 10
    assert parse_isbn("9780804429573").isbn10 == "080442957X"
    assert parse_isbn("979-10-90648-52-4").isbn10 is None


@pytest.mark.parametrize(("written", "expected"), [("978-2-07-036024-5", "6"), ("2-07-036024-4", "5"),
                                                   ("0-8044-2957-1", "X")])
def test_wrong_check_digit_names_the_expected_one(written, expected):
    with pytest.raises(ValueError, match=f"check digit .*other digits give {expected}"):
        parse_isbn(written)


@pytest.mark.parametrize("written", ["978-2-07-03602", "977-2-07-036024-6", "978-2-O7-036024-6", ""])
def test_not_an_isbn(written):
    with pytest.raises(ValueError, match="ISBN"):
        parse_isbn(written)


@pytest.mark.parametrize(("digits", "hyphenated"), [
    ("9782070360246", "978-2-07-036024-6"),    # French group, Gallimard
    ("9780306406157", "978-0-306-40615-7"),    # English group
    ("9783161484100", "978-3-16-148410-0"),    # German group
    ("9791090648524", "979-10-90648-52-4"),    # 979-10, France's second prefix
])
def test_hyphenation_follows_the_registration_groups(digits, hyphenated):
    assert parse_isbn(digits).hyphenated == hyphenated


# ---- Barcode ------------------------------------------------------------------------------

# EAN-13 as the standard defines it, written out here to check the library's bars against.
_L = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011",
      "0110111", "0001011"]
_G = [code[::-1].translate(str.maketrans("01", "10")) for code in _L]
_R = [code.translate(str.maketrans("01", "10")) for code in _L]
_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL",
           "LGGLGL"]


def ean13_modules(digits: str) -> str:
    left = "".join((_L if p == "L" else _G)[int(d)] for p, d in zip(_PARITY[int(digits[0])], digits[1:7],
                                                                    strict=True))
    right = "".join(_R[int(d)] for d in digits[7:])
    return "101" + left + "01010" + right + "101"


def svg_modules(svg: bytes) -> str:
    root = ET.fromstring(svg)
    bars = [(float(r.get("x").removesuffix("mm")), float(r.get("width").removesuffix("mm")))
            for r in root.iter(f"{{{SVG_NS}}}rect") if r.get("x") is not None]
    module = min(width for _, width in bars)
    start = bars[0][0]
    modules = ["0"] * round((bars[-1][0] + bars[-1][1] - start) / module)
    for x, width in bars:
        first = round((x - start) / module)
        for i in range(first, first + round(width / module)):
            modules[i] = "1"
    return "".join(modules)


@pytest.mark.parametrize("isbn", ["9782070360246", "9780306406157", "9791090648524"])
def test_barcode_encodes_the_isbn(isbn):
    modules = svg_modules(ean13_svg(isbn))
    assert len(modules) == 95
    assert modules == ean13_modules(isbn)


def test_barcode_is_deterministic_and_clean():
    svg = ean13_svg("978-2-07-036024-6")
    assert svg == ean13_svg("9782070360246")
    assert b"<!--" not in svg and b"DOCTYPE" not in svg and b"\r" not in svg
    texts = [t.text for t in ET.fromstring(svg).iter(f"{{{SVG_NS}}}text")]
    assert "".join(texts).rstrip(">") == "9782070360246"


# ---- HTML -----------------------------------------------------------------------------------

def test_title_length_classes():
    assert title_length("Mutual Aid") == "short"
    assert title_length(SEED.title) == "medium"
    assert title_length(FIFTEEN_WORDS.title) == "long"
    assert title_length(FIFTEEN_WORDS.title + " Before the War, 1850–1914") == "very-long"
    assert title_length("Anticonstitutionnellement") == "extra-long"  # one word too long for large type
    assert description_length("x" * 100) == "short" and description_length("x" * 2000) == "long"


def test_html_escapes_metadata_and_sets_page_and_language():
    text = CoverText(title='<script>alert("x")</script> & Co', authors=("A <b>B</b>",), publisher="P&P",
                     lang='fr" onload="x')
    html = front_cover_html(text, (152.4, 228.6)).decode()
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "P&amp;P" in html
    assert 'lang="fr&quot; onload=&quot;x"' in html
    assert "@page { size: 152.4mm 228.6mm; margin: 0 }" in html
    assert '<link rel="stylesheet" href="styles/cover.css" />' in html


# ---- Drawing ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def files():
    return cover_files(STYLES, SEED.isbn)


@pytest.fixture(scope="module")
def seed_front(files):
    return draw_cover(front_cover_html(SEED, A5), files)


def letters(value: str) -> str:
    return "".join(c for c in value.casefold() if c.isalnum())


def assert_text_on_page(pdf: bytes, text: CoverText, trim: tuple[float, float]) -> None:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 1
        page = document.pages[0]
        assert page.width == pytest.approx(trim[0] * MM, abs=0.01)
        assert page.height == pytest.approx(trim[1] * MM, abs=0.01)
        for char in page.chars:
            assert char["x0"] >= 0 and char["x1"] <= page.width, char["text"]
            assert char["top"] >= 0 and char["bottom"] <= page.height, char["text"]
        shown = letters(page.extract_text())
    for piece in front_strings(text):
        assert letters(piece) in shown, piece
    assert unfit_text(pdf, front_strings(text)) == []


def test_front_cover_is_one_page_at_the_trim_with_its_text(seed_front):
    assert_text_on_page(seed_front, SEED, A5)


def test_template_draws_without_a_warning(files, caplog):
    full = CoverText(title="Le client", subtitle="Sous-titre", authors=("A", "B"), publisher="P", series="S",
                     series_position="2", description="Texte.", isbn=SEED.isbn, lang="fr")
    with caplog.at_level("WARNING", logger="weasyprint"):
        draw_cover(front_cover_html(full, A5), files)
        draw_cover(back_cover_html(full, A5), files)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_cover_uses_only_the_books_fonts(seed_front):
    with pikepdf.open(io.BytesIO(seed_front)) as pdf:
        fonts = {str(font.BaseFont) for font in pdf.pages[0].Resources.Font.values()}
    assert fonts and all("Charis-SIL" in name for name in fonts), fonts


@pytest.mark.parametrize("text", [FIFTEEN_WORDS, THREE_AUTHORS], ids=["fifteen-words", "three-authors"])
def test_long_titles_and_several_authors_fit(text, files):
    assert len(FIFTEEN_WORDS.title.split()) == 15
    for trim in (A5, (110.0, 178.0)):
        assert_text_on_page(draw_cover(front_cover_html(text, trim), files), text, trim)


def test_unfit_text_reports_what_falls_off_the_page(files):
    crowded = CoverText(title="Anthology", authors=tuple(f"Contributor Number {i}" for i in range(60)),
                        publisher="AutreFutur")
    pdf = draw_cover(front_cover_html(crowded, A5), files)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 1  # the first page, not what spilled over
    assert "AutreFutur" in unfit_text(pdf, front_strings(crowded))


def test_unfit_text_reports_text_drawn_over_text(files):
    squeezed = dict(files)
    squeezed["styles/cover.css"] = (files["styles/cover.css"][0] + b".front .title { line-height: 0.3; }",
                                    "text/css")
    pdf = draw_cover(front_cover_html(SEED, A5), squeezed)
    assert any("drawn over other text" in problem for problem in unfit_text(pdf, front_strings(SEED)))


def test_front_cover_in_one_call():
    cover = front_cover(THREE_AUTHORS, A5, STYLES)
    assert cover.problems == ()
    assert cover.pdf.startswith(b"%PDF-")


def test_back_cover_has_description_publisher_and_barcode(files):
    pdf = draw_cover(back_cover_html(SEED, A5), files)
    assert unfit_text(pdf, back_strings(SEED)) == []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 1
        assert document.pages[0].Resources.get("/XObject")  # the barcode, drawn as a form
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        bars = [r for r in page.rects if r["height"] > 15 * MM and r["width"] < 1.5 * MM]
        assert len(bars) >= 25
        assert min(r["x0"] for r in bars) > page.width / 2  # bottom right
        assert min(r["top"] for r in bars) > page.height * 2 / 3
        assert "978-2-07-036024-6" in page.extract_text()


def test_png_is_large_enough_and_the_same_every_time(seed_front, files):
    png = rasterise(seed_front)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.width >= 1600 and image.height >= 2560
        assert abs(image.height / image.width - 210 / 148) < 0.01
    assert rasterise(seed_front) == png
    assert draw_cover(front_cover_html(SEED, A5), files) == seed_front  # the PDF too
    ebook = draw_cover(front_cover_html(SEED, (100.0, 160.0)), files)
    with Image.open(io.BytesIO(rasterise(ebook))) as image:
        assert image.size == (1600, 2560)


# ---- What the drawing may read --------------------------------------------------------------

HOSTILE_CSS = b"""@import url(http://127.0.0.1:9/x.css);
.cover::after { content: url(file:///etc/passwd); }
.title::before { content: url(https://book.invalid/styles/../../etc/passwd); }"""


def test_fetcher_refuses_everything_but_the_given_files(files):
    hostile = dict(files)
    hostile["styles/cover.css"] = (HOSTILE_CSS + files["styles/cover.css"][0], "text/css")
    with pytest.raises(ValueError, match="refused") as refused:
        draw_cover(front_cover_html(SEED, A5), hostile)
    message = str(refused.value)
    assert "http://127.0.0.1:9/x.css" in message and "file:///etc/passwd" in message


def test_fetcher_refuses_an_image_in_the_html(files):
    html = front_cover_html(SEED, A5).replace(b"</body>", b'<img src="file:///etc/hostname" /></body>')
    with pytest.raises(ValueError, match="file:///etc/hostname"):
        draw_cover(html, files)


def test_fetcher_serves_only_its_keys():
    fetcher = CoverFetcher({"styles/cover.css": (b"", "text/css")})
    assert fetcher.fetch("https://book.invalid/styles/cover.css").read() == b""
    for url in ("https://book.invalid/styles/brochure.css", "file:///etc/passwd",
                "data:text/css,body{}", "http://127.0.0.1:9/x.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4


# ---- A cover image the user gives ------------------------------------------------------------

def image_bytes(size: tuple[int, int], fmt: str = "PNG", mode: str = "RGB", **options) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white" if mode != "CMYK" else (0, 0, 0, 0)).save(out, format=fmt, **options)
    return out.getvalue()


def test_a_good_cover_image_has_no_warning():
    assert check_cover_image(image_bytes((1810, 2568), "JPEG"), "cover.jpg", A5) == []  # 310 dpi at A5


def test_small_image_warns_for_ebook_and_print():
    found = check_cover_image(image_bytes((800, 1280)), "cover.png", A5)
    assert any("800 x 1280 px" in w and "1600 x 2560" in w for w in found)
    assert any(re.search(r"137 dpi at the trim size 148 x 210 mm.*1749 x 2481 px", w) for w in found)


def test_ebook_size_image_is_short_of_300_dpi_at_a5():
    found = check_cover_image(image_bytes((1600, 2560)), "cover.png", A5)
    assert any("275 dpi" in w for w in found)
    assert any("cuts 11%" in w and "top and bottom" in w for w in found)  # 1:1.6 on a 1:1.42 trim


def test_odd_shape_warns():
    found = check_cover_image(image_bytes((1000, 1000)), "cover.png", A5)
    assert any("height/width 1.00" in w for w in found)


def test_exif_rotation_counts():
    exif = Image.Exif()
    exif[0x0112] = 6  # shown turned a quarter: 2560 x 1600 stored is 1600 x 2560 shown
    found = check_cover_image(image_bytes((2560, 1600), "JPEG", exif=exif.tobytes()), "c.jpg", (100, 160))
    assert not any("height/width" in w for w in found)


def test_misnamed_and_cmyk_images_warn():
    found = check_cover_image(image_bytes((1810, 2568), "JPEG", mode="CMYK"), "cover.png", A5)
    assert any("a JPEG file named .png" in w for w in found)
    assert any("CMYK" in w for w in found)


@pytest.mark.parametrize("make", [lambda: image_bytes((16, 25), "GIF"), lambda: b"not an image at all",
                                  lambda: image_bytes((1600, 2560))[:200]], ids=["gif", "text", "truncated"])
def test_unusable_images_raise(make):
    with pytest.raises(ValueError, match="cover image cover"):
        check_cover_image(make(), "cover", A5)
