"""The print-shop PDF (`print: shop`): boxes, crop marks, PDF/X output intent, CMYK, and a
file that qpdf finds clean; its EPUB stays valid."""

from __future__ import annotations

import functools
import io
import shutil
import subprocess

import pdfplumber
import pikepdf
import pytest
from conftest import FIXTURES, ROOT, build_fixture
from helpers import pdf_fonts

from brochure.core.diagnostics import BrochureError
from brochure.core.paper import POINTS_PER_MM

A5 = (419.53, 595.28)
BLEED = 3 * POINTS_PER_MM


def sheet_edges_are_white(path, sheet_side: int, halves: tuple[int, ...]) -> bool:
    """True when no ink is printed within 5 mm of the top and bottom edges of these halves
    (0: left, 1: right) of a side of the booklet's sheets."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    image = document[sheet_side].render(scale=2).to_pil().convert("L")
    document.close()
    band = int(5 * POINTS_PER_MM * 2)
    width, height = image.size
    for half in halves:
        left, right = half * width // 2, (half + 1) * width // 2
        for top in (0, height - band):
            if image.crop((left, top, right, top + band)).getextrema()[0] <= 250:
                return False
    return True


def has_ink(image, media: list[float], scale: float,
            x0: float, y0: float, x1: float, y1: float) -> bool:
    """Any dark pixel of a rendered page in this rectangle of PDF coordinates?"""
    box = (int((x0 - media[0]) * scale), int((media[3] - y1) * scale),
           int((x1 - media[0]) * scale) + 1, int((media[3] - y0) * scale) + 1)
    return image.crop(box).getextrema()[0] < 128


def boxes(page) -> dict[str, list[float]]:
    return {name: [float(v) for v in page.obj[f"/{name}"]]
            for name in ("MediaBox", "TrimBox", "BleedBox")}


def test_trim_box_is_the_trim_size_and_bleed_box_three_millimetres_beyond(shop):
    with pikepdf.open(shop.pdf) as pdf:
        assert len(pdf.pages) == shop.result.pages
        for page in pdf.pages:
            box = boxes(page)
            x0, y0, x1, y1 = box["TrimBox"]
            assert (x1 - x0, y1 - y0) == pytest.approx(A5, abs=0.01)
            assert box["BleedBox"] == pytest.approx([x0 - BLEED, y0 - BLEED, x1 + BLEED, y1 + BLEED],
                                                    abs=0.01)
            # Room for the crop marks beyond the bleed.
            mx0, my0, mx1, my1 = box["MediaBox"]
            assert x0 - mx0 > BLEED + 10 and mx1 - x1 > BLEED + 10
            assert y0 - my0 > BLEED + 10 and my1 - y1 > BLEED + 10


def test_crop_marks_are_drawn_outside_the_bleed(shop):
    """Rendered, each corner of every page (the covers and the inside of the cover too) has
    its two marks in line with the trim edges, beyond the bleed; nothing is drawn in the ring
    between the trim box and the bleed box but the front cover's full bleed."""
    import pypdfium2

    scale = 2
    with pikepdf.open(shop.pdf) as pdf:
        media = [float(v) for v in pdf.pages[0].MediaBox]
        assert [page.label for page in pdf.pages][:3] == ["Cover", "Cover", "1"]
    document = pypdfium2.PdfDocument(str(shop.pdf))
    try:
        images = [document[index].render(scale=scale).to_pil().convert("L")
                  for index in range(len(document))]
    finally:
        document.close()
    for index, image in enumerate(images):
        ink = functools.partial(has_ink, image, media, scale)

        beyond = BLEED + 1  # from the trim edge, past the bleed
        for x in (0, A5[0]):
            for y in (0, A5[1]):
                out_x = -1 if x == 0 else 1
                out_y = -1 if y == 0 else 1
                # The horizontal mark, level with the trim edge y, out beyond the bleed.
                left, right = sorted((x + out_x * beyond, x + out_x * (beyond + 6)))
                assert ink(left, y - 1, right, y + 1), (index, x, y)
                # The vertical mark, in line with the trim edge x.
                lows, highs = sorted((y + out_y * beyond, y + out_y * (beyond + 6)))
                assert ink(x - 1, lows, x + 1, highs), (index, x, y)
        if index == 0:
            continue  # the front cover is full bleed: it fills the ring on purpose
        # The bleed ring (between trim and bleed) is empty: no mark reaches into it.
        assert not ink(-BLEED + 0.5, -BLEED + 0.5, -0.5, A5[1] + BLEED - 0.5)
        assert not ink(A5[0] + 0.5, -BLEED + 0.5, A5[0] + BLEED - 0.5, A5[1] + BLEED - 0.5)
        assert not ink(-BLEED + 0.5, A5[1] + 0.5, A5[0] + BLEED - 0.5, A5[1] + BLEED - 0.5)
        assert not ink(-BLEED + 0.5, -BLEED + 0.5, A5[0] + BLEED - 0.5, -0.5)


def test_pdf_x4_with_a_cmyk_output_intent(shop):
    shipped = (ROOT / "styles/profiles/ghostscript-default-cmyk.icc").read_bytes()
    with pikepdf.open(shop.pdf) as pdf:
        assert pdf.pdf_version == "1.6"
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "Artifex CMYK SWOP Profile"
        assert intent.DestOutputProfile.N == 4
        assert intent.DestOutputProfile.read_bytes() == shipped
        assert pdf.docinfo["/Trapped"] == "/False"
        with pdf.open_metadata() as xmp:
            assert xmp["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"


def test_no_rgb_colour_is_left_in_the_pages(shop):
    """Text in black ink only; WeasyPrint's RGB black of the crop marks rewritten as CMYK."""
    found = set()
    with pikepdf.open(shop.pdf) as pdf:
        for page in pdf.pages:
            holders = [page, *(x for x in page.Resources.get("/XObject", {}).values()
                               if x.get("/Subtype") == "/Form")]
            for holder in holders:
                for operands, operator in pikepdf.parse_content_stream(holder):
                    if str(operator) in ("rg", "RG", "k", "K", "scn", "SCN"):
                        found.add((str(operator), tuple(float(v) for v in operands)))
    assert not {op for op, _ in found} & {"rg", "RG"}
    assert ("k", (0, 0, 0, 1)) in found or ("scn", (0, 0, 0, 1)) in found


def test_fonts_are_embedded(shop):
    fonts = pdf_fonts(shop.pdf)
    assert fonts and all(embedded for _, embedded in fonts)


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_qpdf_finds_the_pdf_and_the_booklet_clean(shop):
    for path in (shop.pdf, shop.booklet):
        done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "No syntax or stream encoding errors" in done.stdout
        assert "WARNING" not in done.stdout + done.stderr


def test_the_booklet_of_the_shop_pdf_imposes_trimmed_pages_on_a4(shop):
    with pdfplumber.open(shop.pdf) as pdf:
        pages = [" ".join((p.extract_text() or "").split()) for p in pdf.pages]
    assert len(pages) == 8  # the cover, its blank inside, six pages: no padding
    with pdfplumber.open(shop.booklet) as booklet:
        assert len(booklet.pages) == 4
        first = booklet.pages[0]
        assert (first.width, first.height) == pytest.approx((841.89, 595.28), abs=0.01)
        middle = first.width / 2
        left = first.crop((0, 0, middle, first.height)).extract_text() or ""
        assert " ".join(left.split()) == pages[7]  # the last page
        right = first.crop((middle, 0, first.width, first.height)).extract_text() or ""
        assert " ".join(right.split()) == pages[0]  # the front cover
    # The crop marks, outside each page's trim box, are clipped away: each sheet is white
    # along its top and bottom edges, where they would show, but for the front cover, whose
    # colours fill its trim box. Sides of 8 pages: 8|1, 2|7, 6|3, 4|5; the cover is page 1.
    sides = [(7, 0), (1, 6), (5, 2), (3, 4)]
    for side, pages_on_it in enumerate(sides):
        halves = tuple(half for half, page in enumerate(pages_on_it) if page != 0)
        assert sheet_edges_are_white(shop.booklet, side, halves), side
    assert not sheet_edges_are_white(shop.booklet, 0, (1,))  # the test sees ink where it is
    assert shop.result.details["booklet"] == ["8 pages on 2 sheets", "0 blank pages added"]


def test_the_epub_carries_the_same_page_setup(shop, two_chapters):
    """The shop's EPUB is the office's but for the page setup it carries (EPUBCheck passes the
    office's; the shop's is checked too under -m slow)."""
    import zipfile

    with zipfile.ZipFile(shop.epub) as epub, zipfile.ZipFile(two_chapters.epub) as office:
        css = epub.read("EPUB/styles/page-setup.css").decode()
        names = epub.namelist()
        assert names == office.namelist()
        differing = [name for name in names if epub.read(name) != office.read(name)]
    assert differing == ["EPUB/styles/page-setup.css"]
    assert "bleed: 9mm;" in css and "marks: crop;" in css
    assert not [name for name in names if name.endswith(".icc")]


@pytest.mark.slow
def test_the_shops_epub_stays_valid(shop_epubcheck):
    assert shop_epubcheck == []


def test_shop_outputs_are_reproducible(shop, tmp_path):
    again = build_fixture(FIXTURES / "two-chapters", tmp_path, formats=("pdf", "booklet"),
                          settings={"print_mode": "shop"})
    assert again.pdf.read_bytes() == shop.pdf.read_bytes()
    assert again.booklet.read_bytes() == shop.booklet.read_bytes()


def _with_image(project, mode: str) -> None:
    from PIL import Image

    image = Image.new(mode, (40, 30), (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30))
    image.save(project / "figure.png")
    chapter = project / "one.md"
    chapter.write_text(chapter.read_text() + "\n![A red figure](figure.png)\n")


def test_pdf_x1a_refuses_a_transparent_rgb_image(project, tmp_path, epoch_env):
    _with_image(project, "RGBA")
    (project / "book.yaml").write_text((project / "book.yaml").read_text() + "print: shop\npdf-x: x-1a\n")
    with pytest.raises(BrochureError) as caught:
        build_fixture(project, tmp_path / "out")
    messages = [d.message for d in caught.value.diagnostics]
    assert any("PDF/X-1A forbids transparency" in m for m in messages), messages
    assert any("only CMYK or grey images" in m for m in messages), messages
    assert all(d.location.path.name == "figure.png" for d in caught.value.diagnostics)
    assert not (tmp_path / "out").exists()


def test_pdf_x4_takes_an_rgb_image_with_a_warning(project, tmp_path, epoch_env):
    _with_image(project, "RGB")
    (project / "book.yaml").write_text((project / "book.yaml").read_text() + "print: shop\n")
    built = build_fixture(project, tmp_path, formats=("pdf",))
    warnings = [d for d in built.report.diagnostics if d.level == "warning"]
    assert any("RGB image" in d.message and d.location.path.name == "figure.png" for d in warnings)
    with pikepdf.open(built.pdf) as pdf:
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFX"


def test_print_profile_must_be_a_cmyk_icc_profile_of_the_manuscript(project, tmp_path, epoch_env):
    import weasyprint

    srgb = (weasyprint.__file__.rsplit("/", 1)[0]) + "/pdf/sRGB2014.icc"
    shutil.copy(srgb, project / "srgb.icc")
    yaml = (project / "book.yaml").read_text() + "print: shop\n"
    (project / "book.yaml").write_text(yaml + "print-profile: srgb.icc\n")
    with pytest.raises(BrochureError) as caught:
        build_fixture(project, tmp_path, formats=("pdf",))
    assert "is not a CMYK profile" in str(caught.value)

    (project / "book.yaml").write_text(yaml + "print-profile: ../outside.icc\n")
    with pytest.raises(BrochureError) as caught:
        build_fixture(project, tmp_path, formats=("pdf",))
    assert "outside the project" in str(caught.value)

    shutil.copy(ROOT / "styles/profiles/ghostscript-default-cmyk.icc", project / "press.icc")
    (project / "book.yaml").write_text(yaml + "print-profile: press.icc\n")
    built = build_fixture(project, tmp_path, formats=("pdf",))
    with pikepdf.open(built.pdf) as pdf:
        profile = pdf.Root.OutputIntents[0].DestOutputProfile
        assert profile.read_bytes() == (project / "press.icc").read_bytes()


def test_office_pdf_has_no_bleed_marks_or_output_intent(two_chapters):
    with pikepdf.open(two_chapters.pdf) as pdf:
        assert "/OutputIntents" not in pdf.Root
        box = boxes(pdf.pages[0])
        assert box["MediaBox"] == pytest.approx([0, 0, *A5], abs=0.01)
    with pdfplumber.open(io.BytesIO(two_chapters.pdf.read_bytes())) as pdf:
        assert pdf.pages[0].lines == []


@pytest.fixture(scope="module")
def shop_x1a(tmp_path_factory, epoch_env):
    return build_fixture(FIXTURES / "two-chapters", tmp_path_factory.mktemp("x1a"), formats=("pdf",),
                         settings={"print_mode": "shop", "pdf_x": "pdf/x-1a"})


def test_pdf_x1a_has_nothing_translucent_and_keeps_its_crop_marks(shop_x1a):
    with pikepdf.open(shop_x1a.pdf) as pdf:
        assert pdf.pdf_version == "1.4"
        assert str(pdf.docinfo["/GTS_PDFXVersion"]) == "PDF/X-1a:2003"
        assert pdf.Root.OutputIntents[0].DestOutputProfile.N == 4
        media = [float(v) for v in pdf.pages[0].MediaBox]
        for page in pdf.pages:
            holders = [page, *page.Resources.get("/XObject", {}).values()]
            for holder in holders:
                resources = page.Resources if holder is page else holder.get("/Resources", {})
                for state in resources.get("/ExtGState", {}).values():
                    assert float(state.get("/ca", 1)) == 1 and float(state.get("/CA", 1)) == 1
                    assert "/SMask" not in state
                operators = {str(op) for _, op in pikepdf.parse_content_stream(holder)}
                assert not operators & {"rg", "RG"}
        first = [page.label for page in pdf.pages].index("1")
    import pypdfium2

    document = pypdfium2.PdfDocument(str(shop_x1a.pdf))
    for index in (0, first):  # the front cover's marks, and the book's
        image = document[index].render(scale=2).to_pil().convert("L")
        # The top-left horizontal crop mark, level with the trim's top edge, beyond the bleed.
        assert has_ink(image, media, 2, -BLEED - 7, A5[1] - 1, -BLEED - 1, A5[1] + 1), index
    document.close()


def test_pdf_x1a_refuses_translucent_styles(project, tmp_path, epoch_env):
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    with (styles / "brochure.css").open("a") as css:
        css.write("\nh1 { opacity: 0.5; }\n")
    (project / "book.yaml").write_text((project / "book.yaml").read_text() + "print: shop\npdf-x: x-1a\n")
    with pytest.raises(BrochureError) as caught:
        build_fixture(project, tmp_path / "out", styles_dir=styles)
    assert "PDF/X-1A forbids transparency" in str(caught.value)
    assert not (tmp_path / "out").exists()


def test_print_profile_that_is_not_an_icc_file_is_refused(project, tmp_path, epoch_env):
    (project / "press.icc").write_bytes(b"not a profile" * 10)
    (project / "book.yaml").write_text((project / "book.yaml").read_text()
                                       + "print: shop\nprint-profile: press.icc\n")
    with pytest.raises(BrochureError) as caught:
        build_fixture(project, tmp_path / "out", formats=("pdf",))
    assert "is not an ICC profile" in str(caught.value)
