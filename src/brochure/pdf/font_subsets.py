"""One subset per font in a PDF joined from chunks, as the book laid out in one piece has.

Each chunk's PDF embeds its own subset of each font, with WeasyPrint's name for it (a tag from
the font, not from the glyphs: "RBQAEQ+Charis-SIL"). Joined, a book would carry several
different fonts under one name, which the PDF standard forbids and a RIP that caches fonts by
name gets wrong, and the same glyphs several times over. WeasyPrint keeps the whole font's
glyph numbers in its subsets (retained glyph ids, ``CIDToGIDMap /Identity``), so the subsets
of a font merge into one: the glyphs all of them draw, their widths and their Unicode values,
and every page's resources then name that one font. A font that cannot be merged so
(not TrueType outlines, a custom encoding) keeps its subsets, each renamed by its glyphs.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import defaultdict
from typing import Any

import pikepdf
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def merge_font_subsets(pdf: pikepdf.Pdf) -> None:
    groups: dict[str, list[pikepdf.Dictionary]] = defaultdict(list)
    for font in pdf.objects:
        if isinstance(font, pikepdf.Dictionary) and font.get("/Subtype") == "/Type0":
            groups[str(font.BaseFont)].append(font)
    replaced: dict[tuple[int, int], pikepdf.Dictionary] = {}
    for fonts in groups.values():
        if len(fonts) < 2:
            continue
        if all(_mergeable(font) for font in fonts):
            _merge(pdf, fonts)
            replaced.update((font.objgen, fonts[0]) for font in fonts[1:])
        else:
            for font in fonts:
                _name_by_glyphs(font)
    if replaced:
        for owner in pdf.objects:
            resources = owner.get("/Font") if isinstance(owner, pikepdf.Dictionary) else None
            if isinstance(resources, pikepdf.Dictionary):
                for key, font in list(resources.items()):
                    if font.objgen in replaced:
                        resources[key] = replaced[font.objgen]


def _descendant(font: pikepdf.Dictionary) -> Any:  # pikepdf's objects are typed loosely
    return font.DescendantFonts[0]


def _mergeable(font: pikepdf.Dictionary) -> bool:
    descendant = _descendant(font)
    return (font.get("/Encoding") == "/Identity-H" and "/ToUnicode" in font
            and descendant.get("/CIDToGIDMap") == "/Identity"
            and "/FontFile2" in descendant.FontDescriptor)


def _merge(pdf: pikepdf.Pdf, fonts: list[pikepdf.Dictionary]) -> None:
    """The first font of ``fonts`` made the union of them all."""
    kept = fonts[0]
    descendant = _descendant(kept)
    program = _merged_program([(_descendant(f).FontDescriptor.FontFile2.read_bytes(),
                                set(_widths(_descendant(f).W))) for f in fonts])
    descendant.FontDescriptor.FontFile2 = pdf.make_stream(program, Length1=len(program))
    widths: dict[int, float] = {}
    to_unicode: dict[int, bytes] = {}
    for font in fonts:
        for glyph, width in _widths(_descendant(font).W).items():
            widths.setdefault(glyph, width)
        for glyph, text in _to_unicode(font.ToUnicode.read_bytes()).items():
            to_unicode.setdefault(glyph, text)
    descendant.W = _width_array(widths)
    kept.ToUnicode = pdf.make_stream(_to_unicode_cmap(to_unicode))
    bbox: list[Any] = list(descendant.FontDescriptor.FontBBox)
    bbox[2] = max(widths.values(), default=bbox[2])
    descendant.FontDescriptor.FontBBox = pikepdf.Array(bbox)


def _merged_program(subsets: list[tuple[bytes, set[int]]]) -> bytes:
    """One TrueType font with every glyph the subsets draw. Each subset keeps the whole font's
    glyph numbers up to the highest it draws (glyphs only used inside composite glyphs may be
    numbered after it), so glyph n drawn by one subset is glyph n of the subset that draws the
    highest number; the glyphs it lacks are copied in, composites as plain outlines."""
    # recalcTimestamp=False: else fontTools stamps head.modified with the clock (or with
    # SOURCE_DATE_EPOCH when set), and the same book gives other bytes at another time.
    fonts = [(TTFont(io.BytesIO(data), recalcTimestamp=False), drawn) for data, drawn in subsets]
    base, base_drawn = max(fonts, key=lambda pair: max(pair[1], default=-1))
    order = base.getGlyphOrder()
    for other, drawn in fonts:
        if other is base:
            continue
        their_order = other.getGlyphOrder()
        for number in sorted(drawn - base_drawn):
            ours, theirs = order[number], their_order[number]
            if base["glyf"][ours].numberOfContours == 0:
                base["glyf"][ours] = _outline(other, theirs)
                base["hmtx"][ours] = other["hmtx"][theirs]
    out = io.BytesIO()
    base.save(out)
    return out.getvalue()


def _outline(font: TTFont, name: str):
    """A glyph as one outline, its components drawn in (their numbers are the subset's own)."""
    glyph = font["glyf"][name]
    if not glyph.isComposite():
        return glyph
    recorded = DecomposingRecordingPen(font.getGlyphSet())
    font.getGlyphSet()[name].draw(recorded)
    pen = TTGlyphPen(None)
    recorded.replay(pen)
    return pen.glyph()


def _widths(array: Any) -> dict[int, float]:
    """A CID font's /W array (``first [w w ...]`` or ``first last w`` runs) as a dict."""
    found: dict[int, float] = {}
    items = list(array)
    index = 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], pikepdf.Array):
            for offset, width in enumerate(items[index + 1]):
                found[first + offset] = float(width)
            index += 2
        else:
            for glyph in range(first, int(items[index + 1]) + 1):
                found[glyph] = float(items[index + 2])
            index += 3
    return found


def _width_array(widths: dict[int, float]) -> pikepdf.Array:
    array: list = []
    run: list[float] = []
    previous = None
    for glyph in sorted(widths):
        if previous is None or glyph != previous + 1:
            run = []
            array += [glyph, run]
        run.append(widths[glyph])
        previous = glyph
    return pikepdf.Array([item if isinstance(item, int) else pikepdf.Array(item)
                          for item in array])


def _to_unicode(cmap: bytes) -> dict[int, bytes]:
    mapping: dict[int, bytes] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for glyph, text in _BFCHAR.findall(block):
            mapping.setdefault(int(glyph, 16), text)
    return mapping


def _to_unicode_cmap(mapping: dict[int, bytes]) -> bytes:
    """A ToUnicode CMap in the form WeasyPrint writes it."""
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0",
             b">> def", b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [b"<%04x> <%s>" % (glyph, text) for glyph, text in batch]
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)


def _name_by_glyphs(font: pikepdf.Dictionary) -> None:
    """Tag a subset by its glyphs, so that different subsets never share a name."""
    descendant = _descendant(font)
    descriptor = descendant.FontDescriptor
    program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
    if program is None or "+" not in str(font.BaseFont):
        return
    digest = hashlib.sha256(program.read_bytes()).digest()
    tag = "".join(chr(65 + byte % 26) for byte in digest[:6])
    name = pikepdf.Name(f"/{tag}+{str(font.BaseFont).split('+', 1)[1]}")
    font.BaseFont = descendant.BaseFont = descriptor.FontName = name
