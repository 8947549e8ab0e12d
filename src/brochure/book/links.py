"""Links the author wrote lead somewhere: to the web, or to a place in the book.

A link to ``#fragment`` must name an element of the book (a heading, a chapter, a note); a link
to a relative path may name a chapter's own file (``02-work.md``), which becomes a link to that
chapter. Anything else (a fragment the book does not have, another file, ``../../etc/passwd``)
would be a link to nowhere in the EPUB: it is removed, its text kept, with a warning at its line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from lxml import etree

from brochure.book.markdown import source_lines
from brochure.core.diagnostics import Location, Report
from brochure.core.model import Book, SourceText
from brochure.core.xhtml import NOTEREF_CLASS, q

EXTERNAL_SCHEMES = {"http", "https", "mailto"}


def resolve_links(book: Book, sources: Sequence[SourceText], report: Report) -> None:
    """Point links to chapter files at their chapter; remove, with a warning, links that lead
    to no place in the book."""
    ids = {el.get("id") for root, _ in _roots(book) for el in root.iter() if el.get("id")}
    ids |= {chapter.id for chapter in book.chapters} | {note.id for note in book.notes}
    chapters = {chapter.source.resolve(): chapter.id for chapter in book.chapters}
    texts = {source.path: source for source in sources}
    said: set[tuple[str, Location]] = set()
    for root, path in _roots(book):
        for link in list(root.iter(q("a"))):
            href = link.get("href")
            if href is None or NOTEREF_CLASS in (link.get("class") or "").split():
                continue
            target = _target(href, path, ids, chapters)
            if target is None:
                source = texts.get(path)
                line = _line_of(source, href) if source else None
                warning = (f"link to '{href[:80]}' leads to no place in the book; it is removed "
                           "(its text is kept)", Location(path, line))
                if warning not in said:  # an <a> left open is repeated in every block after it
                    said.add(warning)
                    report.warn(*warning, "link to a web address, to a chapter's file, or to "
                                "nothing")
                _unlink(link)
            elif target != href:
                link.set("href", target)


def _roots(book: Book) -> Iterator[tuple[etree._Element, Path]]:
    """Every tree the author's text is in, with the file it came from."""
    for chapter in book.chapters:
        yield chapter.body, chapter.source
    for note in book.notes:
        for block in note.blocks:
            yield block, note.location.path


def _target(href: str, path: Path, ids: set[str], chapters: dict[Path, str]) -> str | None:
    """What ``href`` (written in ``path``) should be, or None if it leads nowhere."""
    parts = urlsplit(href.strip())
    if parts.scheme:
        return href if parts.scheme.lower() in EXTERNAL_SCHEMES else None
    if parts.netloc:
        return None
    if not parts.path:
        return href if unquote(parts.fragment) in ids else None
    relative = unquote(parts.path)
    if PurePosixPath(relative).is_absolute() or "\x00" in relative:
        return None
    chapter = chapters.get((path.parent / relative).resolve())
    if chapter is None:
        return None
    fragment = unquote(parts.fragment)
    return f"#{fragment}" if fragment in ids else f"#{chapter}"


def _line_of(source: SourceText, href: str) -> int | None:
    return next((number for number, text in source_lines(source) if href in text), None)


def _unlink(link: etree._Element) -> None:
    """Make a link plain text in place (it may be a note's block itself): a <span>."""
    link.tag = q("span")
    for attribute in ("href", "class", "rel"):
        link.attrib.pop(attribute, None)
