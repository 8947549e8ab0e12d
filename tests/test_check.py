"""brochure check: what an author is told before print, at the line and column of the text."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import ROOT
from PIL import Image

from brochure import cli
from brochure.core.diagnostics import Report
from brochure.runtime import build as build_module


def check(*args: str) -> tuple[int, list[dict], str]:
    """The command's exit status, its findings as JSON, and its text on stderr."""
    done = CliRunner().invoke(cli.main, ["check", *args, "--format", "json"])
    findings = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return done.exit_code, findings, done.stderr


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@pytest.fixture
def flawed(tmp_path) -> Path:
    """A manuscript that builds, with something for each of check's own findings."""
    book = tmp_path / "book"
    book.mkdir()
    write(book, "book.yaml", """
        title: Flawed
        lang: en
        print-notes: footnotes
        chapters: [one.md, two.md, three.md]
    """)
    long_note = " ".join(["word"] * 300)
    write(book, "one.md", f"""
        # One

        Text with a note[^a].

        ### Too deep

        Under it, a figure: ![a small picture](small.png)

        [^a]: {long_note}
    """)
    write(book, "two.md", """
        # Two[^b]

        Text.

        [^b]: A note called from the heading.
    """)
    write(book, "three.md", """
        # Three

        ## Nothing below
    """)
    Image.new("RGB", (200, 100), "white").save(book / "small.png")
    return book


def found(findings: list[dict], message: str) -> dict:
    matches = [f for f in findings if message in f["message"]]
    assert matches, f"no finding says {message!r}: {findings}"
    return matches[0]


def test_each_check_of_its_own_is_reported_at_its_line_and_column(flawed):
    status, findings, _ = check(str(flawed))
    assert status == 0  # warnings only
    skipped = found(findings, "heading level 3 follows level 1")
    assert (Path(skipped["path"]).name, skipped["line"], skipped["column"]) == ("one.md", 5, 1)
    assert skipped["level"] == "warning" and "level-2 heading" in skipped["hint"]
    heading = found(findings, "note [^b] is called from a heading")
    assert (Path(heading["path"]).name, heading["line"], heading["column"]) == ("two.md", 1, 6)
    empty = found(findings, "the chapter has no text besides its headings")
    assert Path(empty["path"]).name == "three.md" and empty["line"] == 1
    long = found(findings, "is 300 words long: as a footnote")
    assert (Path(long["path"]).name, long["line"]) == ("one.md", 9)
    image = found(findings, "image 'small.png' prints at 96 pixels per inch")
    assert (Path(image["path"]).name, image["line"], image["column"]) == ("one.md", 7, 40)


def test_the_stages_own_diagnostics_are_findings_and_errors_fail(flawed):
    write(flawed, "two.md", """
        # Two

        A call of a note never written[^missing], and a note never called.

        [^unused]: Left alone.
    """)
    status, findings, _ = check(str(flawed))
    assert status == 1
    undefined = found(findings, "note [^missing] is referenced but never defined")
    assert undefined["level"] == "error" and undefined["line"] == 3
    assert found(findings, "note [^unused] is defined but never referenced")["level"] == "warning"


def test_a_check_a_stage_adds_later_shows_up_without_more_code(flawed, monkeypatch):
    original = build_module.book_of

    def book_of_with_a_new_check(manuscript, report: Report, limits=None, cores=None):
        report.warn("a check the book stage learnt later", None, "its hint")
        return original(manuscript, report, limits, cores)

    monkeypatch.setattr(build_module, "book_of", book_of_with_a_new_check)
    _, findings, _ = check(str(flawed))
    assert found(findings, "a check the book stage learnt later")["hint"] == "its hint"


def test_strict_fails_on_warnings_and_text_findings_name_path_line_column(flawed):
    assert check(str(flawed), "--strict")[0] == 1
    done = CliRunner().invoke(cli.main, ["check", str(flawed)])
    lines = done.stdout.splitlines()
    assert any(line.endswith("two.md:1:6: warning: note [^b] is called from a heading")
               for line in lines), lines
    assert any(line.startswith("  hint: ") for line in lines)
    assert "0 errors, 5 warnings in 3 chapter files" in done.stderr


def test_straight_quotes_are_found_only_where_typography_is_off(tmp_path):
    text = """
        ---
        title: Quotes
        lang: en
        typography: none
        ---
        He said "yes" and `code's "quotes"` stay.

        A [link](https://example.org/it's "title") and <span title="x">html</span>.

        ```
        fenced "code"
        ```

        It's the end.
    """
    path = write(tmp_path, "quotes.md", text)
    _, findings, _ = check(str(path))
    quotes = [(f["line"], f["column"]) for f in findings if "straight quote" in f["message"]]
    assert quotes == [(6, 9), (14, 3)]
    assert "(2 on this line)" in found(findings, "straight quote \"")["message"]
    write(tmp_path, "quotes.md", text.replace("typography: none", "typography: auto"))
    assert not [f for f in check(str(path))[1] if "straight quote" in f["message"]]


def test_the_bundled_essay_is_clean():
    status, findings, _ = check(str(ROOT / "manuscript"))
    assert (status, findings) == (0, [])


def test_outputs_are_checked_with_the_readers_tools(two_chapters, tmp_path):
    for output in (two_chapters.epub, two_chapters.pdf):
        shutil.copy(output, tmp_path)
    # A PDF whose first link was flattened, as a stylesheet with 'line-height: 0' made them.
    with pikepdf.open(tmp_path / two_chapters.pdf.name, allow_overwriting_input=True) as pdf:
        link = next(a for page in pdf.pages for a in page.obj.get("/Annots", [])
                    if a.get("/Subtype") == "/Link")
        x0, y0, x1, _ = (float(v) for v in link.Rect)
        link.Rect = [x0, y0, x1, y0]
        pdf.save(tmp_path / two_chapters.pdf.name)
    status, findings, _ = check(str(two_chapters.manuscript), "--outputs", "--out", str(tmp_path))
    epubcheck = found(findings, "EPUBCheck USAGE CSS-028")
    assert epubcheck["level"] == "note" and epubcheck["path"].endswith(".epub")
    links = found(findings, "1 link(s) cannot be clicked")
    assert links["path"].endswith(".pdf")
    assert status == 0  # notes and warnings


def test_outputs_not_built_are_errors(tmp_path):
    status, findings, _ = check(str(ROOT / "manuscript"), "--outputs", "--out", str(tmp_path))
    assert status == 1
    assert found(findings, "has not been built")["hint"].startswith("run brochure build")
