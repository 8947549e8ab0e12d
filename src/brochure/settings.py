"""Build settings from book.yaml (beside the metadata): how the book is laid out, not what it says.

Each setting is one row of ``FIELDS``: its YAML key, the ``Settings`` attribute, its default and a
parser that checks the value (and raises an error at the key's line). Command-line options
override the file through ``Settings.replace``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from brochure.diagnostics import error

if TYPE_CHECKING:
    from brochure.metadata import YamlDocument


@dataclass(frozen=True)
class Settings:
    """Layout choices; every field has a default that needs no setting."""

    # (Fields are added by the features that use them; see FIELDS.)
    notes: str = "book"  # where endnotes go: "book" (one section at the end) or "chapter"
    print_notes: str = "endnotes"  # in the PDF only: "endnotes" (as placed) or "footnotes"
    note_numbering: str = "book"  # "book" (1..N through the book) or "chapter" (restart)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


Parser = Callable[[Any, str], Any]


def choice(*allowed: str) -> Parser:
    """A parser accepting one of ``allowed`` words."""

    def parse(value: Any, key: str) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(f"'{key}' must be one of {', '.join(allowed)}, not {value!r}")
        return value

    return parse


@dataclass(frozen=True)
class Field:
    key: str  # as written in book.yaml
    attribute: str  # Settings attribute
    parse: Parser


NOTES_PLACEMENTS = ("book", "chapter")
PRINT_NOTES = ("endnotes", "footnotes")
NOTE_NUMBERINGS = ("book", "chapter")

FIELDS: tuple[Field, ...] = (
    Field("notes", "notes", choice(*NOTES_PLACEMENTS)),
    Field("print-notes", "print_notes", choice(*PRINT_NOTES)),
    Field("note-numbering", "note_numbering", choice(*NOTE_NUMBERINGS)),
)


def setting_keys() -> tuple[str, ...]:
    return tuple(f.key for f in FIELDS)


def build_settings(doc: YamlDocument) -> Settings:
    values = {}
    for field in FIELDS:
        if field.key in doc.values:
            try:
                values[field.attribute] = field.parse(doc.values[field.key], field.key)
            except ValueError as exc:
                raise error(str(exc), doc.location(field.key)) from None
    return Settings(**values)
