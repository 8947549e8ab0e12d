"""The print-shop PDF (``print: shop``): PDF/X with a CMYK output intent, bleed and crop marks.

The stylesheet side (bleed, crop marks, black text in K only) is in page_setup.py; this module
gives WeasyPrint the PDF/X variant and the CMYK profile of the output intent, keeps the PDF
reproducible, sets each page's BleedBox to exactly the bleed asked for, rewrites colours for the
press (print_colours.py), and checks the images against the chosen PDF/X.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import uuid
from pathlib import Path

import pikepdf
from PIL import Image

from brochure.core.diagnostics import Diagnostic, Location, error, shown
from brochure.core.fingerprint import default_styles_dir
from brochure.core.model import Book
from brochure.core.paper import POINTS_PER_MM
from brochure.core.settings import Settings
from brochure.manuscript.resolver import Resolver
from brochure.pdf.colours import to_print_colours

# Ghostscript's default CMYK output profile (styles/profiles/README.md says where it comes
# from and what its licence asks).
DEFAULT_PROFILE = Path("profiles") / "ghostscript-default-cmyk.icc"

RASTER_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
OPAQUE_VARIANTS = ("pdf/x-1a", "pdf/x-3")  # no transparency at all


def is_shop(settings: Settings) -> bool:
    return settings.print_mode == "shop"


def load_profile(book: Book) -> tuple[bytes, Path]:
    """The CMYK output profile: book.yaml's ``print-profile`` (a file of the manuscript
    folder), else the one brochure ships."""
    path = book.settings.print_profile
    if path:
        book_file = book.metadata.location.path
        location = Location(book_file)
        resolver = Resolver.for_roots(book_file.parent)
        real = resolver.reference(path, book_file, location)
        data = resolver.read(real, location)
    else:
        real = default_styles_dir() / DEFAULT_PROFILE
        location = Location(real)
        data = real.read_bytes()
    if data[36:40] != b"acsp":  # an ICC profile's signature
        raise error(f"'{shown(real)}' is not an ICC profile", location,
                    "use the .icc file of your print shop's CMYK profile")
    if data[16:20] != b"CMYK":
        raise error(f"'{shown(real)}' is not a CMYK profile", location,
                    "use the CMYK output profile your print shop gives (e.g. FOGRA39, GRACoL)")
    return data, real


def render_options(book: Book) -> dict:
    """Options of WeasyPrint's ``render()``: the PDF/X variant, and the CMYK profile of its
    output intent, as a ``@color-profile device-cmyk`` rule would give it (that rule cannot
    be in the shared stylesheet: EPUBCheck refuses the ICC file it names)."""
    if not is_shop(book.settings):
        return {}
    data, path = load_profile(book)
    from weasyprint.css import ColorProfile  # here: a build that reuses its outputs starts fast

    profile = ColorProfile(io.BytesIO(data), path.name, "relative-colorimetric",
                           [["cyan"], ["magenta"], ["yellow"], ["black"]])
    return {"pdf_variant": book.settings.pdf_x, "color_profiles": {"device-cmyk": profile}}


def write_options(document, settings: Settings, built: dt.datetime) -> dict:
    """Options of ``write_pdf()``; PDF/X dates come from the build time, never the clock."""
    if not is_shop(settings):
        return {}
    stamp = built.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    document.metadata.created = document.metadata.created or stamp
    document.metadata.modified = document.metadata.modified or stamp
    return {"pdf_variant": settings.pdf_x}


_RANDOM_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")


def _stable_document_id(pdf: pikepdf.Pdf) -> None:
    """Replace the random XMP DocumentID that WeasyPrint gives a PDF/X-4 by one derived from
    the metadata and the pages' content, so that the same book gives the same bytes."""
    if "/Metadata" not in pdf.Root:
        return
    xmp = pdf.Root.Metadata.read_bytes()
    blank = _RANDOM_DOCUMENT_ID.sub(b"xmp.did:", xmp)
    if blank == xmp:
        return
    digest = hashlib.sha256(blank)
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        streams = [contents] if isinstance(contents, pikepdf.Stream) else list(contents or ())
        for stream in streams:
            digest.update(stream.read_bytes())
    stable = uuid.UUID(bytes=digest.digest()[:16], version=4)
    pdf.Root.Metadata.write(_RANDOM_DOCUMENT_ID.sub(f"xmp.did:{stable}".encode(), xmp))


def _drop_annotations(pdf: pikepdf.Pdf) -> None:
    """Paper is not clicked: the links of the note calls, back links and contents are left
    out, since preflight tools reject interactive annotations inside the printed area of a
    PDF/X. Printer's marks, the one kind made for print, are kept. The bookmarks stay: they
    are no annotation and help whoever checks the file."""
    for page in pdf.pages:
        annotations = page.obj.get("/Annots")
        if annotations is None:
            continue
        kept = [a for a in annotations if a.get("/Subtype") == "/PrinterMark"]
        if kept:
            page.obj.Annots = pikepdf.Array(kept)
        else:
            del page.obj.Annots


def finish_pdf(data: bytes, settings: Settings) -> tuple[bytes, list[Diagnostic]]:
    """Set every BleedBox to the TrimBox plus the bleed (WeasyPrint stops at 10 points), print
    greys in black ink only (and nothing translucent for X-1a and X-3), leave the links out,
    and make the PDF/X metadata reproducible."""
    if not is_shop(settings):
        return data, []
    bleed = settings.bleed * POINTS_PER_MM
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.TrimBox)
            page.BleedBox = pikepdf.Array([x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed])
        left = to_print_colours(pdf, opaque=settings.pdf_x in OPAQUE_VARIANTS)
        _drop_annotations(pdf)
        _stable_document_id(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    variant = settings.pdf_x.removeprefix("pdf/").upper()
    found = []
    if left.rgb:
        found.append(Diagnostic(
            "warning", f"PDF/{variant}: {left.rgb} RGB colours in the stylesheet are left for the "
                       "print shop to convert",
            hint="give print colours in CMYK, e.g. color: device-cmyk(0 0.6 1 0)"))
    if left.transparency:
        found.append(Diagnostic(
            "error", f"PDF/{variant} forbids transparency, and the stylesheet makes "
                     f"{left.transparency} things translucent (opacity, rgba colours)",
            hint="make them opaque, or choose 'pdf-x: x-4' in book.yaml"))
    return out.getvalue(), found


def check_images(book: Book) -> list[Diagnostic]:
    """What the chosen PDF/X says of the book's raster images: transparency is refused by
    PDF/X-1a and X-3, RGB by X-1a; X-3 and X-4 leave RGB to the shop's conversion (a warning)."""
    settings = book.settings
    if not is_shop(settings):
        return []
    variant = settings.pdf_x.removeprefix("pdf/").upper()
    found = []
    cover = (book.cover.image,) if book.cover.image else ()
    for asset in (*book.assets, *cover):
        if asset.media_type not in RASTER_TYPES:
            continue
        with Image.open(io.BytesIO(asset.data)) as image:
            mode = image.mode
            transparent = mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        where = Location(asset.source)
        if transparent and variant in ("X-1A", "X-3"):
            found.append(Diagnostic(
                "error", f"PDF/{variant} forbids transparency, and this image has an alpha channel",
                where, "flatten the image onto white, or choose 'pdf-x: x-4' in book.yaml"))
        if mode not in ("CMYK", "L", "1"):
            if variant == "X-1A":
                found.append(Diagnostic(
                    "error", "PDF/X-1a allows only CMYK or grey images, and this one is RGB",
                    where, "convert it to CMYK with your print shop's profile, or choose "
                           "'pdf-x: x-4' in book.yaml"))
            else:
                found.append(Diagnostic(
                    "warning", f"RGB image in a PDF/{variant}: the print shop converts it to CMYK",
                    where, "convert it to CMYK with the shop's profile to control its colours"))
    return found
