"""Page setup as a reader of the printed pamphlet sees it: trim size, mirrored margins, page
numbers on the outer corner, running heads, front matter, the printed table of contents."""

from __future__ import annotations

import re
from collections import Counter

import pdfplumber
import pikepdf
import pytest
from click.testing import CliRunner
from conftest import build_fixture
from helpers import NS, Epub, cover_pages, pdf_destinations, text_of

from brochure.cli import main
from brochure.core.diagnostics import BrochureError
from brochure.core.paper import POINTS_PER_MM, parse_trim

TITLE = "The Communist Manifesto"
CHAPTERS = [
    "Preface", "Introduction", "I: Bourgeois and Proletarians", "II: Proletarians and Communists",
    "III: Socialist and Communist Literature",
    "IV: Position of the Communists in Relation to the Various Existing Opposition Parties",
]
HEAD_BAND = 45  # points from the top edge: the running head, above the text
FOOT_BAND = 45  # points from the bottom edge: the page number


def band(page, top: float, bottom: float, left: float = 0, right: float | None = None) -> str:
    right = page.width if right is None else right
    return " ".join((page.crop((left, top, right, bottom)).extract_text() or "").split())


def line_start(chars) -> float | None:
    """Where the text block of a page begins: the leftmost start of a line that at least two
    lines share (first-line indents, list items and their numbers start further right; a page
    may hold more list lines than plain ones)."""
    starts: dict[float, float] = {}
    for char in chars:
        top = round(char["top"])
        starts[top] = min(starts.get(top, char["x0"]), char["x0"])
    if not starts:
        return None
    counts = Counter(round(x, 1) for x in starts.values())
    shared = [x for x, count in counts.items() if count >= 2]
    return min(shared) if shared else counts.most_common(1)[0][0]


@pytest.fixture(scope="module")
def pages(manifesto):
    """(index, head, foot-left, foot-right, whole text, body chars) of every page of the book
    (the covers aside: ``index`` is the printed number less one)."""
    rows = []
    covers = cover_pages(manifesto.pdf)
    with pdfplumber.open(manifesto.pdf) as pdf:
        for index, page in enumerate(pdf.pages[covers:]):
            width, height = page.width, page.height
            body = [c for c in page.chars
                    if HEAD_BAND < c["top"] < height - FOOT_BAND and c["size"] > 10]
            rows.append({
                "index": index,
                "size": (width, height),
                "head": band(page, 0, HEAD_BAND),
                "foot_left": band(page, height - FOOT_BAND, height, 0, width / 2),
                "foot_right": band(page, height - FOOT_BAND, height, width / 2),
                "text": " ".join((page.extract_text() or "").split()),
                "body_x0": line_start(body),
                "body_x1": max((c["x1"] for c in body), default=None),
            })
    return rows


@pytest.fixture(scope="module")
def openings(manifesto) -> dict[int, str]:
    """Page index -> title of the part that opens there."""
    covers = cover_pages(manifesto.pdf)
    destinations = {name: index - covers for name, index in pdf_destinations(manifesto.pdf).items()}
    found = {destinations[f"chapter-{n}"]: title for n, title in enumerate(CHAPTERS, start=1)}
    found[destinations["notes"]] = "Notes"
    return found


def test_pages_are_a5_by_default(pages):
    for page in pages:
        assert page["size"] == pytest.approx((419.53, 595.28), abs=0.1)


def test_chapters_open_on_right_hand_pages_after_a_blank_page(pages, openings):
    assert len(openings) == len(CHAPTERS) + 1
    for index in openings:
        assert index % 2 == 0, f"page {index + 1} is a left-hand page"
    blanks = [p["index"] for p in pages if not p["text"]]
    assert blanks, "some chapter needed a blank page to start on the right"
    for index in blanks:  # a blank page (no running head, no number) comes before an opening
        assert index + 1 in openings


def test_margins_mirror_on_left_and_right_pages(pages, openings):
    inner, outer = 148 * 0.10 * POINTS_PER_MM, 148 * 0.13 * POINTS_PER_MM
    text_pages = [p for p in pages if p["body_x0"] is not None and p["index"] >= 4]
    left = [p for p in text_pages if p["index"] % 2 == 1]
    right = [p for p in text_pages if p["index"] % 2 == 0]
    assert left and right
    for page in left:  # the outer margin is on the left of a left-hand page
        assert page["body_x0"] == pytest.approx(outer, abs=1.5), page["index"]
    for page in right:
        assert page["body_x0"] == pytest.approx(inner, abs=1.5), page["index"]
    full_lines = [p for p in right if p["index"] not in openings]
    assert max(p["body_x1"] for p in full_lines) == pytest.approx(419.53 - outer, abs=1.5)


def test_page_numbers_sit_on_the_outer_corner(pages):
    for page in pages[4:]:
        if not page["text"]:
            continue
        number = str(page["index"] + 1)
        if page["index"] % 2 == 1:
            assert page["foot_left"] == number and page["foot_right"] == ""
        else:
            assert page["foot_right"] == number and page["foot_left"] == ""


def test_front_matter_pages_carry_no_number_and_no_running_head(pages):
    for page in pages[:4]:
        assert page["head"] == ""
        assert not re.search(r"\d+$", page["foot_left"] + page["foot_right"])


def test_running_heads_book_title_left_chapter_title_right_none_on_openings(pages, openings):
    current = None
    checked = {"left": 0, "right": 0}
    for page in pages[4:]:
        index = page["index"]
        if index in openings:
            current = openings[index]
            # No running head above the chapter's own heading.
            assert page["head"] == "", index
            assert current.split(":")[0] in page["text"][:12]  # (a note number may come first)
            continue
        if not page["text"]:
            assert page["head"] == ""
            continue
        if index % 2 == 1:
            assert page["head"] == TITLE, index
            checked["left"] += 1
        else:
            assert page["head"] == current, index
            checked["right"] += 1
    assert checked["left"] > 10 and checked["right"] > 10


def test_printed_contents_give_the_pages_where_chapters_start(manifesto, pages, openings):
    contents = next(p for p in pages if p["text"].startswith("Contents"))
    assert contents["index"] == 2  # title page, imprint, contents
    with pdfplumber.open(manifesto.pdf) as pdf:
        lines = (pdf.pages[contents["index"] + cover_pages(manifesto.pdf)].extract_text()
                 or "").splitlines()
    numbers = [int(m.group(1)) for line in lines if (m := re.search(r"[ .](\d+)$", line))]
    assert numbers == [index + 1 for index in sorted(openings)]
    for title in CHAPTERS[:5]:
        assert title in contents["text"]


def test_title_page_and_imprint(pages):
    title, imprint = pages[0]["text"], pages[1]["text"]
    assert title.startswith(TITLE) and "Karl Marx and Friedrich Engels" in title
    assert "Test Press" in title
    assert "Test Press, 1888" in imprint
    assert "Public domain in the United States" in imprint


def test_epub_has_the_imprint_and_a_contents_page_that_links_every_chapter(manifesto):
    epub = Epub.open(manifesto.epub)
    assert list(epub.documents)[:4] == ["cover.xhtml", "titlepage.xhtml", "imprint.xhtml",
                                        "contents.xhtml"]
    imprint = epub.documents["imprint.xhtml"]
    section = imprint.find(".//h:section", NS)
    assert section.get("{http://www.idpf.org/2007/ops}type") == "copyright-page"
    assert "Public domain in the United States" in text_of(section)
    links = epub.documents["contents.xhtml"].findall(".//h:a", NS)
    assert [text_of(a) for a in links] == [*CHAPTERS, "Notes"]
    ids = epub.ids()
    for link in links:
        assert epub.resolve("contents.xhtml", link.get("href")) in ids


def test_epubcheck_reports_nothing_for_the_pamphlet(manifesto_epubcheck):
    assert manifesto_epubcheck == []


def test_book_yaml_formats_choose_the_outputs(manifesto):
    assert sorted(manifesto.result.outputs) == ["booklet", "epub", "pdf"]
    assert manifesto.result.details["booklet"][0].endswith("sheets")


@pytest.mark.parametrize(("trim", "points"), [
    ("A6", (297.64, 419.53)), ("5x8in", (360.0, 576.0)),
    pytest.param("half-letter", (396.0, 612.0), marks=pytest.mark.slow),
    pytest.param("120x180mm", (340.16, 510.24), marks=pytest.mark.slow),
])
def test_trim_size_from_settings(tmp_path, epoch_env, trim, points):
    from conftest import FIXTURES

    built = build_fixture(FIXTURES / "two-chapters", tmp_path, formats=("pdf",),
                          settings={"trim": parse_trim(trim)})
    with pikepdf.open(built.pdf) as pdf:
        for page in pdf.pages:
            box = [float(v) for v in page.MediaBox]
            assert (box[2] - box[0], box[3] - box[1]) == pytest.approx(points, abs=0.1)


def test_trim_in_book_yaml_and_on_the_command_line(project, tmp_path, epoch_env):
    (project / "book.yaml").write_text((project / "book.yaml").read_text() + "trim: A6\n")
    for options, width in (((), 297.64), (("--trim", "A4"), 595.28)):
        done = CliRunner().invoke(main, ["build", str(project), "--out", str(tmp_path),
                                         "--format", "pdf", *options])
        assert done.exit_code == 0, done.output
        with pikepdf.open(tmp_path / "two-chapters.pdf") as pdf:
            assert float(pdf.pages[0].MediaBox[2]) == pytest.approx(width, abs=0.1)


@pytest.mark.parametrize(("line", "message"), [
    ("trim: B7", "'trim' must be one of A6, A5, A4, letter, half-letter"),
    ("trim: 10x900mm", "between 50 and 420 mm"),
    ("print: laser", "'print' must be one of office, shop"),
    ("bleed: 30mm", "'bleed' must be at most 10 mm"),
    ("pdf-x: x-2", "'pdf-x' must be one of x-1a, x-3, x-4"),
    ("chapters-on-recto: yes please", "'chapters-on-recto' must be true or false"),
    ("formats: [epub, mobi]", "'formats' must be one of epub, pdf, booklet, not 'mobi'"),
])
def test_bad_print_settings_are_errors_at_their_line(project, tmp_path, line, message):
    text = (project / "book.yaml").read_text()
    (project / "book.yaml").write_text(text + line + "\n")
    with pytest.raises(BrochureError) as caught:
        build_fixture(project, tmp_path)
    [diagnostic] = caught.value.diagnostics
    assert message in diagnostic.message
    if not line.startswith("formats"):
        assert diagnostic.location.path.name == "book.yaml"
        assert diagnostic.location.line == text.count("\n") + 1


def test_long_words_and_urls_wrap_inside_the_margins(project, tmp_path, epoch_env):
    url = "https://example.org/" + "a-very-long-path-segment/" * 8 + "end"
    word = "Donaudampfschifffahrtsgesellschaftskapitän" * 2
    chapter = project / "one.md"
    chapter.write_text(chapter.read_text() + f"\nSee <{url}> and {word}.\n\n- In a list: <{url}>\n")
    built = build_fixture(project, tmp_path / "out", formats=("pdf",))
    with pdfplumber.open(built.pdf) as pdf:
        for page in pdf.pages:
            for char in page.chars:
                assert char["x0"] > 0 and char["x1"] < page.width - 30, (page.page_number, char["text"])
        text = "".join(p.extract_text() for p in pdf.pages).replace("\n", "")
    assert "a-very-long-path-segment/end" in text


def test_printed_contents_are_not_a_pdf_bookmark(manifesto):
    with pikepdf.open(manifesto.pdf) as pdf, pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
    assert "Contents" not in titles
    assert titles == [TITLE, *CHAPTERS, "Notes"]  # "I: Bourgeois and Proletarians" calls note 3
