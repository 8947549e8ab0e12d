"""The files a cover may use, read once from the styles folder: the template, the fonts it
declares, and the barcode when the book has an ISBN. draw_cover is given these and no other."""

from __future__ import annotations

from pathlib import Path

from brochure.core.model import Asset
from brochure.cover.barcode import ean13_svg
from brochure.cover.design import BARCODE, STYLESHEET

_MEDIA_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}


def cover_files(styles: Path, isbn13: str | None = None) -> dict[str, tuple[bytes, str]]:
    """Path under the base URL -> (bytes, media type): styles/cover.css, styles/fonts/*, and
    cover/barcode.svg for an ISBN."""
    files = {STYLESHEET: ((styles / "cover.css").read_bytes(), "text/css")}
    for font in sorted((styles / "fonts").iterdir()):
        media_type = _MEDIA_TYPES.get(font.suffix.lower())
        if media_type is not None:
            files[f"styles/fonts/{font.name}"] = (font.read_bytes(), media_type)
    if isbn13:
        files[BARCODE] = (ean13_svg(isbn13), "image/svg+xml")
    return files


def template_files(template: tuple[Asset, ...], isbn13: str | None = None
                   ) -> dict[str, tuple[bytes, str]]:
    """The same from the files the read stage found (the template, then what it names)."""
    files = {asset.href: (asset.data, asset.media_type) for asset in template}
    if isbn13:
        files[BARCODE] = (ean13_svg(isbn13), "image/svg+xml")
    return files
