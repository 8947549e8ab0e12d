"""The notes checker (``notes_check.py``) itself: what it accepts of a PDF's text order, and
that it still sees a note whose words are missing."""

from __future__ import annotations

from notes_check import shown, squeeze


def test_a_paragraph_cut_by_a_page_break_is_found_past_a_figure_drawn_last_on_the_page():
    # PDFium reads the words of an SVG figure after the text of its page (Pepys, note 2676).
    pages = [squeeze("Before. Lord Sandwich speaks of five generations, and his six EDWARD "
                     "MONTAGU Lord Chief Justice"),
             squeeze("sonnes brought upp the dishes. After.")]
    text = "".join(pages)
    block = squeeze("Lord Sandwich speaks of five generations, and his six sonnes brought upp "
                    "the dishes.")
    assert block not in text
    assert shown(block, pages, text)


def test_a_paragraph_with_a_word_missing_is_not_found():
    pages = [squeeze("Lord Sandwich speaks of five generations, and his six"),
             squeeze("brought upp the dishes.")]
    text = "".join(pages)
    assert not shown(squeeze("Lord Sandwich speaks of five generations, and his six sonnes "
                             "brought upp the dishes."), pages, text)
    assert not shown(squeeze("Lord Sandwich speaks of four generations"), pages, text)
