"""Notes: number them through the whole book in reading order and link references to them.

Labels are scoped to their chapter file; output ids are generated from the note's position
in the whole book (``note-N``, ``noteref-N``, ``noteref-N-2`` for a second call), never copied
from labels, so they stay unique when the displayed numbers restart in each chapter.
"""

from __future__ import annotations

from collections.abc import Sequence

from brochure.book.markdown import ParsedChapter, reached_labels
from brochure.core.diagnostics import Location
from brochure.core.model import Note
from brochure.core.settings import NoteNumbering
from brochure.core.xhtml import EPUB_TYPE, NOTEREF_CLASS, element


def chapter_id(position: int) -> str:
    """Id of the chapter at ``position`` (from 1) in the book."""
    return f"chapter-{position}"


def note_id(number: int) -> str:
    return f"note-{number}"


def ref_id(number: int, index: int) -> str:
    """Id of the ``index``-th call (from 1) of note ``number``."""
    return f"noteref-{number}" if index == 1 else f"noteref-{number}-{index}"


def number_notes(chapters: Sequence[ParsedChapter], numbering: NoteNumbering) -> list[Note]:
    """Give each referenced note its number and rewrite every reference as a link to it.

    Notes are numbered in the order a reader meets their calls: those the text of the chapter
    calls first, then those called from these notes (a note may call another), and so on; a
    note keeps the number of its first call, and later calls link to the same note. With
    ``per_chapter`` the displayed numbers start from 1 in each chapter. References to
    undefined labels, and notes no call reaches, were reported by the parse stage.
    """
    per_chapter = numbering == NoteNumbering.CHAPTER
    notes: list[Note] = []
    for chapter_number, chapter in enumerate(chapters, start=1):
        first = len(notes)
        order = reached_labels(chapter.references, chapter.note_references, chapter.definitions)
        numbers = {label: first + index for index, label in enumerate(order, start=1)}
        calls: dict[str, list[str]] = {label: [] for label in order}
        # The text's calls, then each note's calls in the notes' order: the order of ref_ids.
        every_call = [*chapter.references,
                      *(call for label in order for call in chapter.note_references.get(label, ()))]
        for sup, label in every_call:
            if label not in numbers:
                continue
            position = numbers[label]
            calls[label].append(ref_id(position, len(calls[label]) + 1))
            _link_call(sup, position, calls[label][-1], position - first if per_chapter else position)
        for label in order:
            position = numbers[label]
            notes.append(Note(
                number=position - first if per_chapter else position,
                id=note_id(position),
                ref_ids=tuple(calls[label]),
                chapter_id=chapter_id(chapter_number),
                blocks=tuple(chapter.definitions[label]),
                location=Location(chapter.source.path, chapter.definition_lines.get(label)),
            ))
    return notes


def _link_call(sup, position: int, identifier: str, shown: int) -> None:
    """Make a call's <sup> hold the one link to its note."""
    tail = sup.tail
    sup.clear()
    sup.tail = tail
    element("a", {
        "href": "#" + note_id(position),
        "id": identifier,
        "class": NOTEREF_CLASS,
        EPUB_TYPE: "noteref",
        "role": "doc-noteref",
    }, str(shown), parent=sup)
