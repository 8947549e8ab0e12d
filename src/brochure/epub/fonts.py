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


def drawn_text(rendering: Rendering) -> str:
    """The characters the book's text font draws: the body, without code (a monospace font's)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if not isinstance(node.tag, str) or local_name(node) in VERBATIM:
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(rendering.root().find(q("body")))
    return "".join(parts)


def coverage_warnings(rendering: Rendering, sources: Sequence[SourceText]) -> list[Diagnostic]:
    """A warning for each manuscript line with characters the book's fonts cannot draw."""
    fonts = font_assets(rendering.book.assets)
    if not fonts:
        return []
    drawable = covered(fonts)
    missing = sorted(ch for ch in set(drawn_text(rendering))  # each character once
                     if ord(ch) not in drawable and ch not in _INVISIBLE)
    if not missing:
        return []
    family = family_name(fonts[0].data)
    hint = ("another font on the reader's system will draw them, unlike the rest of the text; "
            "add a font that has them to the styles folder, or replace them")
    warnings = []
    unplaced = set(missing)
    for source in sources:
        for number, line in source_lines(source):  # code is drawn by another font
            line = _CODE_SPAN.sub("", line)
            found = [ch for ch in missing if ch in line]
            if found:
                unplaced -= set(found)
                warnings.append(Diagnostic(
                    "warning", f"{family} cannot draw {_list(found)}",
                    Location(source.path, number), hint))
    if unplaced:
        meta = rendering.book.metadata
        warnings.append(Diagnostic(
            "warning", f"{family} cannot draw {_list(sorted(unplaced))} (in the metadata or "
            "words brochure adds)", meta.location, hint))
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
