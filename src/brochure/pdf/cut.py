"""A long book's document cut into chunks that lay out alike alone or in the whole book.

The cuts fall where the stylesheet already breaks the page: before each chapter. The front
matter (title page, imprint, contents) and the back matter (the book's notes) are chunks of
their own, laid out last: they name the pages of the chapters (the contents' page numbers, each
note's "↑ p. 12"), which are known once the chapters are paginated, and are then written into
them as text. Books whose stylesheets use what a chunk could not know alone (counters running
through the book, running elements, fixed boxes, footnotes, pages named by their rank) are not
cut: ``blockers`` says why.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from lxml import etree

from brochure.core.model import Book, NotesLayout
from brochure.core.xhtml import serialize

XHTML = "{http://www.w3.org/1999/xhtml}"
PAGE_ATTRIBUTE = "data-brochure-page"
# The page references of the shared stylesheet, in late chunks replaced by the page number
# brochure writes into each link (other forms stay, and stop the chunking when laid out).
PAGE_REFERENCES = re.compile(r"target-counter\(\s*attr\(\s*href(?:\s+url)?\s*\)\s*,\s*page\s*\)")
# What a chunk laid out alone cannot know (a conservative look at the stylesheets' text).
BLOCKING_CSS = {
    "a counter running through the book": re.compile(r"counter-(?:increment|reset|set)\s*:"),
    "fixed-position boxes": re.compile(r"position\s*:\s*fixed"),
    "running elements": re.compile(r"running\s*\(|element\s*\("),
    "target-text or target-counters": re.compile(r"target-(?:text|counters)\s*\("),
    "@page :first or :nth()": re.compile(r"@page[^{;]*:(?:first|nth)"),
}
STAND_IN_STYLE = "display: none !important"  # the body's children a chunk does not show
LEAD_STYLE = ("display: block !important; height: 0 !important; margin: 0 !important; "
              "padding: 0 !important; border: 0 !important; page: auto !important")
TOTAL_PAGES = re.compile(r"counters?\(\s*pages\s*[,)]")


@dataclass(frozen=True)
class Chunk:
    source: bytes  # the chunk's own XHTML document
    anchors: tuple[str, ...]  # the anchors of the elements it shows, in order
    links: frozenset[str]  # the anchors its links point to
    # With chapters opening on right-hand pages: the id of the chunk's first element, which
    # a lead page and a blank left-hand page come before (kept if the book needs that blank).
    opens: str | None = None


@dataclass(frozen=True)
class Plan:
    anchors: frozenset[str]  # the whole document's
    front: Chunk
    chapters: tuple[Chunk, ...]
    back: Chunk | None
    wants_total: bool  # the stylesheets print the page count (counter(pages))


def blockers(book: Book, notes: NotesLayout) -> list[str]:
    """Why this book is laid out in one piece (empty: it can be cut)."""
    found = []
    if notes == NotesLayout.FOOTNOTES:
        found.append("notes printed as footnotes")
    elif notes == NotesLayout.CHAPTER_END:
        found.append("notes at the end of each chapter")
    for sheet in stylesheets(book):
        text = _without_comments(sheet)
        found += [what for what, pattern in BLOCKING_CSS.items() if pattern.search(text)]
    return list(dict.fromkeys(found))


def stylesheets(book: Book) -> list[str]:
    return [asset.data.decode("utf-8", "replace") for asset in book.assets
            if asset.media_type == "text/css"]


def late_stylesheet(css: bytes) -> bytes:
    """A stylesheet for the front and back chunks: page references read the page number that
    brochure wrote in the link."""
    text = css.decode("utf-8")
    return PAGE_REFERENCES.sub(f"attr({PAGE_ATTRIBUTE})", text).encode("utf-8")


def _without_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)


def plan(document: bytes, book: Book, chunks: int) -> Plan | None:
    """The document cut into a front chunk, ``chunks`` chunks of whole chapters of about the
    same length, and a back chunk; None if it has too few chapters or odd inline styles."""
    root = etree.fromstring(document)
    body = root.find(f"{XHTML}body")
    if body is None:
        return None
    children = list(body)
    chapters = [i for i, child in enumerate(children) if "chapter" in _classes(child)]
    if len(chapters) < max(2, chunks) or chapters != list(range(chapters[0], chapters[-1] + 1)):
        return None
    if any(BLOCKING_CSS["fixed-position boxes"].search(style) or "footnote" in style
           for style in root.xpath("//@style")):
        return None
    front = children[:chapters[0]]
    if not front:  # the first part would print an empty page
        return None
    middle = children[chapters[0]:chapters[-1] + 1]
    back = children[chapters[-1] + 1:]
    sizes = [len(etree.tostring(child)) for child in middle]
    groups = _balanced(sizes, chunks)
    recto = book.settings.chapters_on_recto
    made = []
    start = 0
    for count in groups:
        made.append(_chunk(root, middle[start:start + count], lead=recto))
        start += count
    wants_total = any(TOTAL_PAGES.search(_without_comments(css)) for css in stylesheets(book))
    return Plan(frozenset(_anchors(body)), _chunk(root, front, lead=False), tuple(made),
                _chunk(root, back, lead=recto) if back else None, wants_total)


def _chunk(root, children: list, lead: bool) -> Chunk:
    anchors = [name for child in children for name in _anchors(child)]
    links = {href[1:] for child in children
             for href in child.xpath(".//*[local-name()='a']/@href") if href.startswith("#")}
    return Chunk(_document(root, children, lead), tuple(anchors), frozenset(links),
                 children[0].get("id") if lead else None)


def _anchors(element) -> list[str]:
    """The anchors in an element (ids, and names of links), itself included, in order."""
    return element.xpath(".//@id | .//*[local-name()='a']/@name")


def _classes(element) -> list[str]:
    return (element.get("class") or "").split()


def _balanced(sizes: list[int], parts: int) -> list[int]:
    """How many consecutive items each of ``parts`` groups takes so that they weigh alike."""
    total = sum(sizes)
    counts: list[int] = []
    taken, weight = 0, 0
    for index, size in enumerate(sizes):
        left_items, left_parts = len(sizes) - index, parts - len(counts)
        target = total * (len(counts) + 1) / parts
        if taken and (weight + size / 2 > target or left_items < left_parts):
            counts.append(taken)
            taken = 0
        taken += 1
        weight += size
    counts.append(taken)
    return counts


def _document(root, children, lead: bool = False) -> bytes:
    """The whole document with only these children of its body shown. The others stay as
    empty, undisplayed stand-ins with their tags and attributes, so that a selector that
    looks at an element's siblings (``.chapter + .chapter``, ``:first-child``) matches in the
    chunk as in the whole book. With ``lead``, the stand-in just before the first child is
    shown, empty, with its class alone: it makes a first page, so that a first child that
    opens on a right-hand page comes after a blank left-hand one, as it may in the book."""
    kept = set(children)
    shell = etree.Element(root.tag, dict(root.attrib), nsmap=root.nsmap)
    for child in root:
        if child.tag != f"{XHTML}body":
            shell.append(copy.deepcopy(child))
            continue
        body = etree.SubElement(shell, child.tag, dict(child.attrib))
        body.text = child.text
        elements = list(child)
        for index, element in enumerate(elements):
            if element in kept:
                body.append(copy.deepcopy(element))
            elif isinstance(element.tag, str):
                leads = lead and index + 1 < len(elements) and elements[index + 1] is children[0]
                attributes = ({"class": element.get("class") or "", "style": LEAD_STYLE}
                              if leads else {**element.attrib, "style": STAND_IN_STYLE})
                stand_in = etree.SubElement(body, element.tag, attributes)
                # Never <section/>: an HTML parser reads it as an opening tag.
                stand_in.append(etree.Comment(" shown in another part "))
    return serialize(shell)


def with_page_numbers(source: bytes, numbers: dict[str, int]) -> bytes:
    """A late chunk with the page of each link's target written in the link."""
    root = etree.fromstring(source)
    for link in root.iter(f"{XHTML}a"):
        href = link.get("href") or ""
        if href.startswith("#") and href[1:] in numbers:
            link.set(PAGE_ATTRIBUTE, str(numbers[href[1:]]))
    return serialize(root)
