"""Incremental builds: an unchanged manuscript is not built again.

The key of a build is a hash of every byte it could read (each file under the manuscript and
styles folders, which are the only places the resolver reads from), of brochure's own code and
stylesheets, of the versions of the libraries that make the bytes, and of the options and the
environment the outputs depend on (SOURCE_DATE_EPOCH). After a build is published, its key and
the hash of each output are recorded in the user's cache folder (``$XDG_CACHE_HOME/brochure``,
else ``~/.cache/brochure``), one record per output folder, so that the output folder holds
exactly the outputs. The next build with the same key reuses the outputs only if every one is
still there with the recorded hash; anything else (a changed byte, a missing or edited output,
an unreadable record) builds again. A key is recorded only if the inputs did not change while
the build ran.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from brochure.core.diagnostics import Diagnostic, Location
from brochure.core.files import write_atomically
from brochure.core.fingerprint import cache_home, code_digest, file_digest

_RECORD_FORMAT = 1
# Beyond these a folder is not a manuscript folder (a home folder, say): no cache.
MAX_FILES = 20_000
MAX_BYTES = 1024 * 2**20
MAX_FILE_BYTES = 64 * 2**20  # larger files are refused by the resolver: their size stands for them


class TooLarge(Exception):
    """The folders hold more than a manuscript could use; the build is not cached."""


@dataclass(frozen=True)
class Reused:
    """What a skipped build reports: the outputs of the previous build, verified."""

    outputs: dict[str, Path]
    sizes: dict[str, int]
    pages: int | None
    notes: int
    diagnostics: list[Diagnostic]
    details: dict[str, list[str]]


def _walk(root: Path, out: Path, digest, budget: list[int]) -> None:
    """Feed the names and contents of every file under ``root`` into ``digest``, in order."""
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs.sort()
        for name in dirs:  # a symlinked folder is not walked: where it points is part of the key
            if (here / name).is_symlink():
                digest.update(f"link {here / name} {os.readlink(here / name)}\n".encode())
        for name in sorted(files):
            if here == out and (name.startswith(".") or name.endswith((".epub", ".pdf"))):
                continue  # what builds write into the output folder: lock, temporary files, outputs
            path = here / name
            budget[0] -= 1
            if budget[0] < 0:
                raise TooLarge
            try:
                info = os.stat(path)
            except OSError as exc:
                digest.update(f"missing {path} {exc.errno}\n".encode())
                continue
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
                # Never opened (a FIFO would block): the resolver refuses such files anyway.
                digest.update(f"other {path} {info.st_mode} {info.st_size} {info.st_mtime_ns}\n"
                              .encode())
                continue
            budget[1] -= info.st_size
            if budget[1] < 0:
                raise TooLarge
            try:
                content = file_digest(path)
            except OSError as exc:
                content = f"unreadable {exc.errno}"
            digest.update(f"file {path} {content}\n".encode())


def tree_digest(roots: list[Path], out_dir: Path) -> str:
    """Hash of the names and bytes of every file under ``roots`` but brochure's own outputs."""
    out = out_dir.resolve()
    digest = hashlib.sha256()
    budget = [MAX_FILES, MAX_BYTES]
    for root in dict.fromkeys(r.resolve() for r in roots):
        digest.update(f"root {root}\n".encode())
        if root.is_dir():
            _walk(root, out, digest, budget)
    return digest.hexdigest()


def build_key(roots: list[Path], out_dir: Path, options: dict) -> str | None:
    """The key of a build, or None when the folders are too large to fingerprint."""
    try:
        tree = tree_digest(roots, out_dir)
    except TooLarge:
        return None
    described = json.dumps({"code": code_digest(), "tree": tree, "options": options,
                            "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH")},
                           sort_keys=True, default=str)
    return hashlib.sha256(described.encode()).hexdigest()


def record_path(out_dir: Path) -> Path:
    """Where the record of the last build into ``out_dir`` is kept."""
    name = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:32]
    return cache_home() / "builds" / f"{name}.json"


def lookup(out_dir: Path, key: str) -> Reused | None:
    """The previous build's outputs, if its key is ``key`` and every output is intact."""
    try:
        record = json.loads(record_path(out_dir).read_text("utf-8"))
        if record.get("format") != _RECORD_FORMAT or record.get("key") != key:
            return None
        outputs, sizes = {}, {}
        for fmt, (name, size, digest) in record["outputs"].items():
            path = out_dir / name
            if path.stat().st_size != size or file_digest(path) != digest:
                return None
            outputs[fmt], sizes[fmt] = path, size
        diagnostics = [Diagnostic(d["level"], d["message"],
                                  Location(Path(d["path"]), d["line"], d["column"])
                                  if d["path"] is not None else None, d["hint"])
                       for d in record["diagnostics"]]
        return Reused(outputs, sizes, record["pages"], record["notes"], diagnostics,
                      record["details"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no record, or a damaged one: build


def store(out_dir: Path, key: str, outputs: dict[str, tuple[Path, bytes]], pages: int | None, notes: int,
          diagnostics: list[Diagnostic], details: dict[str, list[str]]) -> None:
    """Record a published build; a failure to record only costs the next build its shortcut."""
    record = {
        "format": _RECORD_FORMAT,
        "key": key,
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
    with contextlib.suppress(OSError):
        write_atomically(record_path(out_dir), json.dumps(record, indent=1).encode("utf-8"))

