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
from brochure.paper import DEFAULT_TRIM, TrimSize, length_parser, parse_trim
from brochure.typography import RULES

TYPOGRAPHY_LANGUAGES = tuple(RULES)

if TYPE_CHECKING:
    from brochure.metadata import YamlDocument


@dataclass(frozen=True)
class Settings:
    """Layout choices; every field has a default that needs no setting."""

    # (Fields are added by the features that use them; see FIELDS.)
    notes: str = "book"  # where endnotes go: "book" (one section at the end) or "chapter"
    print_notes: str = "endnotes"  # in the PDF only: "endnotes" (as placed) or "footnotes"
    note_numbering: str = "book"  # "book" (1..N through the book) or "chapter" (restart)
    note_pages: bool = True  # PDF endnotes name the page of their call ("↑ p. 12")

    typography: str = "auto"  # whose typographic rules: the book's lang, 'none', or a language

    # Print: page setup, the print-shop PDF and the booklet (page_setup.py, print_shop.py, impose.py)
    trim: TrimSize = DEFAULT_TRIM
    print_mode: str = "office"  # "office": plain pages; "shop": bleed, crop marks, PDF/X
    bleed: float = 3.0  # mm, print shop only
    pdf_x: str = "pdf/x-4"
    print_profile: str | None = None  # a CMYK ICC profile in the manuscript folder
    chapters_on_recto: bool = False
    back_cover: bool = False  # the last page is a back cover: the booklet pads before it
    creep: float = 0.0  # mm per sheet, booklet only
    formats: tuple[str, ...] | None = None  # what `brochure build` makes without --format

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


def boolean(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"'{key}' must be true or false, not {value!r}")
    return value


def pdf_x(value: Any, key: str) -> str:
    """x-1a, x-3 or x-4 (with or without ``pdf/``), as WeasyPrint names the variant."""
    text = str(value).lower().removeprefix("pdf/").removeprefix("pdf")
    text = text if text.startswith("x-") else f"x-{text.removeprefix('x')}"
    if text not in ("x-1a", "x-3", "x-4"):
        raise ValueError(f"'{key}' must be one of x-1a, x-3, x-4, not {value!r}")
    return f"pdf/{text}"


def relative_path(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"'{key}' must be the path of a file in the manuscript folder")
    return value.strip()


def format_list(value: Any, key: str) -> tuple[str, ...]:
    # The names are checked against the writers by the build (settings know no writer).
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise ValueError(f"'{key}' must be a list of formats, e.g. [epub, pdf, booklet]")
    return tuple(dict.fromkeys(i.strip().lower() for i in items))


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
    Field("note-pages", "note_pages", boolean),
    Field("typography", "typography", choice("auto", "none", *TYPOGRAPHY_LANGUAGES)),
    Field("trim", "trim", parse_trim),
    Field("print", "print_mode", choice("office", "shop")),
    Field("bleed", "bleed", length_parser(10)),
    Field("pdf-x", "pdf_x", pdf_x),
    Field("print-profile", "print_profile", relative_path),
    Field("chapters-on-recto", "chapters_on_recto", boolean),
    Field("back-cover", "back_cover", boolean),
    Field("creep", "creep", length_parser(2)),
    Field("formats", "formats", format_list),
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
