"""The print edition's page numbers in the EPUB: a page-break marker where each page of the
PDF begins, and the navigation document's page-list.

The PDF's writer says where each of its pages begins (``PageStart``: the element its first
line comes from, and that line's text). Here that line is found in the same element of the
EPUB's document, and a marker goes in front of the word the page starts with (a page that
starts inside a hyphenated word gets its marker before the whole word). A page that starts
with a block gets its marker before the block, inside the chapter; a page with nothing on it
shares the next page's place.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from brochure.core.model import PageStart
from brochure.core.xhtml import EPUB_TYPE, element, local_name, q

# Elements a <span> may not be a child of: the marker goes inside their items instead.
NO_SPAN_CHILD = {"ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup",
                 "html", "head"}
_PREFIXES = (None, 40, 20, 10)  # a line, then shorter starts of it, when the whole is not found


def marker_id(label: str) -> str:
    return f"page-{label}"


@dataclass(frozen=True)
class Placed:
    """What ``mark_pages`` did: the markers' labels and ids in page order, the pages missed."""

    markers: tuple[tuple[str, str], ...]
    missed: tuple[str, ...]


def mark_pages(root: etree._Element, starts: tuple[PageStart | None, ...]) -> Placed:
    """Insert a page-break marker for each page into the document ``root``, in place."""
    by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    body = root.find(q("body"))
    reached: dict[etree._Element, int] = {}  # element -> offset of its last marker
    markers: list[tuple[str, str]] = []
    missed: list[str] = []
    waiting: list[str] = []  # pages with nothing on them, marked with the next one
    for start in starts:
        if start is None:
            continue
        if not start.anchor:
            waiting.append(start.label)
            continue
        target = _follow(by_id.get(start.anchor), start.path, start.tag)
        place = _place(target, start.text, reached, body) if target is not None else None
        if place is None:
            missed.extend([*waiting, start.label])
            waiting = []
            continue
        labels = (*waiting, start.label)
        markers.extend((label, marker_id(label)) for label in labels)
        place([_marker(label) for label in labels])
        waiting = []
    missed.extend(waiting)
    return Placed(tuple(markers), tuple(missed))


def _marker(label: str) -> etree._Element:
    return element("span", {EPUB_TYPE: "pagebreak", "role": "doc-pagebreak",
                            "id": marker_id(label), "aria-label": label})


def _follow(el: etree._Element | None, path: tuple[int, ...], tag: str) -> etree._Element | None:
    for index in path:
        if el is None:
            return None
        children = [child for child in el  # markers placed already are not the PDF's
                    if isinstance(child.tag, str) and child.get(EPUB_TYPE) != "pagebreak"]
        el = children[index] if index < len(children) else None
    return el if el is not None and local_name(el) == tag else None


def _place(target: etree._Element, text: str | None, reached: dict, body: etree._Element):
    """A function that inserts a marker where the page begins in ``target``, or None."""
    if text is None:  # the page opens on this image
        return _before(target, body)
    folded, slots = _folded(target)
    offset = _find(folded, text, reached.get(target, 0))
    if offset is None:
        return None
    while offset > reached.get(target, 0) and folded[offset - 1] != " ":
        offset -= 1  # the page starts inside a hyphenated word: mark the word
    reached[target] = offset
    if not folded[:offset].strip():
        return _before(target, body)
    owner, slot, at = slots[offset]
    return lambda markers: _split(owner, slot, at, markers)


def _find(folded: str, text: str, start: int) -> int | None:
    for length in _PREFIXES:
        needle = text if length is None else text[:length].rsplit(" ", 1)[0]
        if not needle.strip():
            continue
        found = folded.find(needle, start)
        if found >= 0:
            return found
    return None


def _text_slots(el: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """(element, "text" or "tail") of each text inside ``el``, in reading order."""
    if el.text:
        yield el, "text"
    for child in el:
        if isinstance(child.tag, str):
            yield from _text_slots(child)
        if child.tail:
            yield child, "tail"


def _folded(el: etree._Element) -> tuple[str, list[tuple[etree._Element, str, int]]]:
    """The text of ``el`` with its whitespace folded as a line shows it (soft hyphens out),
    and for each of its characters the text slot and offset it comes from."""
    chars: list[str] = []
    where: list[tuple[etree._Element, str, int]] = []
    for owner, slot in _text_slots(el):
        raw = getattr(owner, slot)
        for offset, char in enumerate(raw):
            if char == "\u00ad":
                continue
            if char in " \t\n\r\f":
                if chars and chars[-1] == " ":
                    continue
                char = " "
            chars.append(char)
            where.append((owner, slot, offset))
    return "".join(chars), where


def _split(owner: etree._Element, slot: str, at: int, markers: list[etree._Element]) -> None:
    """Put ``markers`` at offset ``at`` of the text slot (``owner``'s text or tail)."""
    raw = getattr(owner, slot) or ""
    setattr(owner, slot, raw[:at] or None)
    markers[-1].tail = raw[at:] or None
    parent, first = (owner, 0) if slot == "text" else (owner.getparent(),
                                                         owner.getparent().index(owner) + 1)
    for offset, marker in enumerate(markers):
        parent.insert(first + offset, marker)


def _before(target: etree._Element, body: etree._Element):
    """A function that puts a marker before ``target``, or before the outermost element that
    starts with it, inside its chapter; inside ``target`` where a span may not stand."""
    node = target
    while True:
        parent = node.getparent()
        if parent is None or parent is body or parent.getparent() is body:
            break  # the chapter (or title page...) itself: the marker stays inside it
        grandparent = parent.getparent()
        first = (parent.text or "").strip() == "" and len(parent) and parent[0] is node
        if not first or local_name(grandparent) in NO_SPAN_CHILD:
            break
        node = parent
    parent = node.getparent()
    if parent is None or local_name(parent) in NO_SPAN_CHILD:
        return lambda markers: _split(node, "text", 0, markers)

    def insert(markers: list[etree._Element]) -> None:
        for marker in markers:
            parent.insert(parent.index(node), marker)

    return insert


def page_list_nav(markers: tuple[tuple[str, str], ...], owner: dict[str, str],
                  title: str) -> etree._Element:
    """The navigation document's page-list: a link to each marker, hidden from the reading
    (reading systems offer it as "go to page")."""
    nav = element("nav", {EPUB_TYPE: "page-list", "id": "page-list", "hidden": "hidden",
                          "aria-label": title})
    ol = element("ol", parent=nav)
    for label, marker in markers:
        li = element("li", parent=ol)
        element("a", {"href": f"{owner[marker]}#{marker}"}, label, parent=li)
    return nav
