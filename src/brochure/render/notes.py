"""Notes in the rendered document: where they go and the markup each placement uses.

- ``book``: one Notes section after the last chapter, grouped under the title of each chapter
  when the book has several, cut into sections of at most ``NOTES_PER_FILE`` notes (the EPUB
  writer gives each its own file, so that readers stay fast on books with thousands of notes).
- ``chapter``: a Notes section at the end of each chapter.
- footnotes (the PDF only): each note follows its first call, as ``float: footnote`` elements.
  WeasyPrint never splits a footnote over two pages, and one taller than the room left
  is pushed from page to page, dragging the text with it (Kozea/WeasyPrint#1833). So a note
  longer than ``LONG_FOOTNOTE`` words (images and tables count) is cut into several footnote
  elements, one per block and, inside a long paragraph, one per ``FOOTNOTE_WORDS`` words:
  WeasyPrint then carries the pieces that do not fit to the next page, as a long note is set
  in print. Shorter notes stay whole: pieces cost WeasyPrint more deferrals of later footnotes.

Every note shows its number as text: lists are not renumbered by CSS counters because an ol
cut over several EPUB files, or read by WeasyPrint (which ignores ``start`` without
presentational hints), would restart at 1.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lxml import etree

from brochure.core.i18n import strings
from brochure.core.model import Book, Chapter, Note, Part, TocEntry
from brochure.core.xhtml import EPUB_TYPE, NOTEREF_CLASS, element, is_noteref, local_name, plain_text, q

NOTES_ID = "notes"
NOTES_PER_FILE = 500  # Standard Ebooks' threshold for splitting endnotes.xhtml
BACKLINK_TEXT = "\u2191"  # ↑ (text fonts rarely have ↩, the usual web choice)
NOTES_HEAD = "data-notes-head"  # the running head over the notes of a chapter, in the PDF
PLAIN_TITLE = "data-title"  # a heading's text without note numbers, for PDF bookmarks
FOOTNOTE_WORDS = 120  # about ten lines of footnote on an A5 page, a quarter of it
LONG_FOOTNOTE = 250  # words; about half an A5 page of footnote
FIGURE_WORDS = 150  # an image or a table in a note weighs as much as this many words
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Block elements turned into spans (with a class naming them) inside a footnote, which must sit
# inside the paragraph that calls it; the stylesheet displays them as blocks again.
BLOCKS = HEADINGS | {
    "p", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "div", "pre", "hr", "figure",
    "figcaption", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "col",
    "colgroup",
}


def running_head(lang: str, title: str | None = None) -> str:
    notes = strings(lang)["notes"]
    return f"{notes} · {title}" if title else notes


def backlinks(note: Note, lang: str) -> list[etree._Element]:
    words = strings(lang)
    links = []
    several = len(note.ref_ids) > 1
    for index, ref in enumerate(note.ref_ids, start=1):
        label = (words["backlink_nth"] if several else words["backlink"]).format(
            number=note.number, index=index)
        link = element("a", {
            "href": f"#{ref}", "class": "backlink", "role": "doc-backlink", "aria-label": label,
        }, BACKLINK_TEXT)
        if several:
            element("sup", text=str(index), parent=link)
        links.append(link)
    return links


def _append_inline(parent: etree._Element, child: etree._Element, space: str = " ") -> None:
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "").rstrip(" ") + space
    else:
        parent.text = (parent.text or "").rstrip(" ") + space
    parent.append(child)


def note_content(note: Note, lang: str) -> list[etree._Element]:
    """The blocks of a note: its number, its text (structure kept), links back to its calls."""
    blocks = copy.deepcopy(list(note.blocks))
    number = element("span", {"class": "note-number"}, f"{note.number}.")
    if blocks and local_name(blocks[0]) == "p":
        first = blocks[0]
        number.tail = " " + (first.text or "")
        first.text = None
        first.insert(0, number)
    else:
        blocks.insert(0, element("p", {"class": "note-number-line"}))
        blocks[0].append(number)
    last = blocks[-1] if local_name(blocks[-1]) == "p" else None
    if last is None:
        last = element("p", {"class": "backlinks"})
        blocks.append(last)
    for link in backlinks(note, lang):
        _append_inline(last, link, "\u00a0")  # the arrow never starts a line on its own
    return blocks


def endnote_list(notes: Sequence[Note], lang: str, parent: etree._Element) -> etree._Element:
    """The notes as plain list items of an ``endnotes`` section, as the DAISY Knowledge Base
    marks them: ``endnote`` is deprecated by the Structural Semantics Vocabulary (EPUB 3.3)
    and ``doc-endnote`` by DPUB-ARIA 1.1, which also keeps ``doc-footnote`` out of endnotes;
    ``epub:type="footnote"`` on an item would want that role, which a list item may not take
    (DAISY Ace). Readers find a note from its call's ``noteref``."""
    ol = element("ol", {"class": "notes", "start": str(notes[0].number)}, parent=parent)
    for note in notes:
        li = element("li", {"id": note.id, "class": "note"}, parent=ol)
        li.extend(note_content(note, lang))
    return ol


def _endnotes_section(attrib: dict[str, str], parent: etree._Element | None = None) -> etree._Element:
    attrib = {**attrib, EPUB_TYPE: "endnotes", "role": "doc-endnotes"}
    if parent is None:
        return element("section", attrib)
    return element("section", attrib, parent=parent)


def notes_by_chapter(book: Book) -> list[tuple[Chapter, list[Note]]]:
    found: dict[str, list[Note]] = {}
    for note in book.notes:
        found.setdefault(note.chapter_id, []).append(note)
    return [(chapter, found[chapter.id]) for chapter in book.chapters if chapter.id in found]


def group_id(chapter: Chapter) -> str:
    return f"notes-{chapter.id}"


@dataclass(frozen=True)
class _Piece:
    chapter: Chapter | None  # None when the book has a single chapter: no sub-headings
    notes: list[Note]
    first: bool  # the first piece of its chapter's notes (it carries the sub-heading)


def _files(groups: list[tuple[Chapter | None, list[Note]]], limit: int) -> Iterator[list[_Piece]]:
    """Cut the groups into files of at most ``limit`` notes, preferably between chapters."""
    current: list[_Piece] = []
    count = 0
    for chapter, notes in groups:
        if current and count + len(notes) > limit:
            yield current
            current, count = [], 0
        start = 0
        while start < len(notes):
            if count == limit:
                yield current
                current, count = [], 0
            take = notes[start:start + limit - count]
            current.append(_Piece(chapter, take, start == 0))
            count += len(take)
            start += len(take)
    if current:
        yield current


def book_notes(body: etree._Element, book: Book,
               limit: int | None = None) -> tuple[list[Part], TocEntry]:
    """The Notes section at the end of the book; one part per file, and its TOC entry."""
    limit = limit or NOTES_PER_FILE
    lang = book.metadata.lang
    words = strings(lang)
    grouped = len(book.chapters) > 1
    groups = [(chapter if grouped else None, notes) for chapter, notes in notes_by_chapter(book)]
    parts, children = [], []
    for index, pieces in enumerate(_files(groups, limit), start=1):
        part_id = NOTES_ID if index == 1 else f"{NOTES_ID}-{index}"
        classes = "endnotes" if index == 1 else "endnotes endnotes-continued"
        attrib = {"id": part_id, "class": classes}
        if index > 1:
            attrib["aria-label"] = words["notes"]
        section = _endnotes_section(attrib, body)
        if index == 1:
            element("h1", text=words["notes"], parent=section)
        for piece in pieces:
            holder = section
            if piece.chapter is not None:
                holder = element("section", {"class": "notes-group"}, parent=section)
                if piece.first:
                    holder.set("id", group_id(piece.chapter))
                    heading = element("h2", {NOTES_HEAD: running_head(lang, piece.chapter.title)},
                                      parent=holder)
                    element("a", {"href": f"#{piece.chapter.id}"}, piece.chapter.title,
                            parent=heading)
                    children.append(TocEntry(piece.chapter.title, group_id(piece.chapter)))
                else:
                    holder.set(NOTES_HEAD, running_head(lang, piece.chapter.title))
            endnote_list(piece.notes, lang, holder)
        parts.append(Part(part_id, "endnotes", words["notes"]))
    return parts, TocEntry(words["notes"], NOTES_ID, tuple(children))


def chapter_notes(section: etree._Element, chapter: Chapter, notes: Sequence[Note],
                  lang: str) -> None:
    """A Notes section closing the chapter ``section``."""
    words = strings(lang)
    holder = _endnotes_section({"id": group_id(chapter), "class": "endnotes chapter-endnotes"},
                               section)
    element("h2", text=words["notes"], parent=holder)
    endnote_list(notes, lang, holder)


def mark_headings(section: etree._Element) -> None:
    """Give headings that call a note their text without its number, for bookmarks."""
    for el in section.iter():
        if local_name(el) in HEADINGS and any(is_noteref(c) for c in el.iter(q("sup"))):
            el.set(PLAIN_TITLE, plain_text(el))


def _as_spans(blocks: list[etree._Element]) -> list[etree._Element]:
    for block in blocks:
        for el in block.iter():
            name = local_name(el)
            if name in BLOCKS:
                el.tag = q("span")
                el.set("class", " ".join(filter(None, [f"fn-{name}", el.get("class")])))
    return blocks


def _is_block(el: etree._Element) -> bool:
    return any(c.startswith("fn-") and c[3:] in BLOCKS for c in (el.get("class") or "").split())


def _shell(el: etree._Element) -> etree._Element:
    return etree.Element(el.tag, dict(el.attrib))


def _split_words(block: etree._Element, limit: int) -> list[etree._Element]:
    """Cut a block of inline content between words, ``limit`` words a piece at most."""
    pieces = [_shell(block)]
    count = 0

    def add_text(text: str) -> None:
        nonlocal count
        for token in re.split(r"(\s+)", text):
            if not token:
                continue
            if not token.isspace():
                if count >= limit:
                    pieces.append(_shell(block))
                    count = 0
                count += 1
            elif count == 0 and len(pieces) > 1 and not len(pieces[-1]) and not pieces[-1].text:
                continue  # no space at the start of a continued piece
            last = pieces[-1]
            if len(last):
                last[-1].tail = (last[-1].tail or "") + token
            else:
                last.text = (last.text or "") + token

    add_text(block.text or "")
    for child in list(block):
        tail, child.tail = child.tail, None
        words = len("".join(child.itertext()).split())
        if count >= limit and words:
            pieces.append(_shell(block))
            count = 0
        pieces[-1].append(child)
        count += words
        add_text(tail or "")
    return pieces


def _pieces(block: etree._Element, limit: int) -> list[etree._Element]:
    """A block cut into pieces that WeasyPrint may set on different pages; tables stay whole."""
    if local_name(block) != "span" or "fn-table" in (block.get("class") or "").split():
        return [block]
    if not any(_is_block(child) for child in block):
        return _split_words(block, limit)
    pieces = []
    for child in list(block):
        for piece in _pieces(child, limit) if _is_block(child) else [child]:
            holder = _shell(block)
            holder.append(piece)
            pieces.append(holder)
    return pieces


def _weight(blocks: list[etree._Element]) -> int:
    """The words of some blocks, an image or a table counting as much as a long paragraph."""
    words = sum(len(" ".join(block.itertext()).split()) for block in blocks)
    figures = sum(1 for block in blocks for el in block.iter()
                  if local_name(el) == "img" or "fn-table" in (el.get("class") or "").split())
    return words + FIGURE_WORDS * figures


def footnotes(note: Note, lang: str, limit: int = FOOTNOTE_WORDS) -> list[etree._Element]:
    """The footnote elements of a note: the first carries its id, the others continue it."""
    blocks = _as_spans(note_content(note, lang))
    if _weight(blocks) <= LONG_FOOTNOTE:
        whole = element("span", {"class": "footnote", "id": note.id})
        whole.extend(blocks)
        return [whole]
    elements: list[etree._Element] = []
    for block in blocks:
        for index, piece in enumerate(_pieces(block, limit)):
            classes = ["footnote"]
            if elements:
                classes.append("footnote-more")
            if index:
                classes.append("footnote-split")
            holder = element("span", {"class": " ".join(classes)})
            holder.append(piece)
            elements.append(holder)
    elements[0].set("id", note.id)
    return elements


def place_footnotes(section: etree._Element, notes: Sequence[Note], lang: str) -> None:
    """Put each note right after its first call, as footnotes (the PDF's print-notes mode).

    A note first called from another note's text goes at the end of the block (paragraph,
    list, table) that calls the other note, after the footnotes of that block's own calls:
    WeasyPrint does not float a footnote out of a footnote, and at the foot of the page the
    notes then come in the order of their numbers (book/markdown.py, ``reached_labels``)."""
    first_calls = {note.ref_ids[0]: note for note in notes}
    placed: set[str] = set()
    queue = list(section.iter(q("a")))
    while queue:
        link = queue.pop(0)
        note = first_calls.get(link.get("id", ""))
        if note is None or note.id in placed or NOTEREF_CLASS not in (link.get("class") or "").split():
            continue
        placed.add(note.id)
        elements = footnotes(note, lang)
        holder = _footnote_of(link)
        if holder is None:
            anchor = link.getparent()
            tail, anchor.tail = anchor.tail, None
            for footnote in elements:
                anchor.addnext(footnote)
                anchor = footnote
            anchor.tail = tail
        else:
            _last_block(_top_block(holder, section)).extend(elements)
        queue.extend(a for footnote in elements for a in footnote.iter(q("a")))


def _top_block(el: etree._Element, section: etree._Element) -> etree._Element:
    """The block of the chapter ``section`` that holds ``el``."""
    while (parent := el.getparent()) is not None and parent is not section:
        el = parent
    return el


def _last_block(block: etree._Element) -> etree._Element:
    """Where text may end a block: its last list item, row cell or paragraph, if it has one."""
    while len(block) and local_name(block[-1]) in _HOLDERS and not _is_footnote(block[-1]):
        block = block[-1]
    return block


_HOLDERS = HEADINGS | {"p", "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr", "td",
                       "th", "dl", "dd", "dt", "blockquote", "div", "figure", "figcaption"}


def _is_footnote(el: etree._Element) -> bool:
    return "footnote" in (el.get("class") or "").split()


def _footnote_of(el: etree._Element) -> etree._Element | None:
    """The footnote element ``el`` stands in, if it is in one."""
    for ancestor in el.iterancestors():
        if _is_footnote(ancestor):
            return ancestor
    return None
