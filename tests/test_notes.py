"""Notes: numbering in reading order, scoping of labels, and the diagnostics of bad notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from brochure.core.diagnostics import BrochureError, Report
from brochure.core.xhtml import plain_text
from brochure.manuscript.read import read_manuscript
from brochure.runtime.build import book_of


def assemble(tmp_path: Path, *chapters: str):
    (tmp_path / "book.yaml").write_text("title: T\nlang: en\n")
    for index, text in enumerate(chapters, start=1):
        (tmp_path / f"{index:02}.md").write_text(text)
    report = Report()
    book = book_of(read_manuscript(tmp_path, report), report)
    return book, report


def test_numbered_by_first_reference_not_by_definition(tmp_path):
    book, _ = assemble(tmp_path, "A[^z] B[^a] C[^m].\n\n[^a]: alpha\n\n[^m]: em\n\n[^z]: zed\n")
    assert [(n.number, plain_text(n.blocks[0])) for n in book.notes] == [
        (1, "zed"), (2, "alpha"), (3, "em")]


def test_labels_are_scoped_to_their_chapter(tmp_path):
    book, _ = assemble(tmp_path, "One[^1].\n\n[^1]: first\n", "Two[^1].\n\n[^1]: second\n")
    assert [(n.id, n.chapter_id, plain_text(n.blocks[0])) for n in book.notes] == [
        ("note-1", "chapter-1", "first"), ("note-2", "chapter-2", "second")]


def test_a_note_called_twice_has_two_reference_ids(tmp_path):
    book, _ = assemble(tmp_path, "A[^x] and again[^x].\n\n[^x]: once\n")
    [note] = book.notes
    assert note.ref_ids == ("noteref-1", "noteref-1-2")


def test_labels_with_spaces_quotes_and_accents_give_safe_ids(tmp_path):
    book, _ = assemble(tmp_path, 'A[^note "é" 1].\n\n[^note "é" 1]: text\n')
    [note] = book.notes
    assert note.id == "note-1"


def test_undefined_reference_is_an_error_at_its_line(tmp_path):
    with pytest.raises(BrochureError) as caught:
        assemble(tmp_path, "Fine.\n\nMissing here[^gone].\n")
    assert f"{tmp_path / '01.md'}:3: error: note [^gone] is referenced but never defined" \
        in str(caught.value)


def test_duplicate_definition_names_both_lines(tmp_path):
    with pytest.raises(BrochureError) as caught:
        assemble(tmp_path, "A[^d].\n\n[^d]: one\n\n[^d]: two\n")
    assert "01.md:5: error: note [^d] is defined more than once (lines 3 and 5)" in str(caught.value)


def test_unused_definition_is_a_warning_at_its_line(tmp_path):
    book, report = assemble(tmp_path, "A[^u].\n\n[^u]: used\n\n[^spare]: unused\n")
    assert len(book.notes) == 1
    assert [str(w).split(": warning: ")[0].endswith("01.md:5") for w in report.warnings] == [True]


def test_raw_html_cannot_forge_a_note(tmp_path):
    forged = ('<sup><a class="footnote-ref" href="#fn-x">9</a></sup>\n\n'
              '<div class="footnote"><ol><li id="fn-x">fake</li></ol></div>\n')
    book, _ = assemble(tmp_path, "Real[^r].\n\n" + forged + "\n[^r]: genuine\n")
    assert [plain_text(n.blocks[0]) for n in book.notes] == ["genuine"]


def test_references_in_code_are_not_notes(tmp_path):
    book, _ = assemble(tmp_path, "Code `[^c]` here.\n\n```\n[^c]\n```\n")
    assert book.notes == ()
