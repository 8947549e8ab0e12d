"""Every URL a stylesheet names, found the way a CSS tokenizer reads the text.

``url()`` is not the only way CSS names a URL: ``@import`` takes a bare string,
``image-set()`` and ``image()`` take strings, ``src()`` is ``url()`` under another name, and
escapes spell any of these differently (``u\\72l(`` is ``url(``). A check that looks for
``url(`` in the text, or only for url tokens, lets the others through.

The scan follows CSS Syntax 3 tokenization as tinycss2 does (comments, strings, escapes, url
tokens, numbers, unicode ranges, ``<!--``) and walks every block and function, not only the
rules a parser keeps, so error recovery cannot hide a URL. It does not build tinycss2's tree,
which takes about eight times as long (over a second for a megabyte of dense CSS): runs of
tokens that cannot name anything, and ``()``/``[]`` groups holding only such tokens, are
skipped by one regular expression; blocks, functions, at-keywords, url tokens and the strings
that are URLs are looked at one by one; tokens with escapes are decoded by tinycss2 itself,
so the values are the ones WeasyPrint reads.

What :func:`css_references` reports, with its ``context``:

* ``url`` -- a url token or ``url("...")`` anywhere (declarations, preludes, nested blocks);
* ``src`` -- CSS Values 4 ``src("...")``;
* ``@import`` -- the string, url token or ``url()`` of an ``@import``;
* ``@font-face`` -- a ``url()`` inside an ``@font-face`` block (``local()`` names a font);
* ``image-set`` / ``image`` -- the strings of ``image-set()``, ``-webkit-image-set()`` and
  ``image()`` (CSS Images 4), which are URLs;
* ``target`` -- the string of ``target-counter()``, ``target-counters()``, ``target-text()``.

``@namespace`` names a namespace, not a resource: its URL is not reported.

:func:`css_problems` lists what keeps the stylesheet from being checked: URLs computed during
layout (``var()``, ``env()``, ``attr()`` inside ``url()``-like functions; ``attr(name url)``
outside ``target-*()``), unreadable ``url()`` tokens and URL strings, nesting deeper than a
renderer safely recurses, and more tokens to look at than the scan's bound (the scan stops
there). A stylesheet with problems must be refused: its references may not be all it makes a
renderer fetch.
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import NamedTuple

import tinycss2

MAX_NESTING = 64  # blocks and functions inside one another; real stylesheets stay under 15
MAX_WORK = 50_000  # tokens looked at one by one (Bootstrap 4 needs 4,600): ~0.2 s at most
_DECODE_WORK = 8  # a token with escapes, decoded by tinycss2, costs as much as eight others


class CssReference(NamedTuple):
    url: str
    line: int
    column: int
    context: str


class CssProblem(NamedTuple):
    message: str
    line: int
    column: int


def css_references(css: str) -> list[CssReference]:
    """Every URL the stylesheet names, in order, with its 1-based line and column."""
    return list(_scan(css)[0])


def css_problems(css: str) -> list[CssProblem]:
    """What keeps the stylesheet from being checked; empty if its references are all it names."""
    return list(_scan(css)[1])


@functools.lru_cache(maxsize=8)
def _scan(css: str) -> tuple[tuple[CssReference, ...], tuple[CssProblem, ...]]:
    # tinycss2's preprocessing, so lines and columns agree with it
    css = css.replace("\0", "\ufffd").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    scanner = _Scanner(css)
    scanner.run()
    return tuple(scanner.references), tuple(scanner.problems)


# -- tokens ----------------------------------------------------------------------------------

_ESCAPE = r"\\(?:[0-9a-fA-F]{1,6}[ \n\t]?|[^\n0-9a-fA-F]|\Z)"
_STRING_ESCAPE = r"\\(?:[0-9a-fA-F]{1,6}[ \n\t]?|[\s\S]|\Z)"  # an escaped newline continues
_NAME_CHAR = r"[a-zA-Z0-9_\-\u0080-\U0010ffff]"
_STRING = rf"""(?:"(?:[^"\\\n]|{_STRING_ESCAPE})*+(?:"|(?=\n)|\Z)
                |'(?:[^'\\\n]|{_STRING_ESCAPE})*+(?:'|(?=\n)|\Z))"""
_COMMENT = r"/\*[\s\S]*?(?:\*/|\Z)"

# Tokens, in tinycss2's order of precedence; only their extents must be exact here. Before
# each, one run of whole tokens that cannot name a URL in the current frame is skipped:
# whitespace, comments, names that neither open a function nor hold an escape, hashes,
# delimiters -- and strings and semicolons where they mean nothing.
_SKIP_ALWAYS = [
    r"[ \n\t]+", _COMMENT,
    rf"(?![uU]\+[0-9a-fA-F?])(?>\#?{_NAME_CHAR}+)(?![(\\])",  # not U+..., not a function
    r"""[^ \n\t"'@()\[\]{}/\\<#;a-zA-Z0-9_\-\u0080-\U0010ffff]+""", r"/(?!\*)", r"<(?!!--)",
    r"\#(?![a-zA-Z0-9_\-\u0080-\U0010ffff\\])",
]
_TOKENS = rf"""(?P<open>[(\[{{])
    |(?P<close>[)\]}}])
    |(?P<semicolon>;)
    |(?P<range>[uU]\+(?=[0-9a-fA-F?]))
    |(?P<cdo><!--|-->)
    |(?P<word>[#@]?(?:{_NAME_CHAR}++|{_ESCAPE})+)
    |(?P<string>{_STRING})
    |(?P<space>[ \n\t]+|{_COMMENT})
    |(?P<end>\Z)
    |(?P<other>[\s\S])"""


def _token_pattern(skip: list[str]) -> re.Pattern[str]:
    run = "(?:" + "|".join(skip) + ")*+" if skip else ""
    return re.compile(f"(?P<skipped>{run})(?:{_TOKENS})", re.VERBOSE)


# () and [] with nothing inside that could matter, after a name that is not url or attr:
# calc(1px + 2%), rgb(0 0 0), [lang|=en]. Opened and closed, they would change nothing.
_PLAIN_INSIDE = r"""(?:[^()\[\]{}"'\\/@;<]++|/(?!\*)|<(?!!--))*+"""
_PLAIN_GROUP = (rf"(?:(?>{_NAME_CHAR}+)(?<![uU][rR][lL])(?<![aA][tT][tT][rR]))?\({_PLAIN_INSIDE}\)"
                rf"|\[{_PLAIN_INSIDE}\]")

_FAST = _token_pattern([*_SKIP_ALWAYS, _STRING, ";", _PLAIN_GROUP])
_FLAT = _token_pattern([*_SKIP_ALWAYS, _STRING, ";"])  # at the nesting limit, every level counts
_CAREFUL = _token_pattern(_SKIP_ALWAYS)  # strings or semicolons matter here, or var()
_EVERY = _token_pattern([])  # inside attr(), where idents matter
_BLANK = re.compile(rf"(?:[ \n\t]+|{_COMMENT})*")
_QUOTE_NEXT = re.compile(r"[ \n\t]*['\"]")
# A url token: the valid part, then whitespace, then ')' -- or the remnants of a bad url.
_URL_BODY = re.compile(
    rf"""[ \n\t]*(?:[^ \n\t)\\"'(\x00-\x08\x0b\x0e-\x1f\x7f]++|{_ESCAPE}|\\(?=\n))*+""")
_URL_SPACE = re.compile(r"[ \n\t]*")
_URL_REMNANTS = re.compile(r"(?:\\\)|[^)\\]++|\\)*+\)?")
# The common url token, without escapes: its value is the text itself.
_PLAIN_URL = re.compile(r"""[ \n\t]*([^ \n\t)\\"'(\x00-\x08\x0b\x0e-\x1f\x7f]*)[ \n\t]*(?:\)|\Z)""")
_HEX = re.compile(r"[0-9a-fA-F]*")
_QUESTION_MARKS = re.compile(r"\?*")
_IDENT_START = re.compile(r"[a-zA-Z_\u0080-\U0010ffff\\]|-[a-zA-Z_\u0080-\U0010ffff\\-]")
_VENDOR = re.compile(r"-(?!-)[a-z0-9]+-(?=.)")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_URL_FUNCTIONS = {"url": "url", "src": "src"}  # the first argument, a string, is the URL
_STRINGS_ARE_URLS = {"image-set": "image-set", "image": "image"}  # every direct string
_TARGETS = {"target-counter", "target-counters", "target-text"}  # internal links only
_COMPUTED = {"var", "env", "attr", "if", "inherit"}  # values known only during layout
_WATCH_IDENTS = {"attr", "type"}  # attr(name url), attr(name type(<url>))


def _matched(pattern: re.Pattern[str], css: str, pos: int, end: int | None = None) -> re.Match[str]:
    """A match of a pattern that matches everywhere (each can match the empty string)."""
    match = pattern.match(css, pos, len(css) if end is None else end)
    assert match is not None
    return match


def _url_token_end(css: str, pos: int) -> int:
    """Where the url token whose ``url(`` ends at ``pos`` ends (tinycss2's ``_consume_url``)."""
    pos = _matched(_URL_BODY, css, pos).end()
    if pos >= len(css):
        return pos
    if css[pos] in " \n\t)":
        pos = _matched(_URL_SPACE, css, pos).end()
        if pos >= len(css) or css[pos] == ")":
            return min(pos + 1, len(css))
    else:
        pos += 1  # a quote, '(' or control character: a bad url
    return _matched(_URL_REMNANTS, css, pos).end()


def _unicode_range_end(css: str, pos: int) -> int:
    """Where ``U+...`` whose digits start at ``pos`` ends (tinycss2's ``_consume_unicode_range``)."""
    limit = min(pos + 6, len(css))
    digits_end = _matched(_HEX, css, pos, limit).end()
    end = _matched(_QUESTION_MARKS, css, digits_end, limit).end()
    if (end == digits_end and css.startswith("-", end)
            and _matched(_HEX, css, end + 1, end + 2).end() > end + 1):
        return _matched(_HEX, css, end + 1, min(end + 7, len(css))).end()
    return end


def _lower(name: str) -> str:
    """CSS compares names ASCII case-insensitively: 'İ' is not 'i'."""
    return name.lower() if name.isascii() else name.translate(_ASCII_LOWER)


# -- scan ------------------------------------------------------------------------------------


class _Frame:
    """The stylesheet, or an open block or function inside it."""

    __slots__ = ("args", "at_rule", "closer", "depth", "kind", "name", "owner", "pattern", "start",
                 "target")

    def __init__(self, kind: str, name: str, closer: str, owner: str, target: bool, start: int,
                 depth: int) -> None:
        self.kind = kind  # "root", "block" ({} [] ()) or "function"
        self.depth = depth  # how many frames deep it is, the stylesheet being 1
        self.name = name  # a function's name, lowercase, without vendor prefix
        self.closer = closer
        self.owner = owner  # the at-rule whose {} block this is in ("" for style rules)
        self.target = target  # inside target-counter() and kin
        self.start = start
        self.args = 0  # significant tokens seen directly inside
        self.at_rule = ""  # the at-rule the current statement is (not in functions)
        self.pattern = self._choose()  # kept up to date: chosen once per token otherwise

    def count(self) -> None:
        self.args += 1
        if self.args == 1:
            self.pattern = self._choose()

    def set_at_rule(self, name: str) -> None:
        if self.kind != "function":
            self.at_rule = name
            self.pattern = self._choose()

    def strings_matter(self) -> bool:
        if self.kind != "function":
            return self.at_rule == "import"
        return self.name in _STRINGS_ARE_URLS or (
            self.args == 0 and (self.name in _URL_FUNCTIONS or self.name in _TARGETS))

    def _choose(self) -> re.Pattern[str]:
        if self.name in _WATCH_IDENTS:
            return _EVERY
        if self.strings_matter() or self.at_rule:
            return _CAREFUL
        return _FAST if self.depth < MAX_NESTING else _FLAT


class _Stop(Exception):
    """The scan's bound is reached; the problem is already recorded."""


class _Scanner:
    def __init__(self, css: str) -> None:
        self.css = css
        self.frames = [_Frame("root", "", "", "", False, 0, 1)]
        self.references: list[CssReference] = []
        self.problems: list[CssProblem] = []
        self.work = 0
        self._newlines: list[int] | None = None
        self._too_deep = False
        self._handlers = {
            "open": self._open, "close": self._close, "semicolon": self._semicolon,
            "space": self._space, "string": self._string, "range": self._range,
            "cdo": self._cdo, "word": self._word, "other": self._other}

    def run(self) -> None:
        css, pos, handlers = self.css, 0, self._handlers
        try:
            while pos < len(css):
                frame = self.frames[-1]
                match = _matched(frame.pattern, css, pos)
                if not frame.args and frame.kind == "function":
                    self._skipped_in_function(frame, pos, match.end("skipped"))
                kind = match.lastgroup
                assert kind is not None  # every alternative of a frame's pattern is named
                if kind == "end":
                    break
                self.work += 1
                if self.work > MAX_WORK:
                    self._spend(0, match.start(kind))
                pos = handlers[kind](match)
        except _Stop:
            pass

    def _skipped_in_function(self, frame: _Frame, start: int, end: int) -> None:
        """Anything but whitespace and comments skipped is an argument: src(a "b") names no URL."""
        if end > start and not _BLANK.fullmatch(self.css, start, end):
            frame.count()

    def _spend(self, work: int, pos: int) -> None:
        self.work += work
        if self.work > MAX_WORK:
            self._problem(f"more than {MAX_WORK:,} blocks, functions and URLs to check", pos)
            raise _Stop

    # -- reporting --

    def _where(self, pos: int) -> tuple[int, int]:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.css)]
        line = bisect.bisect_left(self._newlines, pos)
        return line + 1, pos - (self._newlines[line - 1] if line else -1)

    def _refer(self, url: str, pos: int, context: str) -> None:
        self.references.append(CssReference(url, *self._where(pos), context))

    def _problem(self, message: str, pos: int) -> None:
        self.problems.append(CssProblem(message, *self._where(pos)))

    def _decoded(self, raw: str, pos: int) -> tinycss2.ast.Node:
        """The one token ``raw`` is, escapes and all, as tinycss2 reads it."""
        self._spend(_DECODE_WORK, pos)
        return tinycss2.parse_component_value_list(raw)[0]

    def _name(self, raw: str, pos: int) -> str:
        """An ident's or at-keyword's name, unescaped, lowercase."""
        return _lower(self._decoded(raw, pos).value if "\\" in raw else raw.lstrip("@"))

    # -- blocks and functions --

    def _counted(self) -> _Frame:
        frame = self.frames[-1]
        frame.count()
        return frame

    def _push(self, kind: str, name: str, closer: str, pos: int) -> None:
        parent = self._counted()
        # the {} block after an at-rule's prelude belongs to that at-rule; the rest inherit
        owner = parent.at_rule if closer == "}" and parent.kind != "function" else parent.owner
        self.frames.append(
            _Frame(kind, name, closer, owner, parent.target or name in _TARGETS, pos, len(self.frames) + 1))
        if len(self.frames) > MAX_NESTING and not self._too_deep:
            self._too_deep = True
            self._problem(f"blocks and functions nested more than {MAX_NESTING} deep", pos)

    def _open(self, match: re.Match[str]) -> int:
        self._push("block", "", _CLOSERS[match["open"]], match.start("open"))
        return match.end()

    def _close(self, match: re.Match[str]) -> int:
        frame = self.frames[-1]
        if frame.kind != "root" and match["close"] == frame.closer:
            self.frames.pop()
            if frame.closer == "}":
                self.frames[-1].set_at_rule("")  # a {} block ends its statement
        else:
            self._counted()  # an unmatched closer is an error token, nothing more
        return match.end()

    def _semicolon(self, match: re.Match[str]) -> int:
        self._counted().set_at_rule("")
        return match.end()

    # -- names: functions, url tokens, at-keywords, idents --

    def _word(self, match: re.Match[str]) -> int:
        raw, start, end = match["word"], match.start("word"), match.end()
        if raw[0] == "@" and _IDENT_START.match(raw, 1):
            self._at_keyword(self._name(raw, start))
        elif raw[0] not in "#@" and _IDENT_START.match(raw) and self.css.startswith("(", end):
            return self._function(raw, start, end + 1)
        else:
            self._ident(raw, start)
        return end

    def _at_keyword(self, name: str) -> None:
        self._counted().set_at_rule(name)

    def _ident(self, raw: str, pos: int) -> None:
        frame = self._counted()
        if frame.name not in _WATCH_IDENTS or frame.target:
            return
        typed = frame.args > 1 if frame.name == "attr" else self.frames[-2].name == "attr"
        if typed and ("url" in raw.lower() or "\\" in raw) and self._name(raw, pos) == "url":
            self._problem("attr() with the url type takes its URL from the document", pos)

    def _function(self, raw: str, start: int, after: int) -> int:
        name = self._name(raw, start)
        if name == "url" and not _QUOTE_NEXT.match(self.css, after):
            return self._url_token(start, after)
        vendor = _VENDOR.match(name) if name.startswith("-") else None  # (?!-): not --custom()
        plain = name[vendor.end():] if vendor else name  # -webkit-image-set() is image-set()
        parent = self.frames[-1]
        if (plain in _COMPUTED or plain.startswith("--")) and (
                parent.name in _URL_FUNCTIONS or parent.name in _STRINGS_ARE_URLS):
            self._problem(f"a URL made by {name}() is known only during layout", start)
        self._push("function", plain, ")", start)
        return after

    def _url_token(self, start: int, after: int) -> int:
        plain = _PLAIN_URL.match(self.css, after)
        if plain:
            value, end = plain[1], plain.end()
        else:
            end = _url_token_end(self.css, after)
            token = self._decoded(self.css[start:end], start)
            value = token.value if token.type == "url" else None
        context = self._url_context(self.frames[-1], "url")
        if value is None:
            self._problem("a url() that cannot be read (a quote, bracket or space inside)", start)
        elif context:
            self._refer(value, start, context)
        self._counted()
        return end

    def _url_context(self, frame: _Frame, plain: str) -> str:
        """How a url token, url() or src() directly in ``frame`` is used ("": not at all)."""
        if frame.kind != "function" and frame.at_rule == "import":
            return "@import"
        if frame.kind == "root" and frame.at_rule == "namespace":
            return ""  # names a namespace; nothing is fetched
        return "@font-face" if frame.owner == "font-face" else plain

    # -- strings --

    def _string(self, match: re.Match[str]) -> int:
        frame = self.frames[-1]
        context = self._string_context(frame)
        self._counted()
        if context:
            start = match.start("string")
            value = self._string_value(match["string"], start)
            # url("...") and src("...") are placed where the function starts, as url(...) is
            at = frame.start if frame.name in _URL_FUNCTIONS else start
            if value is None:
                self._problem("a URL string that is not closed on its line", start)
            else:
                self._refer(value, at, context)
        return match.end()

    def _string_value(self, raw: str, pos: int) -> str | None:
        if "\\" not in raw and len(raw) > 1 and raw[-1] == raw[0]:
            return raw[1:-1]
        # with the character after it: a string cut by a newline is bad, one cut by the end is not
        token = self._decoded(self.css[pos:pos + len(raw) + 1], pos)
        return token.value if token.type == "string" else None

    def _string_context(self, frame: _Frame) -> str:
        """How a string directly in ``frame`` is used as a URL ("": it is not)."""
        if not frame.strings_matter():
            return ""
        if frame.kind != "function":
            return "@import"
        if frame.name in _STRINGS_ARE_URLS:
            return _STRINGS_ARE_URLS[frame.name]
        if frame.name in _URL_FUNCTIONS:
            return self._url_context(self.frames[-2], _URL_FUNCTIONS[frame.name])
        return "target"

    # -- the rest --

    def _space(self, match: re.Match[str]) -> int:
        return match.end()

    def _range(self, match: re.Match[str]) -> int:
        self._counted()
        return _unicode_range_end(self.css, match.end())

    def _cdo(self, match: re.Match[str]) -> int:
        if self.frames[-1].kind != "root":  # a stylesheet's top level skips <!-- and -->
            self._counted()
        return match.end()

    def _other(self, match: re.Match[str]) -> int:
        self._counted()
        return match.end()
