"""Typography in the book's language, applied once to the document model.

Both writers start from the same XHTML tree, so the EPUB and the PDF carry exactly the same
characters: curly quotes of the language (nested quotes take the second pair), apostrophes,
ellipses, dashes, French spacing before ``; ! ? :`` and inside « », ordinals in ``<sup>``.

Why not Python-Markdown's ``smarty`` or the ``smartypants`` package: both write English
quotes only, neither knows nesting levels or French spacing, both turn a word-initial
apostrophe ('tis, 'n') into an opening quote, and ``smarty`` sees one Markdown inline span
at a time, not a quote that opens before ``*emphasis*`` and closes after it. Here each block
is read as one string (inline elements included, code left out), the rules (rules.py) decide
on that string, and the decisions are written back into the text nodes they came from.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from brochure.book.typography.languages import Rules, rules_for
from brochure.book.typography.rules import OBJECT, decide
from brochure.core.xhtml import XML_LANG, is_noteref, local_name, q

# Elements whose content is never typeset: code and what stands for it.
VERBATIM = {"code", "pre", "kbd", "samp", "var", "script", "style", "math", "svg"}
# Elements that end a run of text: each is typeset on its own.
BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "main", "nav", "ol", "p", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}


@dataclass
class _Slot:
    """A piece of text in the tree: ``node.text`` or ``node.tail``."""

    node: etree._Element
    attribute: str  # "text" or "tail"
    start: int  # where it starts in the run's string


def _runs(root: etree._Element) -> Iterator[tuple[list[_Slot], str]]:
    """Each block's text as one string, with the slots it came from (code stands as OBJECT)."""
    slots: list[_Slot] = []
    parts: list[str] = []
    length = 0

    def add(node: etree._Element, attribute: str) -> None:
        nonlocal length
        value = getattr(node, attribute)
        if value:
            slots.append(_Slot(node, attribute, length))
            parts.append(value)
            length += len(value)

    def mark(ch: str) -> None:
        nonlocal length
        parts.append(ch)
        length += 1

    def flush() -> Iterator[tuple[list[_Slot], str]]:
        nonlocal slots, parts, length
        if slots:
            yield slots, "".join(parts)
        slots, parts, length = [], [], 0

    def walk(node: etree._Element) -> Iterator[tuple[list[_Slot], str]]:
        name = local_name(node)
        if not isinstance(node.tag, str):  # comments, processing instructions
            return
        if name in VERBATIM or is_noteref(node):
            mark(OBJECT)
            return
        block = name in BLOCKS
        if block:
            yield from flush()
        if name == "br":
            mark("\n")
        add(node, "text")
        for child in node:
            yield from walk(child)
            add(child, "tail")
        if block:
            yield from flush()

    yield from walk(root)
    yield from flush()


def _language(node: etree._Element | None, default: str) -> str:
    """The language of ``node``: its own ``lang``, else its nearest ancestor's, else ``default``."""
    while node is not None:
        lang = node.get("lang") or node.get(XML_LANG)
        if lang:
            return lang
        node = node.getparent()
    return default


def typeset(root: etree._Element, lang: str) -> None:
    """Apply the typography of ``lang`` to the text of ``root`` and its descendants, in place.

    A block (paragraph, heading, list item...) with its own ``lang`` attribute, or inside an
    element that has one, is set by the rules of that language.
    """
    for slots, text in list(_runs(root)):
        changes = decide(text, _rules_of(slots, lang))
        if changes:
            _write_back(slots, text, changes)
    # Ordinals second, on the text as it now is (raising them adds elements).
    for slots, text in list(_runs(root)):
        rules = _rules_of(slots, lang)
        if rules.ordinals is not None:
            _raise_ordinals(slots, text, rules)


def _rules_of(slots: list[_Slot], lang: str) -> Rules:
    first = slots[0]
    owner = first.node if first.attribute == "text" else first.node.getparent()
    return rules_for(_language(owner, lang))


def typeset_text(text: str, lang: str) -> str:
    """Typography for a plain string (a title in the metadata); ordinals stay on the line."""
    changes = decide(text, rules_for(lang))
    return "".join(changes.get(i, ch) for i, ch in enumerate(text))


def _write_back(slots: list[_Slot], text: str, changes: dict[int, str]) -> None:
    positions = sorted(changes)
    for slot in slots:
        value = getattr(slot.node, slot.attribute)
        end = slot.start + len(value)
        pieces, last = [], slot.start
        for i in positions[bisect.bisect_left(positions, slot.start):
                           bisect.bisect_left(positions, end)]:
            pieces += [text[last:i], changes[i]]
            last = i + 1
        if last != slot.start:
            setattr(slot.node, slot.attribute, "".join(pieces) + text[last:end])


def _raise_ordinals(slots: list[_Slot], text: str, rules: Rules) -> None:
    """Split 'XXIe siècle' into 'XXI' + <sup>e</sup> + ' siècle' in the text nodes of a run.

    The run is read whole ('<em>XXIe</em> siècle' is a century too); a suffix is raised
    where it lies within one text node outside a <sup> or <sub>.
    """
    assert rules.ordinals is not None
    for match in reversed(list(rules.ordinals.finditer(text))):
        start, end = match.span(2)
        slot = next((s for s in reversed(slots) if s.start <= start), None)
        if slot is None:
            continue
        value = getattr(slot.node, slot.attribute)
        local_start, local_end = start - slot.start, end - slot.start
        if local_end > len(value):
            continue
        if slot.attribute == "text":
            parent, index = slot.node, 0
        else:
            parent = slot.node.getparent()
            index = parent.index(slot.node) + 1 if parent is not None else 0
        if parent is None or local_name(parent) in ("sup", "sub"):
            continue
        sup = etree.Element(q("sup"))
        sup.text = rules.ordinal_suffixes.get(match.group(2), match.group(2))
        sup.tail = value[local_end:] or None
        setattr(slot.node, slot.attribute, value[:local_start])
        parent.insert(index, sup)
