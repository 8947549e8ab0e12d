"""The rules that set a run of text, each a small named function, applied in a fixed order.

A run is one block's text as a single string (inline elements included; code and note calls
stand as one OBJECT character). Every rule decides replacements of single characters of the
run, by index (an empty string deletes, a longer one inserts before or after), so that the
results can be written back into the text nodes the characters came from (tree.py).

The order, as Python-Markdown keeps its processors in a registry:

1. ``RUN_RULES``, each over the whole run: URLs are protected (left exactly as written), then
   digit groups get the language's space (500 000).
2. ``CHARACTER_RULES``, left to right through the run: at each character one of them names,
   its rules are tried in their order until one applies. Quotes keep a stack of the
   quotations open, so their decisions depend on everything before them in the run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from brochure.book.typography.languages import ELLIPSIS, EM_DASH, EN_DASH, Rules

APOSTROPHE = "\u2019"
OBJECT = "\ufffc"  # stands for code or a note call in the string the rules read
SPACES = " \t\n\u00a0\u202f\u2009"
OPENERS = "([{\u00ab\u201c\u2018\u201e\u201a\u2014\u2013-/"
CLOSING_PUNCTUATION = ".,;:!?)]}\u2026\u00bb\u201d\u2019"
# Each branch may only start where its first run of characters starts: otherwise a long word
# without '://' or '@' is scanned again from each of its letters (quadratic; a 1 MB word hung).
URL = re.compile(r"(?:(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*://|(?<![\w.])www\.|(?<!\w)mailto:)"
                  r"[^\s<>\"«»]*[^\s<>\"«».,;:!?)]"
                  r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_URL_MARK = re.compile(r"://|www\.|mailto:|@", re.IGNORECASE)
_TIME = re.compile(r"\d:\d")
_DIGIT_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d])")


def is_word(ch: str) -> bool:
    return ch.isalnum() or ch == OBJECT


@dataclass
class Run:
    """One run of text and the decisions taken on it so far."""

    text: str
    rules: Rules
    out: dict[int, str] = field(default_factory=dict)
    protected: set[int] = field(default_factory=set)
    open_quotes: list[tuple[str, int]] = field(default_factory=list)  # ('"' or "'", level)
    single_opens: set[int] = field(default_factory=set)
    single_closes: set[int] = field(default_factory=set)

    def before(self, i: int) -> str:
        return self.text[i - 1] if i > 0 else ""

    def after(self, i: int) -> str:
        return self.text[i + 1] if i + 1 < len(self.text) else ""

    def space_before(self, i: int, space: str) -> None:
        """Exactly one ``space`` before ``text[i]``: typed spaces replaced, or one inserted."""
        text, out = self.text, self.out
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

    def space_after(self, i: int, space: str) -> None:
        """Exactly one ``space`` after ``text[i]``: typed spaces replaced, or one inserted."""
        text, out, n = self.text, self.out, len(self.text)
        j = i + 1
        while j < n and text[j] in SPACES and text[j] != "\n":
            j += 1
        if j == i + 1:
            out[i] = out.get(i, text[i]) + space
            return
        out[i + 1] = space
        for k in range(i + 2, j):
            out[k] = ""


# ---- Rules over the whole run --------------------------------------------------------------

def protect_urls(run: Run) -> None:
    """Addresses written in the text are left exactly as written."""
    if not _URL_MARK.search(run.text):  # what every address holds: a quick look first
        return
    for match in URL.finditer(run.text):
        run.protected.update(range(match.start(), match.end()))


def group_digits(run: Run) -> None:
    """500 000 keeps its groups together with the language's space (none in English)."""
    if not run.rules.digit_group_space:
        return
    for match in _DIGIT_GROUPS.finditer(run.text):
        for k in range(match.start(), match.end()):
            if run.text[k] in SPACES and k not in run.protected:
                run.out[k] = run.rules.digit_group_space


def find_single_quotes(run: Run) -> None:
    """Which straight single quotes open and close a quotation (the others are apostrophes).

    A quote that could open (after a space, before a letter) opens only when a quote that
    could close it (after a letter, not before one) follows in the same run; otherwise it is
    an apostrophe ('tis, '80s), like every quote inside a word (l'homme).
    """
    text = run.text
    candidates: list[int] = []
    for found in re.finditer("'", text):
        i = found.start()
        prev, nxt = run.before(i), run.after(i)
        can_open = (not prev or prev in SPACES or prev in OPENERS or prev in "\"") and is_word(nxt)
        can_close = (is_word(prev) or prev in CLOSING_PUNCTUATION) and not is_word(nxt)
        if can_close and candidates:
            run.single_opens.add(candidates.pop())
            run.single_closes.add(i)
        elif can_open:
            candidates.append(i)


RUN_RULES: tuple[tuple[str, Callable[[Run], None]], ...] = (
    ("protected addresses", protect_urls),
    ("digit groups", group_digits),
    ("single quotes found", find_single_quotes),
)


# ---- Rules at one character ---------------------------------------------------------------
# Each returns how many characters it consumed (the scan goes on after them), or 0 when it
# does not apply (the next rule for the character is tried).

def _open_quote(run: Run, i: int, kind: str) -> None:
    # Double quotes alternate with depth; single quotes are the author's inner quotes.
    level = len(run.open_quotes) % 2 if kind == '"' else 1
    run.open_quotes.append((kind, level))
    run.out[i] = run.rules.quotes[level][0]
    if level == 0 and run.rules.space_inside_quotes:
        run.space_after(i, run.rules.space_inside_quotes)


def _close_quote(run: Run, i: int, kind: str) -> None:
    stack = run.open_quotes
    while stack and stack[-1][0] != kind:  # an unclosed inner quote ends with its outer one
        stack.pop()
    level = stack.pop()[1] if stack else (0 if kind == '"' else 1)
    run.out[i] = run.rules.quotes[level][1]
    if level == 0 and run.rules.space_inside_quotes:
        run.space_before(i, run.rules.space_inside_quotes)


def double_quote(run: Run, i: int) -> int:
    """A straight double quote opens or closes, by what is around it and what is open."""
    prev, nxt = run.before(i), run.after(i)
    can_open = not prev or prev in SPACES or prev in OPENERS
    can_close = not nxt or nxt in SPACES or nxt in CLOSING_PUNCTUATION
    if can_open == can_close:  # "a"b" or a lone " between spaces: go by what is open
        can_open = not run.open_quotes or run.open_quotes[-1][0] != '"'
    if can_open:
        _open_quote(run, i, '"')
    else:
        _close_quote(run, i, '"')
    return 1


def single_quote(run: Run, i: int) -> int:
    """A straight single quote: an inner quotation's mark, or an apostrophe."""
    if i in run.single_opens:
        _open_quote(run, i, "'")
    elif i in run.single_closes and any(kind == "'" for kind, _ in run.open_quotes):
        _close_quote(run, i, "'")
    else:
        run.out[i] = APOSTROPHE
    return 1


def typed_guillemet(run: Run, i: int) -> int:
    """« and » typed by the author get the language's space inside them."""
    if not run.rules.space_inside_quotes:
        return 0
    if run.text[i] == "\u00ab":
        run.space_after(i, run.rules.space_inside_quotes)
    else:
        run.space_before(i, run.rules.space_inside_quotes)
    return 1


def ellipsis(run: Run, i: int) -> int:
    """Three dots (not four) make an ellipsis."""
    if not run.text.startswith("...", i) or run.text.startswith("....", i):
        return 0
    run.out[i], run.out[i + 1], run.out[i + 2] = ELLIPSIS, "", ""
    return 3


def em_dash(run: Run, i: int) -> int:
    if not run.text.startswith("---", i):
        return 0
    run.out[i], run.out[i + 1], run.out[i + 2] = EM_DASH, "", ""
    return 3


def en_dash(run: Run, i: int) -> int:
    if not run.text.startswith("--", i):
        return 0
    run.out[i], run.out[i + 1] = EN_DASH, ""
    return 2


def spaced_hyphen(run: Run, i: int) -> int:
    """A hyphen between spaces after a word is a dash (the language's)."""
    if not (run.before(i) == " " and run.after(i) == " " and i >= 2 and run.text[i - 2] not in SPACES):
        return 0
    run.out[i] = run.rules.spaced_hyphen
    return 1


def space_before_punctuation(run: Run, i: int) -> int:
    """The language's space before ; ! ? : % (French), typed spaces replaced."""
    ch, text = run.text[i], run.text
    if ch not in run.rules.space_before or not run.before(i):
        return 0
    k = i - 1  # the character before the spaces typed, if any, as already decided
    while k >= 0 and text[k] in SPACES and text[k] != "\n":
        k -= 1
    base = (run.out.get(k) or text[k])[-1] if k >= 0 else "\n"
    if ch == ":" and _TIME.match(text, i - 1):
        pass  # 10:30, 1:2
    elif ch in "!?" and base in "!?" and k == i - 1:
        pass  # ?! keeps one space, before the first mark
    elif is_word(base) or base in CLOSING_PUNCTUATION:
        run.space_before(i, run.rules.space_before[ch])
    return 1


CharacterRule = Callable[[Run, int], int]
CHARACTER_RULES: tuple[tuple[str, str, CharacterRule], ...] = (
    ("double quotes", '"', double_quote),
    ("single quotes and apostrophes", "'", single_quote),
    ("typed guillemets", "\u00ab\u00bb", typed_guillemet),
    ("ellipsis", ".", ellipsis),
    ("em dash", "-", em_dash),
    ("en dash", "-", en_dash),
    ("spaced hyphen", "-", spaced_hyphen),
    ("space before punctuation", ";:!?%", space_before_punctuation),
)
_BY_CHARACTER: dict[str, list[CharacterRule]] = {}
for _, characters, _rule in CHARACTER_RULES:
    for _ch in characters:
        _BY_CHARACTER.setdefault(_ch, []).append(_rule)
_INTERESTING = re.compile("[" + re.escape("".join(_BY_CHARACTER)) + "]")


def decide(text: str, rules: Rules) -> dict[int, str]:
    """Replacements, by index in ``text``, of single characters (an empty string deletes)."""
    run = Run(text, rules)
    for _, run_rule in RUN_RULES:
        run_rule(run)
    i = 0
    while (found := _INTERESTING.search(text, i)) is not None:  # skip the plain letters
        i = found.start()
        if i in run.protected:
            i += 1
            continue
        consumed = 0
        for rule in _BY_CHARACTER[text[i]]:
            consumed = rule(run, i)
            if consumed:
                break
        i += consumed or 1
    return run.out
