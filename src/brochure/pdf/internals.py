"""Every use of WeasyPrint beyond its public API, in one place, checked against one version.

brochure reaches into WeasyPrint 70 for four things, each compared with the public path by
the tests (tests/test_weasyprint_internals.py, tests/test_parallel_pdf.py, tests/test_page_list.py):

- **Indexed page references.** As each page is laid out, WeasyPrint 70 calls
  ``TargetCollector.cache_target_page_counters`` for every anchor on it, and that looks
  through every ``target-counter()`` lookup of the document for the ones naming the anchor:
  anchors times lookups. In a book each note's "↑ p. 12" is a lookup and each call and note an
  anchor, so the step grows with the square of the notes (10.3 s of 96 s for 2,960 notes,
  benchmarks/README.md). ``cache_target_page_counters`` below does the same things in the same
  order, but finds an anchor's lookups in an index built when pagination starts.
- **Boxes let go once drawn** (``release_after_painting``): a long book's PDF never holds both
  every page's boxes and every page's drawing.
- **A part of a long book laid out alone** (pdf/parts.py): WeasyPrint 70 paginates a whole
  document before it makes any page's margin boxes (page numbers, running heads). A part of
  chapters paginates the same way whatever page it will start on, since left and right pages
  have text areas of the same size. So a part's process paginates, reports its page count,
  anchors and running heads, waits to learn its first page, and only then makes its margin
  boxes: numbered from there, on the right side of the spread, with the running heads the
  parts before it left.
- **Pages told as they are laid out** (``tell_pages``): WeasyPrint makes a document's pages
  in one generator; counting what it yields gives the progress display its pages per part.
- **Tags that say what brochure's elements are** (``use_book_tags``): WeasyPrint tags a
  ``<sup>`` and a note's ``<li>`` as any other; the reading PDF's structure tree calls a note
  call a Reference and a note a Note (with its id), an HTML figure a Div around its Figure and
  Caption, gives a decorative image an empty alternative text, and keeps an element's ``lang``.
- **Where each page starts** (``page_starts``): the laid-out boxes of each page say which
  element its first line (or image) comes from and what that line reads; the EPUB puts its
  page-break markers there, so that "p. 12" in the ebook is p. 12 on paper.

On another WeasyPrint version none of this is used (``unsupported()`` says why, and the build
says so once): the PDF is then laid out in one piece, with WeasyPrint's own lookups.
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass, field
from typing import Any

import weasyprint
from weasyprint import layout as weasyprint_layout
from weasyprint.css.targets import TargetCollector
from weasyprint.formatting_structure import boxes
from weasyprint.layout.page import (
    PageType,
    page_height,
    page_width,
    resolve_percentages,
    set_page_type_computed_styles,
)
from weasyprint.pdf import tags as weasyprint_tags

from brochure.core import progress
from brochure.core.model import PageStart
from brochure.core.xhtml import fold_whitespace

TESTED_VERSIONS = ("70.0",)
SIDE_BREAKS = ("left", "right", "recto", "verso")


def unsupported() -> str:
    """Why brochure's fast paths are off with this WeasyPrint, or '' when they are on."""
    if weasyprint.__version__ in TESTED_VERSIONS:
        return ""
    return (f"WeasyPrint {weasyprint.__version__} is not the version brochure was tested with "
            f"({', '.join(TESTED_VERSIONS)}): the PDF is laid out in one piece, without the "
            "indexed page references")


# ---- Indexed page references --------------------------------------------------------------

_ORIGINAL_CACHE_TARGET_PAGE_COUNTERS = TargetCollector.cache_target_page_counters


def _lookups_by_anchor(collector: TargetCollector) -> dict[str, list]:
    index = collector.__dict__.get("_lookups_by_anchor")
    if index is None:
        index = {}
        for (_, css_token), lookup in collector.counter_lookup_items.items():
            if css_token == "content":
                for anchor_name in lookup.missing_target_counters:
                    index.setdefault(anchor_name, []).append(lookup)
        collector._lookups_by_anchor = index
    return index


def cache_target_page_counters(self: TargetCollector, anchor_name, page_counter_values,
                               page_maker_index, page_maker) -> None:
    """WeasyPrint 70's method of the same name, with the lookups of the anchor indexed."""
    if self.collecting:
        return
    item = self.target_lookup_items.get(anchor_name)
    if not item or item.state != "up-to-date":
        return
    item.page_maker_index = page_maker_index
    if item.cached_page_counter_values == page_counter_values:
        return
    item.cached_page_counter_values = copy.deepcopy(page_counter_values)
    for lookup in _lookups_by_anchor(self).get(anchor_name, ()):
        if lookup.page_maker_index is None or lookup.page_maker_index >= len(page_maker):
            lookup.pending = True  # its page is not laid out yet: remade when it is
            continue
        for counter_name in lookup.missing_target_counters[anchor_name]:
            if page_counter_values.get(counter_name) is not None:
                page_maker[lookup.page_maker_index][-1]["content_changed"] = True
                lookup.parse_again(lookup.cached_page_counter_values)
                break


def use_indexed_lookups(enabled: bool = True) -> None:
    """Use the indexed method (or WeasyPrint's own again, ``enabled=False``)."""
    use = enabled and not unsupported()
    TargetCollector.cache_target_page_counters = (
        cache_target_page_counters if use else _ORIGINAL_CACHE_TARGET_PAGE_COUNTERS)


# ---- Boxes let go once drawn ---------------------------------------------------------------

def release_after_painting(page: Any) -> None:
    """Let a page's laid-out boxes go once it is drawn: a long book's PDF then never holds
    both every page's boxes and every page's drawing (WeasyPrint reads only the page's links,
    anchors and bookmarks afterwards, which it keeps apart)."""
    paint = page.paint

    def paint_then_release(stream, scale=1):
        paint(stream, scale)
        with contextlib.suppress(AttributeError):
            del page._page_box

    page.paint = paint_then_release


# ---- A part laid out alone -----------------------------------------------------------------

@dataclass(frozen=True)
class Paginated:
    """What a chunk's process says once its pages are cut, before it numbers them."""

    pages: int
    anchors: dict[str, int]  # anchor name -> index of its page in the chunk (first occurrence)
    strings: dict[str, str]  # the last value the chunk gives each named string (running heads)
    unportable: str = ""  # why the chunk would not paginate the same inside the whole book


@dataclass(frozen=True)
class Placement:
    """Where the chunk sits in the book, sent back to its process."""

    first_page: int  # the book's number of the chunk's first page
    total_pages: int  # the book's page count (counter(pages))
    strings: dict[str, str] = field(default_factory=dict)  # running heads the chunk opens with
    drop: int = 0  # leading pages left out of the book (a lead page, a blank it does not need)


@dataclass
class _Hooks:
    """The chunk's state between WeasyPrint's pagination and its margin boxes."""

    send: Any  # callable(Paginated) -> Placement | None (None: the chunk is abandoned)
    pages: list = field(default_factory=list)
    html: Any = None
    placed: bool = False


_hooks: _Hooks | None = None
_original_make_all_pages = weasyprint_layout.make_all_pages
_original_make_margin_boxes = weasyprint_layout.make_margin_boxes
_told_part: str | None = None  # the part whose pages are told to the progress display


def tell_pages(part: str) -> None:
    """Tell the progress display (core/progress.py) of each page of ``part`` as WeasyPrint
    lays it out, in this process."""
    global _told_part
    if unsupported():
        return
    _told_part = part
    if weasyprint_layout.make_all_pages is _original_make_all_pages:
        weasyprint_layout.make_all_pages = _told_pages


def _told_pages(context, root_box, html, pages):
    laid = 0
    for laid, page in enumerate(_original_make_all_pages(context, root_box, html, pages), 1):
        if _told_part is not None:
            progress.tell("page", part=_told_part, laid=laid)
        yield page
    if _told_part is not None:
        progress.tell("laid", part=_told_part, pages=laid)


class Abandoned(Exception):
    """The writer no longer needs this chunk (another chunk could not be placed)."""


def install(send) -> None:
    """Hook this process's WeasyPrint (a chunk's process only: it renders one chunk)."""
    global _hooks
    _hooks = _Hooks(send)
    weasyprint_layout.make_all_pages = _capture_pages
    weasyprint_layout.make_margin_boxes = _placed_margin_boxes


def _capture_pages(context, root_box, html, pages):
    """WeasyPrint's pagination, keeping the last round's pages for the placement."""
    assert _hooks is not None
    _hooks.html = html
    made = list(_told_pages(context, root_box, html, pages))
    _hooks.pages = made
    yield from made


def _placed_margin_boxes(context, page, state):
    """Called first for the chunk's first page, once pagination is over: report, wait, place."""
    assert _hooks is not None
    if not _hooks.placed:
        _hooks.placed = True
        placement = _hooks.send(_paginated(context, _hooks.pages))
        if placement is None:
            raise Abandoned
        _place(context, _hooks.pages, _hooks.html, placement)
    return _original_make_margin_boxes(context, page, state)


def _paginated(context, pages) -> Paginated:
    anchors: dict[str, int] = {}
    strings: dict[str, str] = {}
    for index, page in enumerate(pages):
        for box in page.descendants():
            anchor = box.style["anchor"]
            if anchor and anchor not in anchors:
                anchors[anchor] = index
    for name, by_page in context.string_set.items():
        assigned = [values for _, values in sorted(by_page.items()) if values]
        if assigned:
            strings[name] = assigned[-1][-1]
    return Paginated(len(pages), anchors, strings, _unportable(context, pages))


def _unportable(context, pages) -> str:
    """Why this chunk's pages could differ from the same pages in the whole book, or ''."""
    if context.target_collector.counter_lookup_items:
        return "its text refers to page numbers (target-counter, counter(page))"
    if any(page.fixed_boxes for page in pages):
        return "it has fixed-position boxes, repeated on every page of the book"
    if context.footnotes or context.reported_footnotes:
        return "it has footnotes"
    root = pages[0].children[0] if pages else None
    for box in (root, *(root.children[:1] if root else ())):
        if box is None or not isinstance(box, boxes.BlockBox):
            continue
        style = box.style
        edges = [style[f"{part}_{side}"] for part in ("margin", "padding")
                 for side in ("top", "bottom")]
        edges += [style[f"border_{side}_width"] for side in ("top", "bottom")]
        if any(getattr(edge, "value", edge) for edge in edges):
            return "the html or body element has a top or bottom margin, padding or border"
    return ""


def _place(context, pages, html, placement: Placement) -> None:
    """Number the pages from ``first_page``, put them on their side of the spread, and start
    the running heads where the chunks before left them."""
    offset = placement.first_page - 1
    for _, _, _, page_state, _ in context.page_maker[1:]:
        counters = page_state[1]
        if "page" in counters:
            counters["page"] = [value + offset for value in counters["page"]]
        counters["pages"] = [placement.total_pages]
    if placement.first_page % 2 == 0:  # laid out from a right page, it starts on a left one
        if not _flippable(context):
            raise RuntimeError("a chunk with left or right page breaks cannot change sides")
        for page in pages:
            _flip(context, page, html)
    _carry_strings(context, placement.strings)


def _flippable(context) -> bool:
    """Whether no break inside the chunk asks for a given side (left, right, recto, verso)."""
    return all(next_page["break"] not in SIDE_BREAKS
               for _, next_page, _, _, _ in context.page_maker[1:])


def _flip(context, page, html) -> None:
    """Move a page to the other side of the spread: the other side's @page rules (margins,
    margin boxes), its content shifted to the new text area, which is of the same size."""
    old = page.page_type
    page_type = PageType("left" if old.side == "right" else "right", old.blank, old.name,
                         old.index, old.groups)
    set_page_type_computed_styles(page_type, html, context.style_for)
    style = context.style_for(page_type)
    style["overflow"] = page.style["overflow"]
    flipped = boxes.PageBox(page_type, style)
    device_size = flipped.style["size"]
    resolve_percentages(flipped, device_size)
    flipped.position_x = flipped.position_y = 0
    page_width(flipped, context, device_size[0])
    page_height(flipped, context, device_size[1])
    if (flipped.width, flipped.height) != (page.width, page.height):
        raise RuntimeError("left and right pages have text areas of different sizes")
    dx = flipped.content_box_x() - page.content_box_x()
    dy = flipped.content_box_y() - page.content_box_y()
    for name, value in vars(flipped).items():
        if name != "children":
            setattr(page, name, value)
    for child in page.children:
        child.translate(dx, dy)


def _carry_strings(context, carried: dict[str, str]) -> None:
    """A named string the chunk has not set yet keeps its value from the chunks before."""
    if not carried:
        return
    find = context.get_string_set_for

    def get_string_set_for(page, name, keyword="first"):
        found = find(page, name, keyword)
        if found or keyword == "all-once" or name not in carried:
            return found
        store = context.string_set[name]
        if any(number <= context.current_page for number in store if store[number]):
            return found  # set on this page or before: the chunk's own value (or none)
        return (carried[name],)

    context.get_string_set_for = get_string_set_for


# ---- Where each page starts ----------------------------------------------------------------

_SKIPPED = (boxes.MarginBox, boxes.FootnoteAreaBox)


def _generated(box: Any) -> bool:
    """A box of generated content (::before, ::after, ::marker...), which the text lacks."""
    return "::" in (box.element_tag or "")


def _first_leaf(box: Any) -> Any:
    """The first line box, or image, of the page's flow (margin boxes and footnotes aside)."""
    if isinstance(box, _SKIPPED) or _generated(box):
        return None
    if isinstance(box, boxes.LineBox):
        return box if _line_text(box).strip() or _has_image(box) else None
    if isinstance(box, boxes.ReplacedBox):
        return box
    for child in getattr(box, "children", ()):
        found = _first_leaf(child)
        if found is not None:
            return found
    return None


def _has_image(line: Any) -> bool:
    return any(isinstance(b, boxes.ReplacedBox) for b in line.descendants())


def _line_text(line: Any) -> str:
    """The text a line shows, without generated content nor the hyphen added at its end."""
    pieces = []
    for box in line.descendants():
        if isinstance(box, boxes.TextBox) and not _generated(box):
            pieces.append(box.text)
            last = box
    text = "".join(pieces)
    if pieces:
        hyphen = last.style["hyphenate_character"]
        if hyphen and text.endswith(hyphen):
            text = text[:-len(hyphen)]
    return fold_whitespace(text)  # as the EPUB's page list folds it: no-break spaces kept


def _leading_image(line: Any) -> Any:
    """The image a line opens with, if it opens with one (before any text)."""
    for box in line.descendants():
        if isinstance(box, boxes.TextBox) and not _generated(box) and box.text.strip():
            return None
        if isinstance(box, boxes.ReplacedBox):
            return box
    return None


def page_starts(pages: list) -> list[PageStart | None]:
    """Where each page begins: see ``PageStart``. Call before the pages are drawn (drawing
    lets their boxes go)."""
    if not pages:
        return []
    root = pages[0]._page_box.children[0].element
    parents = {child: parent for parent in root.iter() for child in parent}
    found: list[PageStart | None] = []
    for page in pages:
        leaf = _first_leaf(page._page_box)
        if leaf is None:
            found.append(None)
            continue
        image = leaf if isinstance(leaf, boxes.ReplacedBox) else _leading_image(leaf)
        element = (image or leaf).element
        text = None if image is not None else _line_text(leaf)
        anchor, path = _located(element, parents)
        found.append(PageStart("", anchor, path, _local(element.tag), text))
    return found


def _located(element: Any, parents: dict) -> tuple[str, tuple[int, ...]]:
    """The nearest id at or above ``element``, and the element-child indexes down from it."""
    path: list[int] = []
    while element.get("id") is None and element in parents:
        parent = parents[element]
        siblings = [child for child in parent if isinstance(child.tag, str)]
        path.append(siblings.index(element))
        element = parent
    return element.get("id") or "", tuple(reversed(path))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# ---- Tags that say what brochure's elements are --------------------------------------------

_original_build_box_tree = weasyprint_tags._build_box_tree
NOTE_CLASSES = {"note", "footnote"}  # an endnote's <li>, a footnote's element


def _classes(element: Any) -> set[str]:
    return set((element.get("class") or "").split())


def _book_type(element: Any) -> str | None:
    """The structure type brochure gives an element, where it knows better than its tag."""
    tag = _local(element.tag)
    if tag == "sup" and any(_local(child.tag) == "a" and "noteref" in _classes(child)
                            for child in element if isinstance(child.tag, str)):
        return "/Reference"
    if _classes(element) & NOTE_CLASSES and element.get("id"):
        return "/Note"
    if tag == "figure":
        return "/Div"
    return None


_retyped: dict[int, tuple[Any, Any, str]] = {}  # id(element) -> (element, structure, its type)


def _build_box_tree(box, parent, pdf, page_number, nums, annotations, tags):
    """WeasyPrint 70's function of the same name, then brochure's types, ids and languages.
    The element's outermost box carries them: WeasyPrint yields an anonymous inner box of the
    same element first (its parent last), so a type given to the inner one moves out."""
    own = getattr(box, "_box", box)
    tag = own.element_tag or ""
    mine = (own.element is not None and tag not in ("html", "body") and "::" not in tag
            and not isinstance(own, (boxes.PageBox, boxes.MarginBox)))
    for structure in _original_build_box_tree(box, parent, pdf, page_number, nums, annotations,
                                              tags):
        if mine:
            _retype(structure, own.element)
        yield structure


def _retype(structure: Any, element: Any) -> None:
    kind = _book_type(element)
    if kind is not None:
        inner = _retyped.get(id(element))
        if inner is not None and inner[0] is element:
            inner[1]["S"] = inner[2]  # the inner box's own type again
            inner[1].pop("ID", None)
        _retyped[id(element)] = (element, structure, structure["S"])
        structure["S"] = kind
        if kind == "/Note":
            structure["ID"] = weasyprint_tags.pydyf.String(element.get("id"))
    if structure.get("S") == "/Figure" and element.get("role") in ("presentation", "none"):
        structure["Alt"] = weasyprint_tags.pydyf.String("")
    lang = element.get("lang")
    if lang:
        structure["Lang"] = weasyprint_tags.pydyf.String(lang)


def use_book_tags(enabled: bool = True) -> None:
    """Tag with brochure's types (or WeasyPrint's own again, ``enabled=False``); call before
    each document is written."""
    _retyped.clear()
    use = enabled and not unsupported()
    weasyprint_tags._build_box_tree = _build_box_tree if use else _original_build_box_tree
