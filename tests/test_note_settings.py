"""The note settings: read from book.yaml, checked at their line, overridden on the command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import FIXTURES
from helpers import Epub, text_of

from brochure.cli import main
from brochure.core.diagnostics import BrochureError, Report
from brochure.manuscript.read import read_manuscript


def manuscript(tmp_path, settings: str):
    (tmp_path / "book.yaml").write_text(f"title: T\nlang: en\n{settings}")
    (tmp_path / "one.md").write_text("# One\n\nText[^a].\n\n[^a]: A note.\n")
    return read_manuscript(tmp_path, Report())


def test_defaults_and_values_from_book_yaml(tmp_path):
    assert (manuscript(tmp_path, "").settings.notes, manuscript(tmp_path, "").settings.print_notes,
            manuscript(tmp_path, "").settings.note_numbering) == ("book", "endnotes", "book")
    settings = manuscript(
        tmp_path, "notes: chapter\nprint-notes: footnotes\nnote-numbering: chapter\n").settings
    assert (settings.notes, settings.print_notes, settings.note_numbering) == (
        "chapter", "footnotes", "chapter")


def test_a_wrong_value_is_an_error_at_its_line(tmp_path):
    with pytest.raises(BrochureError) as caught:
        manuscript(tmp_path, "notes: margin\n")
    assert "book.yaml:3: error: 'notes' must be one of book, chapter, not 'margin'" in str(caught.value)


def test_command_line_options_override_book_yaml(tmp_path, epoch_env):
    result = CliRunner().invoke(main, [
        "build", str(FIXTURES / "two-chapters"), "--out", str(tmp_path), "--format", "epub",
        "--notes", "chapter", "--note-numbering", "chapter"])
    assert result.exit_code == 0, result.output
    epub = Epub.open(tmp_path / "two-chapters.epub")
    assert "notes.xhtml" not in epub.documents
    shown = [(name, text_of(a)) for name, a in epub.find("//h:a[@epub:type='noteref']")]
    assert shown == [("chapter-1.xhtml", "1"), ("chapter-1.xhtml", "2"), ("chapter-1.xhtml", "1"),
                     ("chapter-2.xhtml", "1"), ("chapter-2.xhtml", "2")]
    notes = [(name, el.get("id")) for name, el in epub.find("//h:li[@class='note']")]
    assert notes == [("chapter-1.xhtml", "note-1"), ("chapter-1.xhtml", "note-2"),
                     ("chapter-2.xhtml", "note-3"), ("chapter-2.xhtml", "note-4")]


def test_an_unknown_option_value_is_refused(tmp_path):
    result = CliRunner().invoke(main, ["build", "--print-notes", "sidenotes"])
    assert result.exit_code == 2
    assert "sidenotes" in result.output
