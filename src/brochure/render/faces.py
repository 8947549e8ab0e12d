"""Which of the book's fonts draw what, read from its stylesheets.

The ``@font-face`` rules name the families the book carries and their files; the font family
of ``html`` (or ``body``) sets the text, that of ``code`` (or ``pre``) the code. Besides the
text, a stylesheet draws characters of its own: list markers (``disc`` is '•', a string
marker is itself) and the strings of ``content:``. The coverage check and the EPUB's font
subsets need all three.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

import tinycss2

from brochure.core.diagnostics import Location
from brochure.core.model import Asset, Book

# The characters of the list markers a keyword names (CSS Counter Styles, as WeasyPrint and
# the browsers draw them).
MARKERS = {"disc": "•", "circle": "◦", "square": "▪", "disclosure-open": "▾",
           "disclosure-closed": "▸"}
TEXT_SELECTORS = {"html", "body", ":root"}
CODE_SELECTORS = {"code", "pre"}


@dataclass(frozen=True)
class Drawn:
    """Characters a stylesheet draws, where it says so."""

    characters: str
    location: Location


@dataclass(frozen=True)
class Faces:
    families: dict[str, tuple[Asset, ...]]  # @font-face family -> its font files
    text: str | None  # the family that sets the text, if the book carries it
    code: str | None  # the family that sets code, if the book carries it
    drawn: tuple[Drawn, ...]  # what the stylesheets draw themselves

    def fonts(self, family: str | None) -> tuple[Asset, ...]:
        return self.families.get(family, ()) if family else ()

    @property
    def drawn_characters(self) -> str:
        return "".join(sorted({ch for drawn in self.drawn for ch in drawn.characters}))


def faces_of(book: Book) -> Faces:
    assets = {asset.href: asset for asset in book.assets}
    families: dict[str, list[Asset]] = {}
    chosen: dict[str, str] = {}  # "text" / "code" -> family, the last rule winning
    drawn: list[Drawn] = []
    for href in book.stylesheets:
        sheet = assets.get(href)
        if sheet is None:
            continue
        rules = tinycss2.parse_stylesheet_bytes(sheet.data, skip_comments=True,
                                                skip_whitespace=True)[0]
        for prelude, declarations in _rules(rules):
            if prelude == "@font-face":
                family, urls = _font_face(declarations)
                files = [assets[path] for path in (_href(href, url) for url in urls)
                         if path in assets]
                if family and files:
                    families.setdefault(family, []).extend(files)
                continue
            for declaration in declarations:
                _read(declaration, prelude, chosen, drawn, sheet)
    return Faces({family: tuple(files) for family, files in families.items()},
                 chosen.get("text") if chosen.get("text") in families else None,
                 chosen.get("code") if chosen.get("code") in families else None,
                 tuple(drawn))


def _read(declaration, prelude: str, chosen: dict[str, str], drawn: list[Drawn],
          sheet: Asset) -> None:
    name = declaration.lower_name
    where = Location(sheet.source, declaration.source_line)
    if name == "font-family":
        family = _first_family(declaration.value)
        subjects = {_subject(selector) for selector in prelude.split(",")}
        if family and subjects & TEXT_SELECTORS:
            chosen["text"] = family
        elif family and subjects & CODE_SELECTORS:
            chosen["code"] = family
    elif name == "content":
        text = "".join(_strings(declaration.value))
        if text.strip():
            drawn.append(Drawn(text, where))
    elif name in ("list-style-type", "list-style"):
        for token in declaration.value:
            marker = (token.value if token.type == "string"
                      else MARKERS.get(token.lower_value, "") if token.type == "ident" else "")
            if marker.strip():
                drawn.append(Drawn(marker, where))


def _strings(tokens) -> Iterator[str]:
    """The strings a ``content`` value draws: its own, and a leader's."""
    for token in tokens:
        if token.type == "string":
            yield token.value
        elif token.type == "function" and token.lower_name == "leader":
            yield from _strings(token.arguments)


def _rules(nodes, prelude: str = "") -> Iterator[tuple[str, list]]:
    """(selector text or '@font-face', declarations) of every rule, nested ones included
    (@media, @page and its margin boxes)."""
    for node in nodes:
        if node.type == "qualified-rule":
            yield tinycss2.serialize(node.prelude).strip(), _declarations(node.content)
        elif node.type == "at-rule" and node.content is not None:
            if node.lower_at_keyword == "font-face":
                yield "@font-face", _declarations(node.content)
            elif node.lower_at_keyword == "media":
                yield from _rules(tinycss2.parse_rule_list(node.content, skip_comments=True,
                                                           skip_whitespace=True))
            else:  # @page and its margin boxes: declarations and nested at-rules
                content = tinycss2.parse_blocks_contents(node.content, skip_comments=True,
                                                         skip_whitespace=True)
                yield "@" + node.lower_at_keyword, [d for d in content if d.type == "declaration"]
                yield from _rules([r for r in content if r.type == "at-rule"])


def _declarations(content) -> list:
    return [d for d in tinycss2.parse_declaration_list(content, skip_comments=True,
                                                        skip_whitespace=True)
            if d.type == "declaration"]


def _font_face(declarations: list) -> tuple[str | None, list[str]]:
    family, urls = None, []
    for declaration in declarations:
        if declaration.lower_name == "font-family":
            family = _first_family(declaration.value)
        elif declaration.lower_name == "src":
            for token in declaration.value:
                if token.type == "url":
                    urls.append(token.value)
                elif token.type == "function" and token.lower_name == "url":
                    urls.extend(a.value for a in token.arguments if a.type == "string")
    return family, urls


def _first_family(tokens) -> str | None:
    words: list[str] = []
    for token in tokens:
        if token.type == "string" and not words:
            return token.value
        if token.type == "ident":
            words.append(token.value)
        elif token.type == "literal" and token.value == ",":
            break
    return " ".join(words) or None


def _subject(selector: str) -> str:
    """The element a selector styles, from its last compound: 'ul li > code' -> 'code'."""
    last = selector.replace(">", " ").replace("+", " ").replace("~", " ").split()
    compound = last[-1] if last else ""
    if compound.startswith(":"):
        return compound.split("(")[0].lower()
    for mark in ".#[:":
        compound = compound.split(mark)[0]
    return compound.lower()


def _href(sheet_href: str, url: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(sheet_href), url))
