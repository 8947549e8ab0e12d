"""Assemble stage: ``Manuscript`` -> ``Book`` (chapters parsed, notes numbered, headings named)."""

from __future__ import annotations

import dataclasses

from slugify import slugify

from brochure.diagnostics import Report
from brochure.model import Asset, Book, Chapter, Heading, Manuscript, Metadata
from brochure.notes import number_notes
from brochure.parse import ParsedChapter, parse_chapters
from brochure.resolver import Resolver
from brochure.sandbox import Limits
from brochure.typography import typeset, typeset_text
from brochure.xhtml import local_name, plain_text

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
    changes = {name: typeset_text(getattr(meta, name), lang)
               for name in ("title", "subtitle", "description") if getattr(meta, name)}
    return dataclasses.replace(meta, **changes)


def assemble_book(manuscript: Manuscript, report: Report, limits: Limits | None = None) -> Book:
    resolver = Resolver.for_roots(manuscript.root)
    parsed = parse_chapters(manuscript.sources, resolver, report, limits)
    report.raise_if_errors()

    chapter_ids = [f"chapter-{n}" for n in range(1, len(parsed) + 1)]
    notes = number_notes(parsed, chapter_ids,
                         per_chapter=manuscript.settings.note_numbering == "chapter")
    # Typography once, on the model both formats are written from (and before headings are
    # named, so the table of contents reads the same characters as the text).
    metadata = manuscript.metadata
    chosen = manuscript.settings.typography
    if chosen != "none":
        lang = metadata.lang if chosen == "auto" else chosen
        for chapter in parsed:
            typeset(chapter.body, lang)
        for note in notes:
            for block in note.blocks:
                typeset(block, lang)
        metadata = _typeset_metadata(metadata, lang)
    used_ids = set(chapter_ids)
    chapters = []
    for chapter_id, chapter in zip(chapter_ids, parsed, strict=True):
        headings = _name_headings(chapter, chapter_id, used_ids)
        title = _chapter_title(headings, metadata.title, len(parsed) == 1,
                               chapter.source.path.stem)
        chapters.append(Chapter(chapter_id, title, tuple(headings), chapter.body,
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
    )
