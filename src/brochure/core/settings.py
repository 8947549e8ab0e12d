"""Settings: how the book is laid out, not what it says; each one declared once.

Every field of ``Settings`` is declared with ``setting()``: its key in book.yaml (and its
command-line option, when it has one), its type and default, a one-line help and the parser
that checks a value. The command line's options (cli.py), the checking of book.yaml with line
numbers (manuscript/metadata.py) and the settings table of the documentation
(``settings_table``) are all read from these declarations.

Parsers take a value as YAML or the command line gives it and return the typed value, or raise
``ValueError`` with a message that does not name the setting (each caller names it its way).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from brochure.core.paper import DEFAULT_TRIM, TrimSize, length_parser, parse_trim

E = TypeVar("E", bound=StrEnum)
Parser = Callable[[Any], Any]


class Format(StrEnum):
    """What a build can make."""

    EPUB = "epub"
    PDF = "pdf"
    BOOKLET = "booklet"  # the PDF's pages imposed for saddle stitching


class NotesPlacement(StrEnum):
    BOOK = "book"  # one Notes section after the last chapter
    CHAPTER = "chapter"  # a Notes section closing each chapter


class PrintNotes(StrEnum):
    ENDNOTES = "endnotes"  # the PDF places them as the EPUB does
    FOOTNOTES = "footnotes"  # the PDF sets each at the foot of the page that calls it


class NoteNumbering(StrEnum):
    BOOK = "book"  # 1..N through the book
    CHAPTER = "chapter"  # from 1 in each chapter


class PrintMode(StrEnum):
    OFFICE = "office"  # plain pages for an office printer or a photocopier
    SHOP = "shop"  # bleed, crop marks and PDF/X for a print shop


class PdfX(StrEnum):
    X1A = "pdf/x-1a"
    X3 = "pdf/x-3"
    X4 = "pdf/x-4"


# The languages whose typographic rules brochure knows (book/typography.py has one row each).
TYPOGRAPHY_LANGUAGES = ("en", "fr", "de", "de-CH", "es", "it", "pt", "pl", "cs", "nl")
DEFAULT_FORMATS = (Format.EPUB, Format.PDF)


def choice(kind: type[E]) -> Parser:
    """A parser accepting one of an Enum's values."""

    def parse(value: Any) -> E:
        if isinstance(value, bool):  # YAML's yes/no: never a word here
            raise ValueError(f"must be one of {', '.join(m.value for m in kind)}, not {value!r}")
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise ValueError(f"must be one of {allowed}, not {value!r}") from None

    return parse


def words(*allowed: str) -> Parser:
    def parse(value: Any) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}, not {value!r}")
        return value

    return parse


def boolean(value: Any) -> bool:
    if isinstance(value, str) and value.lower() in ("true", "false"):  # from the command line
        return value.lower() == "true"
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {value!r}")
    return value


def pdf_x(value: Any) -> PdfX:
    """x-1a, x-3 or x-4 (with or without ``pdf/``), as WeasyPrint names the variant."""
    text = str(value).lower().removeprefix("pdf/").removeprefix("pdf")
    text = text if text.startswith("x-") else f"x-{text.removeprefix('x')}"
    try:
        return PdfX(f"pdf/{text}")
    except ValueError:
        raise ValueError(f"must be one of x-1a, x-3, x-4, not {value!r}") from None


def file_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be the path of a file in the manuscript folder")
    return value.strip()


def format_list(value: Any) -> tuple[Format, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items or not all(isinstance(i, str) for i in items):
        raise ValueError("must be a list of formats, e.g. [epub, pdf, booklet]")
    parse = choice(Format)
    return tuple(dict.fromkeys(parse(item.strip().lower()) for item in items))


@dataclass(frozen=True)
class Declaration:
    """What a setting is, for book.yaml, the command line and the documentation."""

    key: str  # in book.yaml
    help: str  # one line, for `--help` and the documentation's table
    parse: Parser
    values: str  # the values it takes, as the documentation writes them
    option: str | None  # its command-line option, or None: book.yaml only
    multiple: bool = False  # the option is repeated to give several values
    choices: tuple[str, ...] = ()  # the words it takes, where it takes words
    attribute: str = ""  # the field of ``Settings`` (filled in below)


_DECLARATION = "brochure.setting"


def setting(default: Any, key: str, help: str, parse: Parser, values: str, *,
            option: bool | str = True, multiple: bool = False,
            choices: tuple[str, ...] = ()) -> Any:
    """A field of ``Settings`` with its declaration."""
    flag = f"--{key}" if option is True else (option or None)
    declaration = Declaration(key, help, parse, values, flag, multiple, choices)
    return dataclasses.field(default=default, metadata={_DECLARATION: declaration})


def enum_setting(default: StrEnum, key: str, help: str, **more: Any) -> Any:
    kind = type(default)
    names = tuple(member.value for member in kind)
    return setting(default, key, help, choice(kind), " \\| ".join(names), choices=names, **more)


@dataclass(frozen=True)
class Settings:
    """Layout choices; every field has a default that needs no setting."""

    notes: NotesPlacement = enum_setting(
        NotesPlacement.BOOK, "notes",
        "Where the notes go: one section at the end of the book, or at the end of each chapter.")
    print_notes: PrintNotes = enum_setting(
        PrintNotes.ENDNOTES, "print-notes",
        "In the PDF only: endnotes, placed as 'notes' says, or footnotes at the foot of the page.")
    note_numbering: NoteNumbering = enum_setting(
        NoteNumbering.BOOK, "note-numbering",
        "Number the notes through the book, or from 1 in each chapter.")
    note_pages: bool = setting(
        True, "note-pages", "In the PDF only: each endnote names the page of its call (↑ p. 12).",
        boolean, "true \\| false", option=False)
    typography: str = setting(
        "auto", "typography",
        "Whose typographic rules set the text: the book's lang (auto), none, or a language's.",
        words("auto", "none", *TYPOGRAPHY_LANGUAGES), "auto \\| none \\| " + ", ".join(TYPOGRAPHY_LANGUAGES),
        option=False)
    trim: TrimSize = setting(
        DEFAULT_TRIM, "trim", "The page size.", parse_trim,
        "A6, A5, A4, letter, half-letter, or WIDTHxHEIGHT in mm or in (120x180mm, 5x8in)")
    print_mode: PrintMode = enum_setting(
        PrintMode.OFFICE, "print",
        "office: plain pages; shop: bleed, crop marks and PDF/X for a print shop.")
    bleed: float = setting(
        3.0, "bleed", "Print shop only: how far the printed area goes beyond the trim.",
        length_parser(10), "a length up to 10 mm (3mm, 0.125in)", option=False)
    pdf_x: PdfX = setting(
        PdfX.X4, "pdf-x", "Print shop only: the PDF/X standard of the PDF.", pdf_x,
        "x-1a \\| x-3 \\| x-4", option=False)
    print_profile: str | None = setting(
        None, "print-profile",
        "Print shop only: the shop's CMYK profile (.icc), a file of the manuscript folder.",
        file_name, "a file name (press.icc)", option=False)
    chapters_on_recto: bool = setting(
        False, "chapters-on-recto", "Every chapter, and the notes, opens on a right-hand page.",
        boolean, "true \\| false", option=False)
    pdf_cover: bool = setting(
        True, "pdf-cover", "The PDF opens with the front cover, and the blank inside of it.",
        boolean, "true \\| false", option=False)
    back_cover: bool = setting(
        False, "back-cover", "The PDF ends with a back cover (the description, the publisher, "
        "the ISBN's barcode); the booklet pads before it.",
        boolean, "true \\| false", option=False)
    creep: float = setting(
        0.0, "creep", "Booklet only: how much each inner sheet's pages move toward the fold.",
        length_parser(2), "a length up to 2 mm (0.2mm)", option=False)
    formats: tuple[Format, ...] = setting(
        DEFAULT_FORMATS, "formats", "What a build makes; on the command line, repeat --format.",
        format_list, "a list of epub, pdf, booklet", option="--format", multiple=True,
        choices=tuple(member.value for member in Format))

    def overridden(self, values: Mapping[str, Any]) -> Settings:
        """These settings with ``values`` (by attribute; ``None`` leaves a setting as it is),
        each checked by its setting's parser, whether it comes typed or as the user wrote it."""
        by_attribute = {declaration.attribute: declaration for declaration in declarations()}
        changes = {}
        for attribute, value in values.items():
            if value is None:
                continue
            declaration = by_attribute[attribute]
            try:
                changes[attribute] = declaration.parse(value)
            except ValueError as exc:
                raise ValueError(f"{declaration.option or declaration.key}: {exc}") from None
        return dataclasses.replace(self, **changes)


def declarations() -> tuple[Declaration, ...]:
    """Every setting's declaration, in the order of ``Settings``."""
    return tuple(dataclasses.replace(field.metadata[_DECLARATION], attribute=field.name)
                 for field in dataclasses.fields(Settings))


def default_text(declaration: Declaration) -> str:
    """A setting's default as book.yaml would write it."""
    value = getattr(Settings(), declaration.attribute)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, TrimSize):
        return value.name
    if isinstance(value, PdfX):
        return value.value.removeprefix("pdf/")
    if isinstance(value, tuple):
        return "[" + ", ".join(str(item) for item in value) + "]"
    if isinstance(value, float):
        return f"{value:g}mm"
    return "none" if value is None else str(value)


def settings_table() -> str:
    """The documentation's table of settings, in Markdown."""
    lines = ["| book.yaml | command line | values | default | what it does |",
             "| --- | --- | --- | --- | --- |"]
    for declaration in declarations():
        option = f"`{declaration.option}`" if declaration.option else ""
        lines.append(f"| `{declaration.key}` | {option} | {declaration.values} | "
                     f"`{default_text(declaration)}` | {declaration.help} |")
    return "\n".join(lines) + "\n"
