"""The book's fonts: which characters they can draw, and subsets of them for the EPUB.

The PDF needs nothing from here: WeasyPrint embeds subsets of the fonts itself. The EPUB
would otherwise carry the whole files (some 750 KB per style for a family with broad
coverage); it carries them cut down to the characters of the book (subset.py, HarfBuzz), in the
format they came in (the stylesheet names the same files in both formats).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import cache

from lxml import etree

from brochure.book.markdown import source_lines
from brochure.book.typography import VERBATIM
from brochure.core import memo
from brochure.core.diagnostics import Diagnostic, Location, error
from brochure.core.model import Asset, Rendering, SourceText
from brochure.core.xhtml import local_name, q
from brochure.epub.subset import cmap, family, subset
from brochure.render.faces import faces_of

# What an ebook reader may draw besides the text: list numbers, a hyphen where it breaks a
# word, punctuation of its own pages.
READER_CHARACTERS = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0\u202f\u2010\u2011\u2026"
_INVISIBLE = {"\n", "\t", "\r", "\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_CODE_SPAN = re.compile(r"(`+).+?\1")


def font_assets(assets: Iterable[Asset]) -> list[Asset]:
    return [asset for asset in assets if asset.media_type.startswith("font/")]


@cache
def _cmap(data: bytes) -> frozenset[int]:
    return cmap(data)


@cache
def family_name(data: bytes) -> str:
    return family(data)


def covered(fonts: Sequence[Asset]) -> frozenset[int]:
    """Code points that every one of ``fonts`` can draw (a style may lack what another has)."""
    sets = [_cmap(font.data) for font in fonts]
    return frozenset.intersection(*sets) if sets else frozenset()


def drawn_text(rendering: Rendering, code: bool = False) -> str:
    """The characters the book's text font draws (the body without code), or with ``code``
    those its code font draws."""
    parts: list[str] = []

    def walk(node: etree._Element, inside: bool) -> None:
        if not isinstance(node.tag, str):
            return
        inside = inside or local_name(node) in VERBATIM
        if inside == code:
            parts.append(node.text or "")
        for child in node:
            walk(child, inside)
            if inside == code:
                parts.append(child.tail or "")

    walk(rendering.root().find(q("body")), False)
    return "".join(parts)


_HINT = ("another font on the reader's system will draw them, unlike the rest of the text; "
         "add a font that has them to the styles folder, or replace them")


def coverage_warnings(rendering: Rendering, sources: Sequence[SourceText]) -> list[Diagnostic]:
    """A warning for each manuscript line with characters the book's fonts cannot draw (the
    text's font for the text, the code's for code), and for each stylesheet rule that draws
    (a list marker, a ``content:`` string) what the text's font cannot."""
    faces = faces_of(rendering.book)
    text_fonts = faces.fonts(faces.text) or tuple(font_assets(rendering.book.assets))
    warnings = []
    if text_fonts:
        drawable = covered(text_fonts)
        family = faces.text or family_name(text_fonts[0].data)
        missing = _missing(drawn_text(rendering), drawable)
        warnings += _placed(missing, family, sources, rendering, in_code=False)
        for drawn in faces.drawn:
            lacking = _missing(drawn.characters, drawable)
            if lacking:
                warnings.append(Diagnostic(
                    "warning", f"{family} cannot draw {_list(lacking)}, which the stylesheet "
                    "draws", drawn.location, "choose characters the font has (a list marker "
                    "such as disc or a string of its own), or add a font that has them"))
    code_fonts = faces.fonts(faces.code)
    if code_fonts:
        missing = _missing(drawn_text(rendering, code=True), covered(code_fonts))
        warnings += _placed(missing, f"{faces.code} (code)", sources, rendering, in_code=True)
    return warnings


def _lines(source: SourceText, code: bool) -> list[tuple[int, str]]:
    """Each line's text outside code, or with ``code`` its code: its code spans, or the whole
    line in a fenced or indented code block."""
    if not code:
        return [(n, _CODE_SPAN.sub("", line)) for n, line in source_lines(source)]
    prose = dict(source_lines(source))
    return [(n, line if n not in prose or line.startswith(("    ", "\t"))
             else "".join(m.group() for m in _CODE_SPAN.finditer(line)))
            for n, line in enumerate(source.text.split("\n"), start=source.first_line)]


def _missing(text: str, drawable: frozenset[int]) -> list[str]:
    return sorted(ch for ch in set(text)  # each character once
                  if ord(ch) not in drawable and ch not in _INVISIBLE)


def _placed(missing: list[str], family: str, sources: Sequence[SourceText],
            rendering: Rendering, in_code: bool) -> list[Diagnostic]:
    """The warnings of ``missing`` characters, at each manuscript line that has them."""
    if not missing:
        return []
    warnings = []
    unplaced = set(missing)
    for source in sources:
        for number, line in _lines(source, in_code):
            found = [ch for ch in missing if ch in line]
            if found:
                unplaced -= set(found)
                warnings.append(Diagnostic("warning", f"{family} cannot draw {_list(found)}",
                                           Location(source.path, number), _HINT))
    if unplaced:
        warnings.append(Diagnostic(
            "warning", f"{family} cannot draw {_list(sorted(unplaced))} (in the metadata or "
            "words brochure adds)", rendering.book.metadata.location, _HINT))
    return warnings


def _list(characters: Sequence[str]) -> str:
    return ", ".join(f"'{ch}' (U+{ord(ch):04X})" for ch in characters)


def subset_font(data: bytes, characters: str) -> bytes:
    """``data`` cut down to the glyphs of ``characters``, keeping its format and features
    (the subset an earlier build made of the same font and characters, if any: memo.py)."""
    key = hashlib.sha256(data).digest() + characters.encode("utf-8", "surrogatepass")
    return memo.recall("font-subset", key, lambda: subset(data, characters))


def subset_fonts(assets: Iterable[Asset], text: str) -> tuple[Asset, ...]:
    """The assets, with each font cut down to ``text`` plus what a reader may add."""
    characters = "".join(sorted(set(text) | set(READER_CHARACTERS)))
    return tuple(_subset_asset(asset, characters) if asset.media_type.startswith("font/")
                 else asset for asset in assets)


def _subset_asset(asset: Asset, characters: str) -> Asset:
    try:
        return dataclasses.replace(asset, data=subset_font(asset.data, characters))
    except ValueError as exc:
        raise error(f"'{asset.source}': {exc}", Location(asset.source),
                    "open the font in a font editor and save it again, or use another") from None
