"""The EPUB brochure made is checked before it is published: its promises, in milliseconds.

Every link and reference resolves to a file of the package and an id in it (no link to
nowhere, EPUBCheck's RSC-012); nothing is loaded from outside the package (no remote
reference in XHTML, the navigation or a stylesheet, EPUBCheck's RSC-006); every note call
leads to its note and back, every note is called; the text of every paragraph of the
manuscript is in its chapter (book/text_check.py). A broken promise the input explains is an
error at the input's line; one it does not is a bug of brochure's (``Findings.bugs``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from lxml import etree

from brochure.book.text_check import broken, missing_text, output_words
from brochure.core.diagnostics import Diagnostic, Findings, Location
from brochure.core.model import Book, SourceText
from brochure.core.xhtml import NOTEREF_CLASS
from brochure.manuscript.css_urls import css_references

ROOT = "EPUB/"
HYPERLINK_SCHEMES = {"http", "https", "mailto"}  # followed by the reader, never loaded
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


@dataclass
class _Package:
    files: dict[str, bytes]  # zip entry name -> bytes
    documents: dict[str, etree._Element] = field(default_factory=dict)  # XHTML by entry name
    ids: dict[str, set[str]] = field(default_factory=dict)  # entry name -> its ids
    elements: dict[str, etree._Element] = field(default_factory=dict)  # id -> element


def verify_epub(data: bytes, book: Book, sources: Sequence[SourceText]) -> Findings:
    """What is wrong with an EPUB made of ``book`` (nothing, when it keeps its promises)."""
    package = _open(data)
    lost = missing_text(book, sources, *output_words(package.documents.values(), book))
    return Findings(lost.errors, (*_references(package, book), *_notes(package, book), *lost.bugs))


def _open(data: bytes) -> _Package:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        package = _Package({name: archive.read(name) for name in archive.namelist()})
    for name, content in package.files.items():
        if name.endswith(".xhtml"):
            root = etree.fromstring(content)
            package.documents[name] = root
            ids = package.ids[name] = set()
            for el in root.iter():
                identifier = el.get("id")
                if identifier:
                    ids.add(identifier)
                    package.elements.setdefault(identifier, el)
    return package


def _references(package: _Package, book: Book) -> Iterator[Diagnostic]:
    """Every link resolves inside the package; nothing outside it is loaded."""
    for name, root in package.documents.items():
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname
            for attribute in ("href", "src", _XLINK_HREF, "cite"):
                value = el.get(attribute)
                if value is None:
                    continue
                hyperlink = (local in ("a", "q", "blockquote", "del", "ins")
                             and attribute in ("href", "cite"))
                problem = _resolve(package, name, value, hyperlink)
                if problem:
                    yield broken(f"{name}: <{local} {attribute.rsplit('}')[-1]}=\"{value[:80]}\"> "
                                  f"{problem}", _chapter_of(name, book))
    ncx = package.files.get(ROOT + "toc.ncx")
    if ncx is not None:
        for content in etree.fromstring(ncx).iter("{*}content"):
            problem = _resolve(package, ROOT + "toc.ncx", content.get("src", ""), False)
            if problem:
                yield broken(f"toc.ncx: '{content.get('src')}' {problem}")
    for name, content in package.files.items():
        if name.endswith(".css"):
            for reference in css_references(content.decode("utf-8", "replace")):
                problem = _resolve(package, name, reference.url, False, css=True)
                if problem:
                    yield broken(f"{name}:{reference.line}:{reference.column}: "
                                  f"'{reference.url[:80]}' {problem}")


def _resolve(package: _Package, base: str, reference: str, hyperlink: bool,
             css: bool = False) -> str | None:
    """Why ``reference`` (written in entry ``base``) does not resolve in the package, or None."""
    reference = reference.strip()
    parts = urlsplit(reference)
    if parts.scheme:
        if hyperlink and parts.scheme.lower() in HYPERLINK_SCHEMES:
            return None
        if css and parts.scheme.lower() == "data":
            return None
        return "refers to something outside the book"
    if parts.netloc:
        return "refers to something outside the book"
    target = base
    if parts.path:
        target = str(PurePosixPath(base).parent / unquote(parts.path))
        target = _normalise(target)
        if target not in package.files:
            return "refers to a file the book does not have"
    fragment = unquote(parts.fragment)
    if fragment and target in package.ids and fragment not in package.ids[target]:
        return "refers to a place the book does not have"
    if fragment and css:
        return None
    return None


def _normalise(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _notes(package: _Package, book: Book) -> Iterator[Diagnostic]:
    """Every call leads to its note, which leads back to it; every note is called."""
    owner = {identifier: name for name, ids in package.ids.items() for identifier in ids}
    note_ids = {note.id: note for note in book.notes}
    called: set[str] = set()
    backs: dict[str, set[str]] = {}  # a note's links back, read once (a note may have 10,000)
    for name, root in package.documents.items():
        for link in root.iter("{*}a"):
            if NOTEREF_CLASS not in (link.get("class") or "").split():
                continue
            target = unquote(urlsplit(link.get("href", "")).fragment)
            called.add(target)
            note = note_ids.get(target)
            if note is None or target not in owner:
                yield broken(f"{name}: the note call '{link.get('id')}' leads to no note",
                              _chapter_of(name, book))
                continue
            if target not in backs:
                backs[target] = {unquote(urlsplit(a.get("href", "")).fragment)
                                 for a in package.elements[target].iter("{*}a")}
            if link.get("id") not in backs[target]:
                yield broken(f"note {note.number} does not lead back to its call "
                              f"'{link.get('id')}'", note.location)
    for note in book.notes:
        if note.id not in owner:
            yield broken(f"note {note.number} is missing from the EPUB", note.location)
        elif note.id not in called:
            yield broken(f"note {note.number} is in the EPUB but nothing calls it", note.location)


def _chapter_of(name: str, book: Book) -> Location | None:
    """The manuscript file of the chapter an EPUB entry holds."""
    stem = PurePosixPath(name).stem
    for chapter in book.chapters:
        if chapter.id == stem:
            return Location(Path(chapter.source))
    return None
