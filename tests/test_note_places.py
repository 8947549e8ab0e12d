"""Notes called from every kind of block, numbered in reading order; labels compared after NFC."""

from __future__ import annotations

import unicodedata

from test_notes import assemble

from brochure.core.xhtml import plain_text, q


def test_notes_from_table_cell_quote_list_item_and_heading_in_reading_order(tmp_path):
    text = ("## Heading call[^h]\n\n"
            "> Quoted call[^q]\n\n"
            "- item call[^l]\n\n"
            "| a | b |\n|---|---|\n| cell call[^t] | x |\n\n"
            "[^t]: table\n\n[^l]: list\n\n[^q]: quote\n\n[^h]: heading\n")
    book, report = assemble(tmp_path, text)
    assert [(n.number, plain_text(n.blocks[0])) for n in book.notes] == [
        (1, "heading"), (2, "quote"), (3, "list"), (4, "table")]
    body = book.chapters[0].body
    calls = [a.text for a in body.iter(q("a")) if a.get("role") == "doc-noteref"]
    assert calls == ["1", "2", "3", "4"]
    assert [h.text for h in book.chapters[0].headings] == ["Heading call"]  # no number in the TOC
    assert report.diagnostics == []


def test_labels_match_after_unicode_normalisation(tmp_path):
    decomposed = unicodedata.normalize("NFD", "café")
    composed = unicodedata.normalize("NFC", "café")
    assert decomposed != composed
    book, report = assemble(tmp_path, f"Call[^{decomposed}].\n\n[^{composed}]: The note.\n")
    assert [plain_text(n.blocks[0]) for n in book.notes] == ["The note."]
    assert report.diagnostics == []
