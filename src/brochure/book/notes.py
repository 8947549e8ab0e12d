"""Notes: number them through the whole book in reading order and link references to them.

Labels are scoped to their chapter file; output ids are generated from the note's position
in the whole book (``note-N``, ``noteref-N``, ``noteref-N-2`` for a second call), never copied
from labels, so they stay unique when the displayed numbers restart in each chapter.
"""

from __future__ import annotations

from collections.abc import Sequence

from brochure.book.markdown import ParsedChapter
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

    A note keeps the number of its first reference; later references to the same label link
    to the same note. With ``per_chapter`` the displayed numbers start from 1 in each chapter.
    References to undefined labels were reported by the parse stage.
    """
    per_chapter = numbering == NoteNumbering.CHAPTER
    notes: list[Note] = []
    for chapter_number, chapter in enumerate(chapters, start=1):
        numbers: dict[str, int] = {}  # label -> position of the note in the whole book
        calls: dict[str, list[str]] = {}
        first = len(notes)
        for sup, label in chapter.references:
            if label not in chapter.definitions:
                continue
            if label not in numbers:
                numbers[label] = first + len(numbers) + 1
                calls[label] = []
            position = numbers[label]
            number = position - first if per_chapter else position
            calls[label].append(ref_id(position, len(calls[label]) + 1))
            tail = sup.tail
            sup.clear()
            sup.tail = tail
            element("a", {
                "href": "#" + note_id(position),
                "id": calls[label][-1],
                "class": NOTEREF_CLASS,
                EPUB_TYPE: "noteref",
                "role": "doc-noteref",
            }, str(number), parent=sup)
        for label, position in sorted(numbers.items(), key=lambda item: item[1]):
            notes.append(Note(
                number=position - first if per_chapter else position,
                id=note_id(position),
                ref_ids=tuple(calls[label]),
                chapter_id=chapter_id(chapter_number),
                blocks=tuple(chapter.definitions[label]),
                location=Location(chapter.source.path, chapter.definition_lines.get(label)),
            ))
    return notes
