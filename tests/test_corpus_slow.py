"""The long corpus books in every mode (slow: run with ``pytest -m slow``).

Mutual Aid is in tests/corpus, every mode with both formats. Pepys's diary (7 MB, 4,542 notes)
is read from ../shared/corpus where that folder exists, and skipped where it does not: its
3,600-page PDF is built and checked in book mode, its EPUB in the modes that renumber or move
the notes (their PDFs are Mutual Aid's, at a tenth of the time). Footnotes WeasyPrint cannot
place are tried on one month of it, kept in tests/corpus. benchmarks/README.md gives the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_fixture, epubcheck
from notes_check import check_notes

from brochure.core.diagnostics import BrochureError, Report
from brochure.runtime.build import BuildOptions, build

HERE = Path(__file__).resolve().parent / "corpus"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
MODES = {
    "book": {},
    "chapter": {"notes": "chapter"},
    "footnotes": {"print_notes": "footnotes"},
    "numbering": {"note_numbering": "chapter"},
}
BOOKS = {"mutual-aid": 322, "pepys-diary": 4542}
# WeasyPrint drops some of Pepys's footnotes (9 of 4,542 in the whole diary): that mode is
# tried on one month below.
CASES = [(book, mode) for book in BOOKS for mode in MODES
         if (book, mode) != ("pepys-diary", "footnotes")]
EPUB_ONLY = {("pepys-diary", "chapter"), ("pepys-diary", "numbering")}

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("book", "mode"), CASES)
def test_long_book_notes_hold_up(book, mode, tmp_path, epoch_env):
    manuscript = HERE / book if (HERE / book).is_dir() else SHARED / book
    if not manuscript.is_dir():
        pytest.skip(f"{manuscript} is absent")
    epub_only = (book, mode) in EPUB_ONLY
    built = build_fixture(manuscript, tmp_path, settings=MODES[mode],
                          formats=("epub",) if epub_only else ())
    assert built.result.notes == BOOKS[book]
    report = check_notes(manuscript, built.epub, None if epub_only else built.pdf,
                         per_chapter=mode == "numbering", footnotes=mode == "footnotes")
    assert report.problems == []
    if mode != "footnotes":  # the footnotes mode's EPUB is the book mode's
        assert epubcheck(built.epub) == []


def test_footnotes_weasyprint_cannot_place_fail_the_build_and_name_them(tmp_path, epoch_env):
    # The densest notes of June 1665: WeasyPrint 70 leaves three of them off the pages. When
    # WeasyPrint places them, this test fails: then Pepys's footnotes join the cases above.
    month = HERE / "pepys-june-1665"
    out = tmp_path / "out"
    report = Report()
    with pytest.raises(BrochureError) as caught:
        build(BuildOptions(manuscript=month, out_dir=out,
                           settings={**MODES["footnotes"], "formats": ("pdf",)}), report)
    message = str(caught.value)
    assert "note(s) could not be placed on the pages (notes 12, 13, 14)" in message
    assert "pepys-june-1665/068-june-1665.md:113: error" in message  # where note 12 is written
    assert "print-notes: endnotes" in message
    # Their calls link nowhere: WeasyPrint's warnings of it would only repeat the error.
    assert not [d for d in report.diagnostics if "No anchor" in d.message]
    assert not out.exists()
