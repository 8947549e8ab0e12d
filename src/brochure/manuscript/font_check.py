"""A font file is read before anything uses it: one fontTools cannot read is the input's error.

The EPUB's fonts are cut down with fontTools and the PDF's are read by WeasyPrint; a file
named ``.woff2`` that starts like one but is damaged (or made to be) would otherwise fail deep
inside either, as an internal error.
"""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from fontTools.ttLib import TTFont

from brochure.core.diagnostics import Location, error


def check_font(name: str | PurePosixPath, data: bytes, location: Location | None = None) -> None:
    """Raise an error if ``data`` is not a font fontTools can read (its tables and cmap)."""
    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        font.getBestCmap()
        font["name"].getDebugName(1)
        font.close()
    except Exception as exc:  # fontTools raises many kinds on a damaged file
        raise error(f"font '{name}' cannot be read ({type(exc).__name__}: {str(exc)[:100]})",
                    location, "use the font file as its foundry distributes it") from None
