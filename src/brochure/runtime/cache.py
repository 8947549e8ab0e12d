"""Incremental builds: an unchanged manuscript is not built again.

A build reads its files through the resolver, which writes each one it read (with the hash
of its bytes) and each folder it listed in a journal (manuscript/resolver.py). Once the build
is published, its record is kept in the user's cache folder (``$XDG_CACHE_HOME/brochure``, else
``~/.cache/brochure``), one per output folder, so that the output folder holds only the
outputs: what the build depended on besides its files (brochure's code and libraries, what of
the machine changes the PDF, the options, SOURCE_DATE_EPOCH, the folders it may read), the
journal, and the hash of each output.

The next build into that folder reuses the outputs when all of it still holds: the same
description, each listed folder listing the same names, each file read again *through a
resolver of the same folders* with the same bytes (so a file that became a link to outside
the project is refused there as it would be by the build, and is never opened), and every
output there with its recorded hash. Otherwise it builds, and says why. What a build never
read (the other 16,000 files of the folder a single .md file sits in) plays no part.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brochure.core.diagnostics import BrochureError, Diagnostic, Location
from brochure.core.files import write_atomically
from brochure.core.fingerprint import cache_home, code_digest, file_digest
from brochure.manuscript.resolver import Journal, Resolver
from brochure.pdf.environment import describe as machine

_RECORD_FORMAT = 2
# What the outputs depend on besides the files read, and what the build says when it changed.
CHANGED = {
    "code": "brochure or one of its libraries changed",
    "machine": "the PDF's libraries or fonts on this machine changed ({detail})",
    "options": "the options changed",
    "SOURCE_DATE_EPOCH": "SOURCE_DATE_EPOCH changed",
    "roots": "the folders the build reads from changed ({detail})",
}


@dataclass(frozen=True)
class Reused:
    """What a skipped build reports: the outputs of the previous build, verified."""

    outputs: dict[str, Path]
    sizes: dict[str, int]
    pages: int | None
    notes: int
    diagnostics: list[Diagnostic]
    details: dict[str, list[str]]


@dataclass(frozen=True)
class Stale:
    """Why the previous build's outputs are not reused (None: there was none)."""

    why: str | None


def description(options: Mapping[str, Any], roots: tuple[Path, ...]) -> dict[str, Any]:
    """What a build's outputs depend on besides the files it reads."""
    return {"code": code_digest(), "machine": machine(),
            "options": json.loads(json.dumps(options, sort_keys=True, default=str)),
            "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH"),
            "roots": [str(root) for root in roots]}


def record_path(out_dir: Path) -> Path:
    """Where the record of the last build into ``out_dir`` is kept."""
    name = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:32]
    return cache_home() / "builds" / f"{name}.json"


def lookup(out_dir: Path, described: dict[str, Any], roots: tuple[Path, ...]) -> Reused | Stale:
    """The previous build's outputs if nothing they depend on changed, else why not."""
    try:
        record = json.loads(record_path(out_dir).read_text("utf-8"))
    except (OSError, ValueError):
        return Stale(None)  # no previous build into this folder
    try:
        if record.get("format") != _RECORD_FORMAT:
            return Stale(CHANGED["code"])
        why = _changed(record["described"], described) or _inputs_changed(record, roots)
        if why:
            return Stale(why)
        outputs, sizes = {}, {}
        for fmt, (name, size, digest) in record["outputs"].items():
            path = out_dir / name
            try:
                same = path.stat().st_size == size and file_digest(path) == digest
            except OSError:
                same = False
            if not same:
                return Stale(f"'{shown(path)}' was changed or removed since")
            outputs[fmt], sizes[fmt] = path, size
        diagnostics = [Diagnostic(d["level"], d["message"],
                                  Location(Path(d["path"]), d["line"], d["column"])
                                  if d["path"] is not None else None, d["hint"])
                       for d in record["diagnostics"]]
        return Reused(outputs, sizes, record["pages"], record["notes"], diagnostics,
                      record["details"])
    except (ValueError, KeyError, TypeError):
        return Stale("the record of the previous build is damaged")


def _changed(recorded: dict[str, Any], described: dict[str, Any]) -> str | None:
    for key, message in CHANGED.items():
        before, now = recorded.get(key), described.get(key)
        if before != now:
            detail = ""
            if isinstance(before, dict) and isinstance(now, dict):
                detail = ", ".join(f"{name} {before.get(name)} -> {now.get(name)}"
                                   for name in sorted(before.keys() | now.keys())
                                   if before.get(name) != now.get(name))
            elif isinstance(before, list) and isinstance(now, list):
                detail = ", ".join(sorted(set(map(str, now)) - set(map(str, before))))
            return message.format(detail=detail)
    return None


def _inputs_changed(record: dict[str, Any], roots: tuple[Path, ...]) -> str | None:
    """The first input that is not as the build read it, checked through a resolver of the
    build's folders: nothing outside them is opened."""
    return changed_since(Journal(
        files={Path(path): digest for path, digest in record["files"].items()},
        listings={(Path(folder), pattern): tuple(names)
                  for folder, pattern, names in record["listings"]}), roots)


def changed_since(journal: Journal, roots: tuple[Path, ...]) -> str | None:
    """Why the files and folders in ``journal`` are no longer as it says, or None."""
    resolver = Resolver.for_roots(*roots)
    for (folder, pattern), names in journal.listings.items():
        found = tuple(path.name for path in resolver.listing(folder, pattern))
        if found != names:
            return f"the {pattern} files of '{shown(folder)}' changed"
    for path, digest in journal.files.items():
        try:
            data = resolver.read(path)
        except BrochureError:
            return f"'{shown(path)}' can no longer be read"
        if hashlib.sha256(data).hexdigest() != digest:
            return f"'{shown(path)}' changed"
    return None


def store(out_dir: Path, described: dict[str, Any], journal: Journal,
          outputs: dict[str, tuple[Path, bytes]], pages: int | None, notes: int,
          diagnostics: list[Diagnostic], details: dict[str, list[str]]) -> str | None:
    """Record a published build; a failure to record only costs the next build its shortcut,
    and is returned, to be said."""
    record = {
        "format": _RECORD_FORMAT,
        "described": described,
        "files": {str(path): digest for path, digest in sorted(journal.files.items())},
        "listings": [[str(folder), pattern, list(names)]
                     for (folder, pattern), names in sorted(journal.listings.items())],
        "outputs": {fmt: [path.name, len(data), hashlib.sha256(data).hexdigest()]
                    for fmt, (path, data) in outputs.items()},
        "pages": pages,
        "notes": notes,
        "diagnostics": [{"level": d.level, "message": d.message, "hint": d.hint,
                         # absolute: a later build may be run from another folder
                         "path": os.path.abspath(d.location.path) if d.location else None,
                         "line": d.location.line if d.location else None,
                         "column": d.location.column if d.location else None}
                        for d in diagnostics],
        "details": details,
    }
    try:
        write_atomically(record_path(out_dir), json.dumps(record, indent=1).encode("utf-8"))
    except OSError as exc:
        return f"cannot write '{record_path(out_dir)}': {exc.strerror or exc}"
    return None


def shown(path: Path) -> str:
    """A path as the user would write it from where they stand."""
    with contextlib.suppress(ValueError):
        return str(path.relative_to(Path.cwd()))
    return str(path)
