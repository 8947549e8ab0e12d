"""Diagnostics as the commands show them: text for people (coloured on a terminal), one JSON
object each for editors and scripts."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import IO, Any

from brochure.core.diagnostics import Diagnostic

# ANSI colours of each level's word; nothing else in a message is coloured.
_COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "note": "\033[1;36m"}
_RESET = "\033[0m"


def wants_colour(stream: IO[str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def relative(diagnostic: Diagnostic, folder: Path | None = None) -> Diagnostic:
    """The diagnostic with its path relative to ``folder`` (the working folder) when under it,
    as an editor opens it."""
    location = diagnostic.location
    if location is None or not location.path.is_absolute():
        return diagnostic
    try:
        path = location.path.relative_to(folder or Path.cwd())
    except ValueError:
        return diagnostic
    return dataclasses.replace(diagnostic, location=dataclasses.replace(location, path=path))


def as_text(diagnostic: Diagnostic, colour: bool = False) -> str:
    """``path:line:col: level: message`` and its hint, the level coloured if asked."""
    text = str(diagnostic)
    if colour:
        where = f"{diagnostic.location}: " if diagnostic.location else ""
        word = f"{_COLOURS[diagnostic.level]}{diagnostic.level}{_RESET}"
        text = where + word + text[len(where) + len(diagnostic.level):]
    return text


def as_json(diagnostic: Diagnostic) -> dict[str, Any]:
    """One finding as an editor or CI reads it."""
    location = diagnostic.location
    return {
        "path": str(location.path) if location else None,
        "line": location.line if location else None,
        "column": location.column if location else None,
        "level": diagnostic.level,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
    }


def echo(diagnostics: list[Diagnostic], stream: IO[str] | None = None) -> None:
    """Print each diagnostic (stderr unless told), coloured where that is wanted."""
    stream = stream or sys.stderr
    colour = wants_colour(stream)
    for diagnostic in diagnostics:
        print(as_text(diagnostic, colour), file=stream)
