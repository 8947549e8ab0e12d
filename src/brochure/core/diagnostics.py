"""Diagnostics: every stage reports problems the same way, as ``path:line: level: message``.

A message names a file as the user would type it from where they stand: relative to the
working directory, or absolute when the two share no folder but the root (``shown``), whether
the build found the path itself or was given it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

# A note tells, and asks for nothing (an EPUBCheck usage message); it fails no build or check.
Level = Literal["error", "warning", "note"]


def shown(path: Path | str) -> str:
    """``path`` as a message names it: relative to the working directory (``book/one.md``,
    ``../other/essay.md``), or absolute when the two share no folder but the root."""
    absolute = Path(os.path.abspath(path))
    try:
        here = Path.cwd()
    except OSError:  # the working directory was removed
        return str(absolute)
    for candidate, base in ((absolute, here), (absolute.resolve(), here.resolve())):
        if Path(os.path.commonpath([candidate, base])) != Path(candidate.anchor):
            return os.path.relpath(candidate, base)
    return str(absolute)


@dataclass(frozen=True)
class Location:
    """A place in an input file; ``line`` and ``column`` count from 1."""

    path: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = shown(self.path)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True)
class Diagnostic:
    level: Level
    message: str
    location: Location | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        text = f"{where}{self.level}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class BrochureError(Exception):
    """A build failure caused by the input or the environment, reported without a traceback."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))


class BrokenOutput(BrochureError):
    """An output breaks one of brochure's promises and no input explains it: a bug of
    brochure's (the command's status 70), found before anything was published."""


@dataclass(frozen=True)
class Findings:
    """What a check of an output found: errors its input explains, and brochure's own bugs."""

    errors: tuple[Diagnostic, ...] = ()
    bugs: tuple[Diagnostic, ...] = ()


def error(message: str, location: Location | None = None, hint: str | None = None) -> BrochureError:
    """Build an exception carrying one error diagnostic (to ``raise``)."""
    return BrochureError(Diagnostic("error", message, location, hint))


@dataclass
class Report:
    """Collects the warnings and errors of a build; errors end the build at ``raise_if_errors``."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def warn(self, message: str, location: Location | None = None, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic("warning", message, location, hint))

    def error(self, message: str, location: Location | None = None, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic("error", message, location, hint))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.level == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise BrochureError(self.errors)
