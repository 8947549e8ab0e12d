"""What a shelf is: a folder whose subfolders are manuscripts, with an optional catalogue.yaml;
or several manuscripts named on the command line.

catalogue.yaml names the shelf (title, publisher, language, base URL, identifier), may name a
styles folder of the shelf shared by every book, and gives default settings that each book.yaml
may override. It is read through the resolver, like every file of a book, and checked at its
lines like book.yaml.
"""

from __future__ import annotations

import difflib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from slugify import slugify

from brochure.core.diagnostics import Location, Report, error
from brochure.core.settings import declarations
from brochure.manuscript.metadata import YamlDocument, parse_yaml
from brochure.manuscript.read import METADATA_FILE, decode_text
from brochure.manuscript.resolver import Resolver

CATALOGUE_FILE = "catalogue.yaml"
STYLES_FOLDER = "styles"  # a shelf's shared stylesheets, as beside any manuscript folder
KEYS = ("title", "publisher", "lang", "base-url", "id", "styles", "defaults")
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_SKIPPED = frozenset({".git", ".hg", ".svn", "__pycache__"})


@dataclass(frozen=True)
class Catalogue:
    """What catalogue.yaml says of the shelf; every field may be left out."""

    title: str
    publisher: str | None = None
    lang: str | None = None  # None: the language most of its books are in
    base_url: str | None = None  # where the site is served, for the links OPDS wants absolute
    id: str | None = None  # None: one derived from the title
    styles: Path | None = None  # the shelf's stylesheets for every book (else styles/ beside them)
    defaults: Mapping[str, Any] = field(default_factory=dict)  # settings by attribute

    @property
    def identifier(self) -> str:
        return self.id or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'brochure-shelf:' + self.title)}"


@dataclass(frozen=True)
class ShelfSource:
    """Where the books come from: their manuscripts, and the catalogue if there is one."""

    manuscripts: tuple[Path, ...]
    catalogue: Catalogue
    folder: Path | None  # the shelf folder; None for manuscripts named one by one


def is_shelf(path: Path) -> bool:
    """A folder that is not a manuscript itself but holds a catalogue.yaml or manuscripts."""
    if not path.is_dir() or (path / METADATA_FILE).exists():
        return False
    return (path / CATALOGUE_FILE).is_file() or bool(_book_folders(path))


def _book_folders(folder: Path) -> list[Path]:
    return sorted(child for child in folder.iterdir()
                  if child.is_dir() and not child.name.startswith(".")
                  and (child / METADATA_FILE).is_file())


def read_shelf(folder: Path, report: Report, out_dir: Path | None = None) -> ShelfSource:
    """The shelf's books (its subfolders with a book.yaml, in name order) and its catalogue."""
    path = folder / CATALOGUE_FILE
    catalogue = (read_catalogue(path, report) if path.is_file()
                 else Catalogue(title=folder.resolve().name))
    books = _book_folders(folder)
    out = out_dir.resolve() if out_dir is not None else None
    for child in sorted(folder.iterdir()):
        if (child.is_dir() and child not in books and child.name not in _SKIPPED
                and child.resolve() != out and any(child.glob("*.md"))):
            report.warn(f"'{child}' holds Markdown files but no {METADATA_FILE}: it is not built",
                        Location(child), f"add a {METADATA_FILE} to make it a book of the shelf")
    if not books:
        raise error(f"the shelf '{folder}' holds no manuscript", Location(folder),
                    f"put each book in a folder of its own, with its {METADATA_FILE}")
    return ShelfSource(tuple(books), catalogue, folder)


def loose_books(manuscripts: Sequence[Path], out_dir: Path) -> ShelfSource:
    """Manuscripts named one by one: a shelf without a catalogue, named after the output folder."""
    for path in manuscripts:
        if is_shelf(path):
            raise error(f"'{path}' is a shelf: build it on its own", Location(path),
                        "give one shelf folder, or manuscripts only")
    return ShelfSource(tuple(manuscripts), Catalogue(title=out_dir.resolve().name), None)


# The site's own folders, beside the books' (its page's fonts, the books' covers and thumbnails):
# a book's folder holds its outputs alone, and no book's folder may take one of these names.
FONTS, COVERS, THUMBNAILS = "fonts", "covers", "thumbnails"
SITE_FOLDERS = (FONTS, COVERS, THUMBNAILS)


def book_slug(manuscript: Path) -> str:
    """The book's folder in the site, and its anchor on the page: from its manuscript's name."""
    name = manuscript.stem if manuscript.is_file() else manuscript.resolve().name
    return slugify(name, max_length=80, word_boundary=True) or "book"


# -- catalogue.yaml -----------------------------------------------------------------------------------


def read_catalogue(path: Path, report: Report) -> Catalogue:
    """catalogue.yaml, checked at its lines."""
    resolver = Resolver.for_roots(path.parent)
    doc = parse_yaml(decode_text(resolver.read(path), path), path)
    for key in doc.values:
        if isinstance(key, str) and key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.75)
            report.warn(f"unknown key '{key}'", doc.location(key),
                        f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(KEYS)}")
    lang = _text(doc, "lang")
    if lang is not None and not _LANG_RE.match(lang):
        raise error(f"'lang' must be a language tag such as 'fr' or 'en-GB', not '{lang}'",
                    doc.location("lang"))
    return Catalogue(
        title=_text(doc, "title") or path.parent.resolve().name,
        publisher=_text(doc, "publisher"),
        lang=lang,
        base_url=_base_url(doc),
        id=_text(doc, "id"),
        styles=_styles(doc, resolver),
        defaults=_defaults(doc),
    )


def _text(doc: YamlDocument, key: str) -> str | None:
    value = doc.values.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise error(f"'{key}' must be text", doc.location(key), f"write it as {key}: \"...\"")
    return " ".join(str(value).split()) or None


def _base_url(doc: YamlDocument) -> str | None:
    url = _text(doc, "base-url")
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise error(f"'base-url' must be an http or https address, not '{url}'",
                    doc.location("base-url"), "give where the site is served, e.g. "
                    "https://books.example.org/shelf/")
    return url if url.endswith("/") else url + "/"


def _styles(doc: YamlDocument, resolver: Resolver) -> Path | None:
    name = _text(doc, "styles")
    if name is None:
        return None
    location = doc.location("styles")
    folder = (doc.path.parent / name).resolve()
    if not any(folder.is_relative_to(root) for root in resolver.roots) or Path(name).is_absolute():
        raise error(f"'styles' must be a folder of the shelf, not '{name}'", location,
                    "keep the shared stylesheets in a folder beside the books")
    if not folder.is_dir():
        raise error(f"the styles folder '{name}' does not exist", location)
    return folder


def _defaults(doc: YamlDocument) -> dict[str, Any]:
    """The default settings, by attribute, each checked by its setting's parser."""
    values = doc.values.get("defaults")
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise error("'defaults' must be settings as in book.yaml, one 'key: value' a line",
                    doc.location("defaults"))
    by_key = {declaration.key: declaration for declaration in declarations()}
    lines = getattr(values, "lines", {})
    chosen = {}
    for key, value in values.items():
        location = Location(doc.path, lines.get(key, doc.lines.get("defaults")))
        declaration = by_key.get(key)
        if declaration is None:
            close = difflib.get_close_matches(str(key), list(by_key), n=1, cutoff=0.6)
            raise error(f"'{key}' is not a setting", location,
                        f"did you mean '{close[0]}'?" if close else "the README lists the settings")
        try:
            chosen[declaration.attribute] = declaration.parse(value)
        except ValueError as exc:
            raise error(f"'{key}' {exc}", location) from None
    return chosen
