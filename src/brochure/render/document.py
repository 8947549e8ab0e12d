"""Render stage: ``Book`` -> one XHTML document, the single source of both the EPUB and the PDF."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date
from lxml import etree

from brochure.core.i18n import strings, text_direction
from brochure.core.model import (
    Book,
    Chapter,
    Heading,
    Metadata,
    NotesLayout,
    Part,
    Rendering,
    TocEntry,
)
from brochure.core.xhtml import EPUB_TYPE, XML_LANG, element
from brochure.render.credits import credits, names
from brochure.render.front_matter import add_front_matter
from brochure.render.notes import BACKLINK_TEXT as BACKLINK_TEXT  # where tests look for it
from brochure.render.notes import (
    NOTES_ID,
    book_notes,
    chapter_notes,
    mark_headings,
    notes_by_chapter,
    place_footnotes,
)

TITLEPAGE_ID = "titlepage"


def display_date(date: str, lang: str) -> str:
    """An ISO date as the book's language writes it (10 août 2017), or as given if unknown."""
    parts = [int(p) for p in date.split("-")]
    try:
        locale = Locale.parse(lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return date
    if len(parts) == 3:
        return format_date(dt.date(*parts), format="long", locale=locale)
    if len(parts) == 2:
        return format_date(dt.date(parts[0], parts[1], 1), format="MMMM y", locale=locale)
    return date


def _head(html: etree._Element, book: Book) -> None:
    meta = book.metadata
    head = element("head", parent=html)
    element("meta", {"charset": "utf-8"}, parent=head)
    element("title", text=meta.title, parent=head)
    if meta.authors:
        element("meta", {"name": "author", "content": ", ".join(meta.authors)}, parent=head)
    if meta.description:
        element("meta", {"name": "description", "content": meta.description}, parent=head)
    if meta.subjects:
        element("meta", {"name": "keywords", "content": ", ".join(meta.subjects)}, parent=head)
    if meta.date:
        element("meta", {"name": "dcterms.created", "content": meta.date}, parent=head)
    for href in book.stylesheets:
        element("link", {"rel": "stylesheet", "type": "text/css", "href": href}, parent=head)


def _titlepage(body: etree._Element, meta: Metadata) -> etree._Element:
    words = strings(meta.lang)
    section = element("section", {
        "id": TITLEPAGE_ID, "class": "titlepage", EPUB_TYPE: "titlepage",
        "aria-label": words["titlepage"],
    }, parent=body)
    element("h1", {"class": "title"}, meta.title, parent=section)
    if meta.subtitle:
        element("p", {"class": "subtitle"}, meta.subtitle, parent=section)
    if meta.authors:
        element("p", {"class": "author"}, names(list(meta.authors), meta.lang), parent=section)
    for line in credits(meta):
        element("p", {"class": "credit"}, line, parent=section)
    if meta.date:
        element("p", {"class": "date"}, display_date(meta.date, meta.lang), parent=section)
    if meta.publisher:
        element("p", {"class": "publisher"}, meta.publisher, parent=section)
    return section


def _chapter(body: etree._Element, chapter: Chapter) -> etree._Element:
    section = element("section", {
        "id": chapter.id, "class": "chapter", EPUB_TYPE: "chapter", "role": "doc-chapter",
    }, parent=body)
    content = copy.deepcopy(chapter.body)
    section.text = content.text
    section.extend(list(content))
    mark_headings(section)
    return section


def _nest(headings: Sequence[Heading]) -> tuple[TocEntry, ...]:
    """Nest a flat run of headings by level."""
    entries: list[TocEntry] = []
    i = 0
    while i < len(headings):
        head = headings[i]
        j = i + 1
        while j < len(headings) and headings[j].level > head.level:
            j += 1
        entries.append(TocEntry(head.text, head.id, _nest(headings[i + 1:j])))
        i = j
    return tuple(entries)


def _toc(book: Book, notes: TocEntry | None) -> tuple[TocEntry, ...]:
    entries = []
    for chapter in book.chapters:
        headings = list(chapter.headings)
        if headings and headings[0].level == 1 and headings[0].text == chapter.title:
            headings = headings[1:]
        entries.append(TocEntry(chapter.title, chapter.id, _nest(headings)))
    if notes is not None:
        entries.append(notes)
    return tuple(entries)


def render_book(book: Book, notes: NotesLayout = NotesLayout.BOOK_END) -> Rendering:
    """The document of ``book``, its notes where ``notes`` says.

    The EPUB's and the PDF's renderings differ only when the PDF prints footnotes: each note
    then follows its first call, for the stylesheet to float to the foot of the page.
    """
    lang = book.metadata.lang
    per_chapter = {chapter.id: notes for chapter, notes in notes_by_chapter(book)}
    html = element("html", {"lang": lang, XML_LANG: lang})
    if text_direction(lang) == "rtl":
        html.set("dir", "rtl")
    _head(html, book)
    body = element("body", parent=html)
    parts = [Part(TITLEPAGE_ID, "titlepage", strings(lang)["titlepage"])]
    _titlepage(body, book.metadata)
    for chapter in book.chapters:
        section = _chapter(body, chapter)
        chapter_notes_ = per_chapter.get(chapter.id)
        if chapter_notes_ and notes == NotesLayout.FOOTNOTES:
            place_footnotes(section, chapter_notes_, lang)
        elif chapter_notes_ and notes == NotesLayout.CHAPTER_END:
            chapter_notes(section, chapter, chapter_notes_, lang)
        parts.append(Part(chapter.id, "chapter", chapter.title))
    landmarks = {"titlepage": TITLEPAGE_ID}
    if book.chapters:
        landmarks["bodymatter"] = book.chapters[0].id
    notes_entry = None
    if book.notes and notes == NotesLayout.BOOK_END:
        notes_parts, notes_entry = book_notes(body, book)
        parts.extend(notes_parts)
        landmarks["endnotes"] = NOTES_ID
    meta = book.metadata
    parts[1:1] = add_front_matter(body, book, NOTES_ID if notes_entry else None,
                                  display_date(meta.date, lang) if meta.date else None)
    return Rendering(
        document=etree.ElementTree(html),
        parts=tuple(parts),
        toc=_toc(book, notes_entry),
        book=book,
        notes=notes,
        landmarks=landmarks,
    )
