"""Files that appear whole or not at all: written beside their target, then renamed over it."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from brochure.core.diagnostics import BrochureError, error

# What the machine lacks, not brochure: the build fails (exit 1) with a hint.
_NO_ROOM = {errno.ENOSPC: "no space left on the disk", errno.EDQUOT: "disk quota exceeded"}


def stage(target: Path, data: bytes, durable: bool = True) -> Path:
    """``data`` in a temporary file beside ``target``, ready to be renamed over it; flushed to
    disk when ``durable``. Nothing is left behind when writing fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
    except BaseException:
        discard(temporary)
        raise
    return temporary


def discard(temporary: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)


def write_atomically(target: Path, data: bytes, durable: bool = False) -> None:
    """Replace ``target`` by ``data`` in one step: a reader sees the old file or the new one."""
    temporary = stage(target, data, durable)
    try:
        os.replace(temporary, target)
    except BaseException:
        discard(temporary)
        raise


def environment_error(exc: OSError) -> BrochureError | None:
    """The error to report when ``exc`` is the machine's lack of room, else None."""
    lack = _NO_ROOM.get(exc.errno or 0)
    if lack is None:
        return None
    where = f" while writing '{exc.filename}'" if exc.filename else ""
    temporary = Path(tempfile.gettempdir())
    if temporary.name.startswith("brochure-"):  # a build's own folder (scratch.py): its parent
        temporary = temporary.parent
    return error(f"{lack}{where}", hint=f"free some room; temporary files go to "
                 f"'{temporary}' (set TMPDIR to use another disk)")
