"""A book's build as bytes: what a cluster's worker needs, and what it sends back.

The client reads the files (every file of the manuscript's folder and of its styles folder that
the resolver lets a build read: regular files inside those folders, after following links, up to
its size limit) and sends them with the options; the worker writes them into a private temporary
folder of its own, builds there, and sends the outputs' bytes back. A worker never reads the
client's files, and needs no file system shared with it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from brochure.core.diagnostics import BrochureError, Diagnostic, Location, error
from brochure.core.sandbox import Limits
from brochure.manuscript.resolver import Resolver
from brochure.runtime.stopwatch import Stopwatch

# A folder sent to a worker is the manuscript's whole folder: past these it is not a manuscript.
MAX_FILES = 20_000
MAX_BYTES = 1024 * 2**20
_SKIPPED = frozenset({".git", ".hg", ".svn", "__pycache__"})  # never part of a book


@dataclass(frozen=True)
class Bundle:
    """A folder's files as bytes, by path relative to it (POSIX, in name order)."""

    name: str  # the folder's own name, kept where the worker unpacks it
    files: tuple[tuple[str, bytes], ...]

    @property
    def size(self) -> int:
        return sum(len(data) for _, data in self.files)


@dataclass(frozen=True)
class BookJob:
    """Everything a worker needs to build one book, and nothing of the client's disk."""

    manuscript: Bundle  # the manuscript's folder
    entry: str | None  # the single-file manuscript's name in it; None: the folder is the book
    settings: Mapping[str, Any]  # as BuildOptions carries them
    defaults: Mapping[str, Any]
    check: bool
    limits: Limits
    cores: int | None
    source_date_epoch: str | None  # the client's: the outputs are stamped with its date
    code: str  # the client's brochure (fingerprint.code_digest): another one refuses the job


@dataclass(frozen=True)
class JobOutcome:
    """What a worker sends back: the outputs' bytes, or why there are none."""

    outputs: tuple[tuple[str, str, bytes], ...]  # (format, file name, bytes)
    pages: int | None
    notes: int
    diagnostics: tuple[Diagnostic, ...]
    details: dict[str, list[str]]
    stopwatch: Stopwatch
    # The worker's folders where the manuscript and the styles were: its diagnostics name them.
    roots: tuple[str, str]
    host: str  # which worker built it
    failed: bool = False
    recalled: dict[str, tuple[int, int]] = field(default_factory=dict)


def bundle(folder: Path, resolver: Resolver, leave_out: Path | None = None) -> Bundle:
    """Every file under ``folder`` that ``resolver`` lets a build read, but version-control
    folders and ``leave_out`` (the output folder, if it is inside)."""
    root = folder.resolve()
    skipped = leave_out.resolve() if leave_out is not None else None
    files: list[tuple[str, bytes]] = []
    total = 0
    for here, dirs, names in os.walk(root):
        place = Path(here)
        # Linked folders are not walked (as the cache's fingerprint does not walk them).
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED and not (place / d).is_symlink()
                         and (place / d) != skipped)
        for name in sorted(names):
            path = place / name
            try:
                data = resolver.read(path)
            except BrochureError:
                continue  # outside the folders, not a regular file, too large: never read
            total += len(data)
            if len(files) >= MAX_FILES or total > MAX_BYTES:
                raise error(f"'{folder}' holds more than a manuscript could use, to send to a "
                            "cluster", Location(folder), "keep only the book's files in its folder")
            files.append((path.relative_to(root).as_posix(), data))
    return Bundle(root.name, tuple(files))


def unpack(bundle: Bundle, into: Path) -> Path:
    """Write ``bundle`` under ``into``/its name; return that folder."""
    folder = into / bundle.name
    folder.mkdir(parents=True)
    for relative, data in bundle.files:
        path = PurePosixPath(relative)
        if path.is_absolute() or ".." in path.parts:
            raise ValueError(f"a bundle's file '{relative}' would land outside its folder")
        target = folder.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def moved(diagnostics: tuple[Diagnostic, ...], places: dict[str, str]) -> list[Diagnostic]:
    """The worker's diagnostics naming the client's folders instead of the worker's."""

    def text(value: str | None) -> str | None:
        if value is None:
            return None
        for there, here in places.items():
            if there:  # a worker that refused the job had no folders
                value = value.replace(there, here)
        return value

    result = []
    for diagnostic in diagnostics:
        location = diagnostic.location
        if location is not None:
            location = Location(Path(text(str(location.path)) or ""), location.line, location.column)
        result.append(Diagnostic(diagnostic.level, text(diagnostic.message) or "", location,
                                 text(diagnostic.hint)))
    return result
