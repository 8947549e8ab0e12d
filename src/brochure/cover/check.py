"""Checks of a cover image the user gives (``cover-image:``) before it goes into the books.

The EPUB stores want at least 1600 x 2560 pixels, about 1:1.6; the printer wants 300 pixels
an inch at the trim size. An image that misses these still makes a book, so they are warnings;
one that is not PNG or JPEG, or cannot be decoded, cannot be used and raises ValueError.
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Iterator
from pathlib import PurePosixPath

from PIL import Image, ImageFile, UnidentifiedImageError

MM_PER_INCH = 25.4
EBOOK_MIN_PX = (1600, 2560)
ASPECT_RANGE = (1.4, 1.7)  # height / width
PRINT_MIN_DPI = 300
MAX_PIXELS = 60_000_000  # decoding more would take gigabytes; no cover needs it
_EXTENSIONS = {"PNG": {".png"}, "JPEG": {".jpg", ".jpeg"}}
_SWAPPED_ORIENTATIONS = {5, 6, 7, 8}  # EXIF: the image is shown turned a quarter


def check_cover_image(data: bytes, name: str, trim_mm: tuple[float, float]) -> list[str]:
    """Warnings about the cover image ``name`` for the ebook and for print at ``trim_mm``
    (width, height); ValueError if it is not a PNG or JPEG that decodes."""
    image_format, (width, height), mode = _measure(data, name)
    found = []
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in _EXTENSIONS[image_format]:
        found.append(f"cover image {name}: a {image_format} file named {suffix or 'without extension'}")
    min_width, min_height = EBOOK_MIN_PX
    if width < min_width or height < min_height:
        found.append(f"cover image {name}: {width} x {height} px, ebook stores ask for at least "
                     f"{min_width} x {min_height} px")
    aspect = height / width
    low, high = ASPECT_RANGE
    if not low <= aspect <= high:
        found.append(f"cover image {name}: height/width {aspect:.2f}, ebook covers are about 1.6 "
                     f"(between {low} and {high})")
    found.extend(_print_warnings(name, width, height, trim_mm))
    if mode == "CMYK" and image_format == "JPEG":
        found.append(f"cover image {name}: a CMYK JPEG, which ebook readers show with wrong colours")
    return found


def _measure(data: bytes, name: str) -> tuple[str, tuple[int, int], str]:
    """Format, displayed size (EXIF rotation applied) and mode, after a full decode."""
    try:
        with Image.open(io.BytesIO(data), formats=("PNG", "JPEG")) as image:
            # Measured from the header, before anything is decoded.
            if image.width * image.height > MAX_PIXELS:
                raise ValueError(f"cover image {name}: {image.width} x {image.height} px, more "
                                 f"than {MAX_PIXELS:,} pixels")
            with _strict_decoding():
                image.load()  # a truncated or corrupt file fails here, not in the EPUB reader
            orientation = image.getexif().get(0x0112, 1)
            size = image.size
            if orientation in _SWAPPED_ORIENTATIONS:
                size = (size[1], size[0])
            return str(image.format), size, image.mode
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ValueError(f"cover image {name}: not a PNG or JPEG image that can be read") from exc
    except (OSError, SyntaxError, EOFError) as exc:
        raise ValueError(f"cover image {name}: cannot be decoded ({exc})") from exc


@contextlib.contextmanager
def _strict_decoding() -> Iterator[None]:
    """Pillow's decoders refuse a truncated file for the while: importing WeasyPrint makes them
    accept one for the whole process (ImageFile.LOAD_TRUNCATED_IMAGES)."""
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _print_warnings(name: str, width: int, height: int, trim_mm: tuple[float, float]) -> list[str]:
    trim_width, trim_height = trim_mm
    trim = f"{trim_width:g} x {trim_height:g} mm"
    found = []
    dpi = min(width / (trim_width / MM_PER_INCH), height / (trim_height / MM_PER_INCH))
    if dpi < PRINT_MIN_DPI:
        needed = f"{_pixels(trim_width)} x {_pixels(trim_height)} px"
        found.append(f"cover image {name}: {dpi:.0f} dpi at the trim size {trim}, print asks for "
                     f"{PRINT_MIN_DPI} dpi ({needed})")
    # Filling the trim with an image of another shape cuts part of it away.
    image_aspect, trim_aspect = height / width, trim_height / trim_width
    lost = 1 - min(image_aspect, trim_aspect) / max(image_aspect, trim_aspect)
    if lost > 0.02:
        side = "top and bottom" if image_aspect > trim_aspect else "left and right"
        found.append(f"cover image {name}: its shape differs from the trim {trim}; filling the page "
                     f"cuts {lost:.0%} of it ({side})")
    return found


def _pixels(mm: float) -> int:
    return math.ceil(round(mm / MM_PER_INCH * PRINT_MIN_DPI, 6))
