"""Images are checked before anything decodes them.

A small PNG can claim to be 100,000 x 100,000 pixels and take tens of gigabytes once the PDF
renderer decodes it; an SVG can define entities that expand to gigabytes ("billion laughs")
or name files and URLs to fetch. Raster images are measured from their header only
(Pillow's ``Image.open`` reads no pixel); SVG is parsed with defusedxml, which refuses
entity and DTD tricks, and anything that reaches outside the image is refused.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from pathlib import PurePosixPath
from urllib.parse import unquote_to_bytes

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

from brochure.core.diagnostics import Location, error

MAX_PIXELS = 60_000_000  # a full A4 page at 600 dpi is 35 million pixels
MAX_DATA_URL = 2 * 1024 * 1024  # characters of a data: URL in a stylesheet
_PILLOW_FORMATS = {
    "image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP",
}
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)


def check_image(name: str | PurePosixPath, kind: str, data: bytes,
                location: Location | None = None) -> None:
    """Raise an error if the image is not what it says, too large to decode, or reaches out."""
    if kind == "image/svg+xml":
        _check_svg(str(name), data, location)
    elif kind in _PILLOW_FORMATS:
        _check_raster(str(name), kind, data, location)


def _check_raster(name: str, kind: str, data: bytes, location: Location | None) -> None:
    from PIL import Image, UnidentifiedImageError  # only a book with images pays its import

    expected = _PILLOW_FORMATS[kind]
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # brochure's own bound, below, names the size it found
    try:
        with Image.open(io.BytesIO(data), formats=[expected]) as image:  # reads the header only
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise error(f"'{name}' is not a readable {expected} image", location,
                    "open it in an image editor and save it again") from None
    finally:
        Image.MAX_IMAGE_PIXELS = saved
    if width * height > MAX_PIXELS:
        raise error(f"image '{name}' is {width} x {height} pixels, more than the "
                    f"{MAX_PIXELS // 1_000_000} million pixels brochure decodes", location,
                    "scale the image down (300 dpi at the printed size is plenty)")


def _check_svg(name: str, data: bytes, location: Location | None) -> None:
    try:
        root = defusedxml.ElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise error(f"SVG '{name}' declares a DTD or entities, which brochure does not read",
                    location, "remove the <!DOCTYPE ...> and <!ENTITY ...> lines") from None
    except Exception as exc:  # xml.etree.ElementTree.ParseError and relatives
        raise error(f"SVG '{name}' is not well-formed XML: {exc}", location) from None
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if tag == "script":
            raise error(f"SVG '{name}' contains a script", location, "remove the <script> element")
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1]
            if local.lower().startswith("on"):
                raise error(f"SVG '{name}' has an event handler '{local}'", location)
            if attribute in ("href", _XLINK_HREF) and not _inside(value):
                raise error(f"SVG '{name}' refers to '{value[:80]}' outside the image", location,
                            "embed what it shows in the SVG itself")
            if local == "style":
                _check_svg_css(name, value, location)
        if tag == "style":
            _check_svg_css(name, element.text or "", location)


def _inside(reference: str) -> bool:
    reference = reference.strip()
    return reference.startswith("#") or reference.startswith("data:")


def _check_svg_css(name: str, css: str, location: Location | None) -> None:
    if "@import" in css.lower() or any(not _inside(url) for url in _CSS_URL.findall(css)):
        raise error(f"SVG '{name}' has a style that loads something from outside the image",
                    location, "remove @import and url() that do not point inside the SVG")


def check_data_url(url: str, location: Location | None = None) -> None:
    """A ``data:`` URL of a stylesheet: bounded in size, and checked like a file if an image."""
    shown = url[:40] + "..." if len(url) > 40 else url
    if len(url) > MAX_DATA_URL:
        raise error(f"data: URL '{shown}' is {len(url) // 1024} KiB, more than the "
                    f"{MAX_DATA_URL // 1024} KiB brochure reads", location,
                    "save the resource as a file in the styles folder and refer to it with url()")
    header, comma, payload = url[len("data:"):].partition(",")
    if not comma:
        raise error(f"data: URL '{shown}' has no ',' before its content", location)
    params = header.split(";")
    kind = params[0].strip().lower() or "text/plain"
    try:
        content = (base64.b64decode(unquote_to_bytes(payload), validate=False)
                   if "base64" in (p.strip().lower() for p in params[1:])
                   else unquote_to_bytes(payload))
    except (binascii.Error, ValueError):
        raise error(f"data: URL '{shown}' is not valid base64", location) from None
    check_image(f"data:{kind}", kind, content, location)
