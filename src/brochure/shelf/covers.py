"""Each book's pictures in the catalogues and on the page: its cover, and a thumbnail.

The cover is the one the book's EPUB carries (the manifest item with the ``cover-image``
property), as the EPUB has it: the one given in its book.yaml, or the one drawn from its
metadata (cover/). The thumbnail is that cover made small, in its own proportions (an A5 cover
is 240 x 340 pixels). This is where a book's cover plugs in: whatever makes the EPUB's cover
makes the shelf's. A book without an EPUB (or whose EPUB's cover OPDS cannot show) gets a plain
typographic thumbnail instead: its title and authors set in the shipped Charis SIL on a 2:3
card, and no cover. The site keeps them in folders of its own (site.py), not in the books'.

Pictures are made from the book alone, with Pillow's own text layout (not the system's), so the
same book gives the same bytes wherever it is built.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import zipfile
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from PIL import Image, ImageDraw, ImageFont

from brochure.core import memo
from brochure.core.fingerprint import default_styles_dir
from brochure.core.model import Metadata

THUMBNAIL = (240, 360)  # pixels: the box a thumbnail fits in, twice the size the page shows
COVER_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif"}  # what OPDS takes
_OPF = "{http://www.idpf.org/2007/opf}"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_PAPER, _INK, _MUTED = (244, 239, 230), (29, 29, 27), (96, 92, 86)
_MARGIN = 20


@dataclass(frozen=True)
class BookPictures:
    cover: tuple[str, bytes] | None  # (suffix, bytes): ".jpg", as the EPUB has it
    thumbnail: bytes  # PNG


def book_pictures(metadata: Metadata, epub: bytes | None) -> BookPictures:
    """The EPUB's cover and a thumbnail of it, or a typographic thumbnail and no cover. Both
    kinds of thumbnail are kept in the memo (memo.py) when it is active: a shelf's site is made
    again after every build, its books' pictures seldom change."""
    cover = epub_cover(epub) if epub is not None else None
    if cover is None:
        text = json.dumps([metadata.title, metadata.authors, metadata.publisher]).encode()
        drawn = memo.recall("thumbnail", b"text\0" + text, lambda: typographic_thumbnail(metadata))
        return BookPictures(None, drawn)
    media_type, data = cover
    small = memo.recall("thumbnail", b"cover\0" + hashlib.sha256(data).digest(), lambda: _small(data))
    return BookPictures((COVER_TYPES[media_type], data), small)


def epub_cover(epub: bytes) -> tuple[str, bytes] | None:
    """(media type, bytes) of the EPUB's cover image, if it has one OPDS can show."""
    try:
        with zipfile.ZipFile(io.BytesIO(epub)) as archive:
            container = etree.fromstring(archive.read("META-INF/container.xml"))
            rootfile = container.find(f".//{_CONTAINER}rootfile")
            if rootfile is None:
                return None
            opf_path = rootfile.get("full-path", "")
            opf = etree.fromstring(archive.read(opf_path))
            for item in opf.iterfind(f".//{_OPF}manifest/{_OPF}item"):
                if "cover-image" in (item.get("properties") or "").split():
                    media_type = item.get("media-type", "")
                    if media_type not in COVER_TYPES:
                        return None
                    href = posixpath.normpath(posixpath.join(posixpath.dirname(opf_path),
                                                             item.get("href", "")))
                    return media_type, archive.read(href)
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return None
    return None


def _small(data: bytes) -> bytes:
    """A cover made small enough to fit THUMBNAIL, in its own proportions, as PNG."""
    with Image.open(io.BytesIO(data)) as image:
        picture = image.convert("RGB")
    picture.thumbnail(THUMBNAIL, Image.Resampling.LANCZOS)
    return _png(picture)


def _png(picture: Image.Image) -> bytes:
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=True)
    return out.getvalue()


@lru_cache(maxsize=8)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path = default_styles_dir() / "fonts" / f"CharisSIL-{name}.ttf"
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def _lines(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """``text`` broken into lines no wider than ``width``; a word too long alone is cut."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(candidate) <= width:
            lines[-1] = candidate
            continue
        while len(word) > 1 and font.getlength(word) > width:
            cut = len(word) - 1
            while cut > 1 and font.getlength(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines


def typographic_thumbnail(metadata: Metadata) -> bytes:
    """The title (as large as fits in seven lines), a rule, the authors, and the publisher at
    the foot, on a paper-coloured card."""
    width, height = THUMBNAIL
    picture = Image.new("RGB", THUMBNAIL, _PAPER)
    draw = ImageDraw.Draw(picture)
    inner = width - 2 * _MARGIN
    for size in range(30, 13, -2):
        title_font = _font("Bold", size)
        title = _lines(metadata.title, title_font, inner)
        if len(title) <= 7:
            break
    title = title[:7]
    y = 2 * _MARGIN
    step = round(size * 1.2)
    for line in title:
        draw.text((_MARGIN, y), line, font=title_font, fill=_INK)
        y += step
    y += step // 2
    draw.line([(_MARGIN, y), (_MARGIN + 48, y)], fill=_INK, width=2)
    y += 14
    people = _font("Italic", 16)
    for line in _lines(", ".join(metadata.authors), people, inner)[:3]:
        draw.text((_MARGIN, y), line, font=people, fill=_INK)
        y += 20
    if metadata.publisher:
        small = _font("Regular", 13)
        line = _lines(metadata.publisher, small, inner)[0]
        draw.text((_MARGIN, height - _MARGIN - 16), line, font=small, fill=_MUTED)
    draw.rectangle([(0, 0), (width - 1, height - 1)], outline=_MUTED)
    return _png(picture)
