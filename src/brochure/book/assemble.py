"""The book from its parsed chapters: typography set, headings named, files gathered -> ``Book``."""

from __future__ import annotations

import dataclasses

from slugify import slugify

from brochure.book.addresses import mark_addresses
from brochure.book.markdown import ParsedChapter
from brochure.book.notes import chapter_id
from brochure.book.typography import typeset, typeset_text
from brochure.core.model import Asset, Book, Chapter, Heading, Manuscript, Metadata, Note
from brochure.core.xhtml import local_name, plain_text

HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def _name_headings(parsed: ParsedChapter, chapter_id: str, used: set[str]) -> list[Heading]:
    """Give every heading a unique, readable id; return them in order."""
    headings = []
    for el in parsed.body.iter():
        level = HEADING_TAGS.get(local_name(el))
        if level is None:
            continue
        text = plain_text(el)
        base = f"{chapter_id}-{slugify(text, max_length=40, word_boundary=True) or 'section'}"
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        el.set("id", candidate)
        headings.append(Heading(level, text, candidate))
    return headings


def _chapter_title(headings: list[Heading], book_title: str, single: bool, fallback: str) -> str:
    top = [h for h in headings if h.level == 1]
    if top:
        return top[0].text
    if single:
        return book_title
    return headings[0].text if headings else fallback


def _typeset_metadata(meta: Metadata, lang: str) -> Metadata:
    """The metadata a reader sees (title page, ebook library) with the text's typography."""
    def typeset_field(value: str | None) -> str | None:
        return typeset_text(value, lang) if value else value

    return dataclasses.replace(meta, title=typeset_text(meta.title, lang),
                               subtitle=typeset_field(meta.subtitle),
                               description=typeset_field(meta.description))


def typeset_book(chapters: list[ParsedChapter], notes: list[Note], metadata: Metadata,
                 choice: str) -> Metadata:
    """Typography once, in place, on the chapters and notes both formats are written from (and
    before headings are named, so the table of contents reads the same characters as the
    text); returns the metadata as the reader sees it. ``choice`` is the ``typography``
    setting: auto (the book's language), none, or a language."""
    if choice == "none":
        return metadata
    lang = metadata.lang if choice == "auto" else choice
    for chapter in chapters:
        typeset(chapter.body, lang)
    for note in notes:
        for block in note.blocks:
            typeset(block, lang)
    return _typeset_metadata(metadata, lang)


def assemble_book(manuscript: Manuscript, metadata: Metadata, parsed: list[ParsedChapter],
                  notes: list[Note]) -> Book:
    """The book: chapters with named headings and titles, notes (web addresses marked for
    paper in both), and every file it carries."""
    for body in (*(chapter.body for chapter in parsed), *(b for n in notes for b in n.blocks)):
        mark_addresses(body)
    chapter_ids = [chapter_id(n) for n in range(1, len(parsed) + 1)]
    used_ids = set(chapter_ids)
    chapters = []
    for identifier, chapter in zip(chapter_ids, parsed, strict=True):
        headings = _name_headings(chapter, identifier, used_ids)
        title = _chapter_title(headings, metadata.title, len(parsed) == 1,
                               chapter.source.path.stem)
        chapters.append(Chapter(identifier, title, tuple(headings), chapter.body,
                                chapter.source.path))

    assets: dict[str, Asset] = {}
    for asset in (*manuscript.stylesheets, *manuscript.style_assets,
                  *(a for chapter in parsed for a in chapter.assets)):
        assets.setdefault(asset.href, asset)
    return Book(
        metadata=metadata,
        chapters=tuple(chapters),
        notes=tuple(notes),
        stylesheets=tuple(sheet.href for sheet in manuscript.stylesheets),
        assets=tuple(assets.values()),
        settings=manuscript.settings,
        cover=manuscript.cover,
    )
