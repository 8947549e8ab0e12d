"""The shelf's page set in the books' fonts: the shipped Charis SIL, cut down to the characters
the page shows, as WOFF files beside it, and the page's own style with them (``shelf.css``).

The fonts are subset with the EPUB's subsetter (HarfBuzz), so a page of a hundred titles loads
some tens of kilobytes of fonts, not three megabytes; a character the subset lacks falls back to
the reader's serif font.
"""

from __future__ import annotations

import io

from fontTools.ttLib import TTFont
from lxml import html

from brochure.core.fingerprint import default_styles_dir
from brochure.epub.fonts import subset_font
from brochure.shelf.catalogue import FONTS
from brochure.shelf.feeds import _CSS as PAGE_CSS  # the page's own style, which this extends

STYLESHEET = "shelf.css"
# (file in the site, shipped font, CSS weight and style): what the page's style uses.
FACES = ((f"{FONTS}/charis-regular.woff", "CharisSIL-Regular.ttf", "normal", "normal"),
         (f"{FONTS}/charis-italic.woff", "CharisSIL-Italic.ttf", "normal", "italic"),
         (f"{FONTS}/charis-bold.woff", "CharisSIL-Bold.ttf", "bold", "normal"))
_FAMILY = "body{font-family:\"Charis SIL\",Charis,Georgia,serif}\n"


def page_characters(page: bytes) -> str:
    """Every character the page shows (and the digits and signs of sizes and dates)."""
    text = html.fromstring(page).text_content()
    return "".join(sorted(set(text) | set("0123456789.,:()–- "))) if text else " "


def page_files(page: bytes) -> dict[str, bytes]:
    """``shelf.css`` and the fonts it names, by their path in the site."""
    characters = page_characters(page)
    fonts = default_styles_dir() / "fonts"
    files = {name: _woff(subset_font((fonts / shipped).read_bytes(), characters))
             for name, shipped, _, _ in FACES}
    faces = "".join(
        f"@font-face{{font-family:\"Charis SIL\";font-weight:{weight};font-style:{style};"
        f"font-display:swap;src:url(\"{name}\") format(\"woff\")}}\n"
        for name, _, weight, style in FACES)
    files[STYLESHEET] = (faces + PAGE_CSS.lstrip() + _FAMILY).encode("utf-8")
    return files


def _woff(sfnt: bytes) -> bytes:
    """A TrueType font as WOFF (zlib, which every browser reads), its timestamps kept."""
    font = TTFont(io.BytesIO(sfnt), recalcTimestamp=False)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out, reorderTables=True)
    return out.getvalue()
