"""Typography in the book's language, applied once to the document model.

Both writers start from the same XHTML tree, so the EPUB and the PDF carry exactly the same
characters: curly quotes of the language (nested quotes take the second pair), apostrophes,
ellipses, dashes, French spacing before ``; ! ? :`` and inside « », ordinals in ``<sup>``.

Why not Python-Markdown's ``smarty`` or the ``smartypants`` package: both write English
quotes only, neither knows nesting levels or French spacing, both turn a word-initial
apostrophe ('tis, 'n') into an opening quote, and ``smarty`` sees one Markdown inline span
at a time, not a quote that opens before ``*emphasis*`` and closes after it. Here each block
is read as one string (inline elements included, code left out), the decisions are taken on
that string, then written back into the text nodes they came from.

The rules of each language are data: add a row to ``RULES``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from brochure.core.xhtml import XML_LANG, is_noteref, local_name, q

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space
APOSTROPHE = "\u2019"
ELLIPSIS = "\u2026"
EN_DASH = "\u2013"
EM_DASH = "\u2014"


@dataclass(frozen=True)
class Rules:
    """How one language sets quotes, spaces and ordinals."""

    quotes: tuple[tuple[str, str], tuple[str, str]]  # (open, close) at levels 1 and 2
    space_inside_quotes: str = ""  # between « and the word, and the word and »
    space_before: dict[str, str] = field(default_factory=dict)  # punctuation -> space before it
    spaced_hyphen: str = EN_DASH  # what " - " between words becomes
    ordinals: re.Pattern[str] | None = None  # group 1 the number, group 2 the suffix to raise
    ordinal_suffixes: dict[str, str] = field(default_factory=dict)  # spelling -> proper suffix
    digit_group_space: str = ""  # the space of 500 000, kept on one line


# French ordinals: 1er, 1re, 2e, 2d, 2nde, XXIe siècle (a Roman numeral only before a word that
# makes it one, since "De", "Ce", "Me" are words).
_FRENCH_ORDINALS = re.compile(
    r"(?<![\w\u00b2\u00b3])"
    r"(\d+|[IVXLCDM]+(?=(?:e|er|ème|eme)s?[ \u00a0\u202f]+(?:si[eè]cles?|mill[eé]naires?"
    r"|arrondissements?|[Rr][ée]publique|[Ee]mpire|[Ii]nternationale|congr[eè]s|dynastie)\b))"
    r"(ers?|res?|nde?s?|ème|èmes|eme|emes|e|es)(?!\w)"
)

RULES: dict[str, Rules] = {
    "en": Rules(quotes=(("\u201c", "\u201d"), ("\u2018", "\u2019"))),
    "fr": Rules(
        quotes=(("\u00ab", "\u00bb"), ("\u201c", "\u201d")),
        space_inside_quotes=NNBSP,
        space_before={";": NNBSP, "!": NNBSP, "?": NNBSP, ":": NBSP, "%": NNBSP},
        ordinals=_FRENCH_ORDINALS,
        digit_group_space=NNBSP,
        ordinal_suffixes={"ème": "e", "eme": "e", "èmes": "es", "emes": "es"},
    ),
    "de": Rules(quotes=(("\u201e", "\u201c"), ("\u201a", "\u2018"))),
    "de-CH": Rules(quotes=(("\u00ab", "\u00bb"), ("\u2039", "\u203a"))),
    "es": Rules(quotes=(("\u00ab", "\u00bb"), ("\u201c", "\u201d"))),
    "it": Rules(quotes=(("\u00ab", "\u00bb"), ("\u201c", "\u201d"))),
    "pt": Rules(quotes=(("\u00ab", "\u00bb"), ("\u201c", "\u201d"))),
    "pl": Rules(quotes=(("\u201e", "\u201d"), ("\u00ab", "\u00bb"))),
    "cs": Rules(quotes=(("\u201e", "\u201c"), ("\u201a", "\u2018"))),
    "nl": Rules(quotes=(("\u201c", "\u201d"), ("\u2018", "\u2019"))),
}
DEFAULT = RULES["en"]


def rules_for(lang: str) -> Rules:
    """The rules of a language tag: its own row (de-CH), else its language's ('fr-CA' -> fr),
    else English-style quotes."""
    by_tag = {tag.lower(): rules for tag, rules in RULES.items()}
    return by_tag.get(lang.lower()) or by_tag.get(lang.split("-")[0].lower(), DEFAULT)


# Elements whose content is never typeset: code and what stands for it.
VERBATIM = {"code", "pre", "kbd", "samp", "var", "script", "style", "math", "svg"}
# Elements that end a run of text: each is typeset on its own.
BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "main", "nav", "ol", "p", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
OBJECT = "\ufffc"  # stands for code or a note call in the string the rules read
SPACES = " \t\n\u00a0\u202f\u2009"
OPENERS = "([{\u00ab\u201c\u2018\u201e\u201a\u2014\u2013-/"
CLOSING_PUNCTUATION = ".,;:!?)]}\u2026\u00bb\u201d\u2019"
# Each branch may only start where its first run of characters starts: otherwise a long word
# without '://' or '@' is scanned again from each of its letters (quadratic; a 1 MB word hung).
URL = re.compile(r"(?:(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://|(?<![\w.])www\.|(?<!\w)mailto:)"
                  r"[^\s<>\"«»]*[^\s<>\"«».,;:!?)]"
                  r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_TIME = re.compile(r"\d:\d")
_INTERESTING = re.compile("[\"'\u00ab\u00bb.;:!?%-]")
_DIGIT_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d])")


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == OBJECT


def decide(text: str, rules: Rules) -> dict[int, str]:
    """Replacements, by index in ``text``, of single characters (an empty string deletes).

    Every decision replaces one character of the input, so the results can be written back
    to the text nodes the characters came from.
    """
    out: dict[int, str] = {}
    protected: set[int] = set()
    for match in URL.finditer(text):
        protected.update(range(match.start(), match.end()))
    n = len(text)

    def before(i: int) -> str:
        return text[i - 1] if i > 0 else ""

    def after(i: int) -> str:
        return text[i + 1] if i + 1 < n else ""

    def set_space_before(i: int, space: str) -> None:
        """Exactly one ``space`` before ``text[i]``: typed spaces replaced, or one inserted."""
        j = i
        while j > 0 and text[j - 1] in SPACES and text[j - 1] != "\n":
            j -= 1
        if j == i:
            if (out.get(i - 1) or "x")[-1] not in SPACES:  # unless one was just added («»)
                out[i] = space + out.get(i, text[i])
            return
        out[j] = space
        for k in range(j + 1, i):
            out[k] = ""

    def set_space_after(i: int, space: str) -> None:
        j = i + 1
        while j < n and text[j] in SPACES and text[j] != "\n":
            j += 1
        if j == i + 1:
            out[i] = out.get(i, text[i]) + space
            return
        out[i + 1] = space
        for k in range(i + 2, j):
            out[k] = ""

    if rules.digit_group_space:
        for match in _DIGIT_GROUPS.finditer(text):
            for k in range(match.start(), match.end()):
                if text[k] in SPACES and k not in protected:
                    out[k] = rules.digit_group_space

    quote_opens, quote_closes = _single_quotes(text)
    stack: list[tuple[str, int]] = []  # ('"' or "'", level) of each quotation open

    def open_quote(i: int, kind: str) -> None:
        # Double quotes alternate with depth; single quotes are the author's inner quotes.
        level = len(stack) % 2 if kind == '"' else 1
        stack.append((kind, level))
        out[i] = rules.quotes[level][0]
        if level == 0 and rules.space_inside_quotes:
            set_space_after(i, rules.space_inside_quotes)

    def close_quote(i: int, kind: str) -> None:
        while stack and stack[-1][0] != kind:  # an unclosed inner quote ends with its outer one
            stack.pop()
        level = stack.pop()[1] if stack else (0 if kind == '"' else 1)
        out[i] = rules.quotes[level][1]
        if level == 0 and rules.space_inside_quotes:
            set_space_before(i, rules.space_inside_quotes)

    i = 0
    while (found := _INTERESTING.search(text, i)) is not None:  # skip the plain letters
        i = found.start()
        ch = text[i]
        if i in protected:
            i += 1
            continue
        prev, nxt = before(i), after(i)
        if ch == '"':
            can_open = not prev or prev in SPACES or prev in OPENERS
            can_close = not nxt or nxt in SPACES or nxt in CLOSING_PUNCTUATION
            if can_open == can_close:  # "a"b" or a lone " between spaces: go by what is open
                can_open = not stack or stack[-1][0] != '"'
            if can_open:
                open_quote(i, '"')
            else:
                close_quote(i, '"')
        elif ch == "'":
            if i in quote_opens:
                open_quote(i, "'")
            elif i in quote_closes and any(kind == "'" for kind, _ in stack):
                close_quote(i, "'")
            else:
                out[i] = APOSTROPHE
        elif ch == "\u00ab" and rules.space_inside_quotes:
            set_space_after(i, rules.space_inside_quotes)
        elif ch == "\u00bb" and rules.space_inside_quotes:
            set_space_before(i, rules.space_inside_quotes)
        elif ch == "." and text.startswith("...", i) and not text.startswith("....", i):
            out[i], out[i + 1], out[i + 2] = ELLIPSIS, "", ""
            i += 3
            continue
        elif ch == "-" and text.startswith("---", i):
            out[i], out[i + 1], out[i + 2] = EM_DASH, "", ""
            i += 3
            continue
        elif ch == "-" and text.startswith("--", i):
            out[i], out[i + 1] = EN_DASH, ""
            i += 2
            continue
        elif ch == "-" and prev == " " and nxt == " " and i >= 2 and text[i - 2] not in SPACES:
            out[i] = rules.spaced_hyphen
        elif ch in rules.space_before and prev:
            k = i - 1  # the character before the spaces typed, if any, as already decided
            while k >= 0 and text[k] in SPACES and text[k] != "\n":
                k -= 1
            base = (out.get(k) or text[k])[-1] if k >= 0 else "\n"
            if ch == ":" and _TIME.match(text, i - 1):
                pass  # 10:30, 1:2
            elif ch in "!?" and base in "!?" and k == i - 1:
                pass  # ?! keeps one space, before the first mark
            elif _is_word(base) or base in CLOSING_PUNCTUATION:
                set_space_before(i, rules.space_before[ch])
        i += 1
    return out


def _single_quotes(text: str) -> tuple[set[int], set[int]]:
    """Indices of straight single quotes that open and that close a quotation.

    A quote that could open (after a space, before a letter) opens only when a quote that
    could close it (after a letter, not before one) follows in the same run; otherwise it is
    an apostrophe ('tis, '80s), like every quote inside a word (l'homme).
    """
    openers, closers = set(), set()
    candidates: list[int] = []
    for found in re.finditer("'", text):
        i = found.start()
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        can_open = (not prev or prev in SPACES or prev in OPENERS or prev in "\"") and _is_word(nxt)
        can_close = (_is_word(prev) or prev in CLOSING_PUNCTUATION) and not _is_word(nxt)
        if can_close and candidates:
            openers.add(candidates.pop())
            closers.add(i)
        elif can_open:
            candidates.append(i)
    return openers, closers


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
