"""Fonts cut down to the characters of a book, with HarfBuzz's subsetter (uharfbuzz).

The subset keeps the glyphs of the characters and every OpenType layout feature that reaches
them (ligatures, kerning, small capitals, old-style figures), every name, and an outline for
.notdef; it drops hints (readers hint at their own size; hints are a third of the bytes) and
the Graphite tables of SIL's fonts, which no reading system uses. HarfBuzz never reads the
clock (head.modified stays the font's own) and gives the same bytes on every run. It is some
hundred times faster than fontTools' subsetter, which the EPUB of a pamphlet waited for.
WOFF and WOFF2, which HarfBuzz neither reads nor writes, are unwrapped and wrapped again with
fontTools, imported only then.
"""

from __future__ import annotations

import io

import uharfbuzz as hb

GRAPHITE = ("Silf", "Silt", "Sill", "Glat", "Gloc", "Feat")
_FLAVORS = {b"wOF2": "woff2", b"wOFF": "woff"}


def _tag(tag: str) -> int:
    return int.from_bytes(tag.encode("ascii"), "big")


def _everything(values: hb.Set) -> None:
    values.clear()
    values.invert()


def _subset_sfnt(data: bytes, characters: str) -> bytes:
    face = hb.Face(hb.Blob(data))
    wanted = hb.SubsetInput()
    wanted.unicode_set.update(ord(ch) for ch in characters)
    _everything(wanted.layout_feature_tag_set)  # HarfBuzz keeps a short default list otherwise
    _everything(wanted.layout_script_tag_set)
    # Every standard name (the default is 0-6); names from 256 belong to features, and HarfBuzz
    # keeps those the subset's layout tables still name.
    wanted.name_id_set.clear()
    wanted.name_id_set.add_range(0, 255)
    _everything(wanted.name_lang_id_set)  # the default is English only
    wanted.drop_table_tag_set.update(_tag(table) for table in GRAPHITE)
    wanted.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE
    subset = hb.subset(face, wanted)
    if subset is None:
        raise ValueError("HarfBuzz could not subset the font")
    return bytes(subset.blob.data)


def subset(data: bytes, characters: str) -> bytes:
    """``data`` (TrueType, OpenType, WOFF or WOFF2) cut down to ``characters``, in its format."""
    flavor = _FLAVORS.get(data[:4])
    if flavor is None:
        return _subset_sfnt(data, characters)
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)
    font.flavor = None
    sfnt = io.BytesIO()
    font.save(sfnt, reorderTables=False)
    cut = TTFont(io.BytesIO(_subset_sfnt(sfnt.getvalue(), characters)), recalcTimestamp=False)
    cut.flavor = flavor
    out = io.BytesIO()
    cut.save(out, reorderTables=True)
    return out.getvalue()


def cmap(data: bytes) -> frozenset[int]:
    """The code points a font draws."""
    return frozenset(hb.Face(hb.Blob(_sfnt(data))).unicodes)


def family(data: bytes) -> str:
    """The font's family name, as its name table gives it."""
    name = hb.Face(hb.Blob(_sfnt(data))).get_name(hb.OTNameIdPredefined.FONT_FAMILY)
    return name or "the book's font"


def _sfnt(data: bytes) -> bytes:
    """A WOFF or WOFF2 font's TrueType or OpenType data (HarfBuzz reads those only)."""
    if data[:4] not in _FLAVORS:
        return data
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), recalcTimestamp=False, lazy=True)
    font.flavor = None
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()
