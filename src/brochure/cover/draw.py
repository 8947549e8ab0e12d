"""Covers drawn by WeasyPrint from their HTML, and rasterised for the EPUB by pdfium.

WeasyPrint reads nothing by itself: the fetcher serves the files it is given, by their path
under a base URL that names no real place, and refuses every other URL (no disk, no network).
"""

from __future__ import annotations

import hashlib
import io
import math

import pypdfium2
import weasyprint
from PIL import Image
from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE_URL = "https://book.invalid/"
POINTS_PER_INCH = 72

# What the ebook stores ask of a cover, in pixels: 1600 wide and 2560 high (1:1.6).
MIN_WIDTH_PX = 1600
MIN_HEIGHT_PX = 2560


class CoverFetcher(URLFetcher):
    """Serves the given files under BASE_URL; anything else is refused and recorded."""

    def __init__(self, files: dict[str, tuple[bytes, str]]):
        super().__init__(allowed_protocols=set())
        self.files = files
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith(BASE_URL):
            path = url[len(BASE_URL):].split("#")[0].split("?")[0]
            if path in self.files:
                data, media_type = self.files[path]
                return URLFetcherResponse(url, data, {"Content-Type": media_type})
        self.refused.append(url)
        raise ValueError(f"cover: brochure does not fetch {url!r}")


def draw_cover(html: bytes, files: dict[str, tuple[bytes, str]]) -> bytes:
    """The one-page PDF of a cover's HTML, with ``files`` (path -> bytes, media type) as the
    only files it can use; ValueError if it asks for another. Text that spills past the page is
    left out: fit.unfit_text tells what is missing."""
    fetcher = CoverFetcher(files)
    document = weasyprint.HTML(string=html.decode("utf-8"), base_url=BASE_URL,
                               url_fetcher=fetcher).render()
    if fetcher.refused:
        raise ValueError(f"cover: refused to fetch {', '.join(dict.fromkeys(fetcher.refused))}")
    if len(document.pages) > 1:
        document = document.copy(document.pages[:1])
    # An identifier from the content, not from the clock, so the same cover gives the same bytes.
    identifier = hashlib.sha256(html + b"".join(files[path][0] for path in sorted(files))).hexdigest()
    return document.write_pdf(pdf_identifier=identifier[:32].encode("ascii"), custom_metadata=False)


def rasterise(pdf: bytes, width_px: int = MIN_WIDTH_PX, min_height_px: int = MIN_HEIGHT_PX) -> bytes:
    """The PDF's first page as PNG, at least ``width_px`` wide and ``min_height_px`` high (the
    page's shape decides which one binds), with the same bytes for the same PDF."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        width_pt, height_pt = page.get_size()
        # pdfium rounds the pixel size up (ceil), so this scale gives at least both minima; a
        # millionth less keeps a size that is whole but for pdfium's float32 page size (100 mm
        # is 283.46457 pt) from gaining a pixel.
        scale = max(width_px / width_pt, min_height_px / height_pt) * (1 - 1e-6)
        bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255), may_draw_forms=False)
        image = bitmap.to_pil().convert("RGB")
    finally:
        document.close()
    if image.width < width_px or image.height < min_height_px:  # never expected: pdfium's rounding
        raise RuntimeError(f"cover: rasterised to {image.width} x {image.height} px")
    return png_bytes(image, dpi=image.width / (width_pt / POINTS_PER_INCH))


def png_bytes(image: Image.Image, dpi: float) -> bytes:
    """PNG with fixed encoder settings and no metadata but the resolution."""
    out = io.BytesIO()
    resolution = math.floor(dpi + 0.5)
    image.save(out, format="PNG", optimize=False, compress_level=6, dpi=(resolution, resolution))
    return out.getvalue()
