"""A note called from inside another note was dropped: one note, and a raw href="#fn-b" that
resolved nowhere (EPUBCheck RSC-012). Notes called from notes are numbered after the text's
own, in reading order, and linked like any other, in every note mode."""

from __future__ import annotations

import pytest

from brochure.core.diagnostics import Report
from brochure.core.model import notes_layout
from brochure.core.xhtml import q
from brochure.render.document import render_book
from brochure.runtime.build import BuildOptions, book_of, read

TEXT = "Call[^a] and another[^c].\n\n[^a]: See[^b].\n\n[^b]: Then[^a] again.\n\n[^c]: Last.\n"


@pytest.mark.parametrize("settings", [
    {}, {"notes": "chapter"}, {"note_numbering": "chapter"}, {"print_notes": "footnotes"},
])
def test_nested_notes_are_numbered_and_linked(tmp_path, epoch_env, settings):
    (tmp_path / "essay.md").write_text("---\ntitle: T\nlang: en\n---\n\n" + TEXT)
    report = Report()
    book = book_of(read(BuildOptions(tmp_path / "essay.md", settings=settings), report), report)
    assert [(note.number, note.ref_ids) for note in book.notes] == [
        (1, ("noteref-1", "noteref-1-2")), (2, ("noteref-2",)), (3, ("noteref-3",))]
    for paged in (False, True):
        root = render_book(book, notes_layout(book.settings, paged)).root()
        ids = {el.get("id") for el in root.iter() if el.get("id")}
        links = [a.get("href")[1:] for a in root.iter(q("a")) if a.get("href", "").startswith("#")]
        assert set(links) <= ids
        assert {"note-1", "note-2", "note-3", "noteref-1", "noteref-1-2", "noteref-2",
                "noteref-3"} <= ids
