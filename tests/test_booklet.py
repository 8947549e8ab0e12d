"""The booklet: which page lands on which half of which side of which sheet, as printed."""

from __future__ import annotations

import io
import os

import pdfplumber
import pikepdf
import pytest
import weasyprint

from brochure.core.paper import POINTS_PER_MM
from brochure.pdf.booklet import SADDLE_STITCH_MAX_PAGES, impose_booklet, reading_order, sheet_sides

A5 = (419.53, 595.28)
A4_LANDSCAPE = (841.89, 595.28)


def numbered_pages(count: int, page_css: str = "") -> bytes:
    """An A5 PDF whose page i shows only the label 'Pi' in its middle."""
    pages = "".join(f'<p style="break-before: page">P{i}</p>' for i in range(1, count + 1))
    css = f"@page {{ size: A5; margin: 0; {page_css} }} p {{ margin: 280pt 0 0; text-align: center }}"
    return weasyprint.HTML(string=f"<html><body>{pages}</body></html>").write_pdf(
        stylesheets=[weasyprint.CSS(string=css)])


def halves(pdf: bytes) -> list[tuple[str, str]]:
    """The text on the left and on the right half of every printed side."""
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for side in document.pages:
            middle = side.width / 2
            left = side.crop((0, 0, middle, side.height)).extract_text() or ""
            right = side.crop((middle, 0, side.width, side.height)).extract_text() or ""
            found.append((left.strip(), right.strip()))
    return found


@pytest.fixture(scope="module")
def eight() -> bytes:
    return numbered_pages(8)


@pytest.fixture(scope="module")
def thirteen() -> bytes:
    return numbered_pages(13)


def test_eight_pages_fold_into_two_sheets_of_a4(eight):
    booklet = impose_booklet(eight)
    assert (booklet.pages, booklet.blanks, booklet.sheets) == (8, 0, 2)
    with pikepdf.open(io.BytesIO(booklet.data)) as pdf:
        assert len(pdf.pages) == 4  # two sheets, printed on both sides
        for side in pdf.pages:
            box = [float(v) for v in side.MediaBox]
            assert box[2] - box[0] == pytest.approx(A4_LANDSCAPE[0], abs=0.1)
            assert box[3] - box[1] == pytest.approx(A4_LANDSCAPE[1], abs=0.1)
    assert halves(booklet.data) == [("P8", "P1"), ("P2", "P7"), ("P6", "P3"), ("P4", "P5")]


def test_thirteen_pages_are_padded_with_three_blank_pages_at_the_end(thirteen):
    booklet = impose_booklet(thirteen)
    assert (booklet.pages, booklet.blanks, booklet.sheets) == (16, 3, 4)
    assert halves(booklet.data) == [
        ("", "P1"), ("P2", ""),  # the outer sheet: pages 16 and 15 are blank
        ("", "P3"), ("P4", "P13"),  # page 14 is blank
        ("P12", "P5"), ("P6", "P11"),
        ("P10", "P7"), ("P8", "P9"),
    ]


def test_with_a_back_cover_the_blank_pages_go_before_it(thirteen):
    booklet = impose_booklet(thirteen, back_cover=True)
    assert booklet.blanks == 3
    assert halves(booklet.data) == [
        ("P13", "P1"), ("P2", ""),  # the back cover stays the last page
        ("", "P3"), ("P4", ""),
        ("P12", "P5"), ("P6", "P11"),
        ("P10", "P7"), ("P8", "P9"),
    ]


def test_pages_with_bleed_and_crop_marks_impose_from_their_trim_box():
    source = numbered_pages(8, "bleed: 9mm; marks: crop;")
    with pikepdf.open(io.BytesIO(source)) as pdf:  # the source is larger than its trim box
        assert float(pdf.pages[0].MediaBox[2]) - float(pdf.pages[0].MediaBox[0]) > A5[0] + 40
    booklet = impose_booklet(source)
    assert halves(booklet.data) == [("P8", "P1"), ("P2", "P7"), ("P6", "P3"), ("P4", "P5")]
    with pikepdf.open(io.BytesIO(booklet.data)) as pdf:
        side = pdf.pages[0]
        assert float(side.MediaBox[2]) == pytest.approx(A4_LANDSCAPE[0], abs=0.1)
        for form in side.Resources.XObject.values():  # each page clipped to its trim box
            x0, y0, x1, y1 = (float(v) for v in form.BBox)
            assert (x1 - x0, y1 - y0) == pytest.approx(A5, abs=0.1)
    # The crop marks of the source lie outside its trim box: they are clipped away, and the
    # sheet stays white along its edges, where they would show.
    import pypdfium2

    document = pypdfium2.PdfDocument(booklet.data)
    image = document[0].render(scale=2).to_pil().convert("L")
    document.close()
    width, height = image.size
    band = int(5 * POINTS_PER_MM * 2)
    assert image.crop((0, 0, width, band)).getextrema()[0] > 250
    assert image.crop((0, height - band, width, height)).getextrema()[0] > 250


def test_creep_moves_inner_sheets_toward_the_fold(thirteen):
    plain = impose_booklet(thirteen).data
    creep_mm = 0.5
    crept = impose_booklet(thirteen, creep_mm=creep_mm).data

    def label_x(pdf: bytes, side: int, label: str) -> float:
        with pdfplumber.open(io.BytesIO(pdf)) as document:
            words = document.pages[side].extract_words()
        return next(w["x0"] for w in words if w["text"] == label)

    step = creep_mm * POINTS_PER_MM
    # Outermost sheet (side 0): no shift. Innermost sheet (sides 6, 7): three steps.
    assert label_x(crept, 0, "P1") == pytest.approx(label_x(plain, 0, "P1"), abs=0.01)
    assert label_x(crept, 6, "P10") - label_x(plain, 6, "P10") == pytest.approx(3 * step, abs=0.05)
    assert label_x(crept, 6, "P7") - label_x(plain, 6, "P7") == pytest.approx(-3 * step, abs=0.05)
    assert label_x(crept, 2, "P3") - label_x(plain, 2, "P3") == pytest.approx(-step, abs=0.05)


def test_thick_booklets_are_warned_about():
    pdf = pikepdf.new()
    for _ in range(SADDLE_STITCH_MAX_PAGES + 2):
        pdf.add_blank_page(page_size=A5)
    out = io.BytesIO()
    pdf.save(out)
    booklet = impose_booklet(out.getvalue())
    assert booklet.pages == 68 and booklet.sheets == 17
    [warning] = booklet.diagnostics
    assert warning.level == "warning" and "68 pages" in warning.message
    assert "signatures" in warning.hint


def test_reading_order_and_sides():
    assert reading_order(5, back_cover=False) == [0, 1, 2, 3, 4, None, None, None]
    assert reading_order(5, back_cover=True) == [0, 1, 2, 3, None, None, None, 4]
    assert reading_order(2, back_cover=False) == [0, 1, None, None]
    assert sheet_sides(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]
    for total in (4, 8, 12, 16, 64):  # every position printed exactly once
        printed = [p for side in sheet_sides(total) for p in side]
        assert sorted(printed) == list(range(total))


def test_the_booklet_of_a_real_pamphlet_matches_its_pdf(manifesto):
    """End to end: book.yaml asks for the booklet; each half shows the right page (checked on
    the outer, a middle and the inner sheet)."""
    assert manifesto.booklet.name == "the-communist-manifesto-booklet.pdf"
    with pikepdf.open(manifesto.pdf) as pdf:
        count = len(pdf.pages)
    total = -(-count // 4) * 4
    positions = sheet_sides(total)
    with pdfplumber.open(manifesto.pdf) as pdf, pdfplumber.open(manifesto.booklet) as booklet:
        assert len(booklet.pages) == total // 2

        def page_text(position: int) -> str:
            return " ".join((pdf.pages[position].extract_text() or "").split()) if position < count else ""

        for index in (0, 1, total // 4, total // 4 + 1, total // 2 - 2, total // 2 - 1):
            side = booklet.pages[index]
            middle = side.width / 2
            left = side.crop((0, 0, middle, side.height)).extract_text() or ""
            right = side.crop((middle, 0, side.width, side.height)).extract_text() or ""
            assert " ".join(left.split()) == page_text(positions[index][0]), index
            assert " ".join(right.split()) == page_text(positions[index][1]), index


@pytest.mark.parametrize(("trim", "paper"), [
    ("A5", "A4"), ("A6", "A5"), ("A4", "A3"), ("half-letter", "letter"), ("letter", "tabloid"),
])
def test_each_trim_size_goes_on_the_sheet_twice_its_size(trim, paper):
    from brochure.core.paper import NAMED_SIZES
    from brochure.pdf.booklet import SHEETS, sheet_size

    assert sheet_size(*NAMED_SIZES[trim.lower()].points) == SHEETS[paper]


def test_a_custom_trim_size_goes_on_a_sheet_of_exactly_two_pages():
    from brochure.pdf.booklet import sheet_size

    assert sheet_size(300.0, 500.0) == (600.0, 500.0)


def test_the_command_reports_the_padding_and_writes_only_the_booklet(tmp_path):
    import subprocess
    import sys

    from conftest import EPOCH, FIXTURES, ROOT

    done = subprocess.run(
        [sys.executable, "-m", "brochure", "build", str(FIXTURES / "two-chapters"), "--out",
         str(tmp_path), "--format", "booklet"],
        cwd=ROOT, capture_output=True, text=True, env={"SOURCE_DATE_EPOCH": EPOCH, "PATH": "/usr/bin:/bin",
                               "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]})
    assert done.returncode == 0, done.stderr
    # Six pages, and the front cover with its blank inside: two full sheets.
    assert f"wrote {tmp_path / 'two-chapters-booklet.pdf'} (8 pages on 2 sheets, " \
           "0 blank pages added" in done.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["two-chapters-booklet.pdf"]
