"""`epubcheck -u` reported OPF-086b in every EPUB: `epub:type="endnote"` is deprecated by the
EPUB 3.3 Structural Semantics Vocabulary. Marked `footnote` instead, DAISY Ace asked each note
for the `doc-footnote` role, which a list item may not take and DPUB-ARIA 1.1 keeps out of
endnotes. The notes of an `endnotes` section are now plain list items, called by `noteref`
links, as the DAISY Knowledge Base marks endnotes; the suite checks every EPUB with usage
messages on, accepting only those the docs explain (tests/test_epub.py, beside the
two-chapter book's EPUBCheck run) and with Ace (tests/test_accessibility.py)."""

from __future__ import annotations

from helpers import Epub


def test_notes_are_plain_items_of_an_endnotes_section_called_by_noterefs(two_chapters):
    epub = Epub.open(two_chapters.epub)
    notes = epub.find("//h:section[@epub:type='endnotes']//h:li[@class='note']")
    assert len(notes) == 4
    assert not epub.find("//*[@epub:type='endnote' or @role='doc-endnote' or @epub:type='footnote'"
                         " or @role='doc-footnote']")
    assert all(note.get("role") is None for _, note in notes)
    calls = epub.find("//h:a[@epub:type='noteref'][@role='doc-noteref']")
    targets = {epub.resolve(name, link.get("href")) for name, link in calls}
    assert targets == {(name, note.get("id")) for name, note in notes}
