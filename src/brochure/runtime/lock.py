"""One build at a time per output folder.

A build holds an exclusive ``flock`` on ``.brochure.runtime.lock`` in its output folder from start to
finish; a second build into the same folder fails at once instead of racing the first to
rename its files. The lock file is removed when the build ends, and so is an output folder
the build created and left empty (a failed first build leaves nothing behind).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from brochure.core.diagnostics import Location, error, shown

LOCK_NAME = ".brochure.runtime.lock"


def _check_folder(folder: Path) -> bool:
    """Create the output folder if needed; return whether this call created it."""
    if folder.exists() and not folder.is_dir():
        raise error(f"the output folder '{shown(folder)}' is a file", Location(folder),
                    "choose another --out folder, or move the file away")
    if folder.is_dir():
        return False
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise error(f"cannot create the output folder '{shown(folder)}': {exc.strerror or exc}",
                    Location(folder), "check the path and its permissions") from None
    return True


@contextlib.contextmanager
def build_lock(folder: Path) -> Iterator[None]:
    created = _check_folder(folder)
    path = folder / LOCK_NAME
    descriptor = None
    try:
        while descriptor is None:
            try:
                descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                raise error(f"cannot write into the output folder '{shown(folder)}': "
                            f"{exc.strerror or exc}", Location(folder),
                            "choose a folder you may write to with --out") from None
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                descriptor = None  # the file is the other build's: leave it alone
                raise error(f"another brochure build is writing into '{shown(folder)}'",
                            Location(path), "wait for it to finish, or build into another "
                            "--out folder") from None
            # The holder before us may have removed the file between our open and our lock:
            # a lock on a removed file guards nothing, so start again.
            try:
                same = os.path.samestat(os.fstat(descriptor), os.stat(path))
            except FileNotFoundError:
                same = False
            if not same:
                os.close(descriptor)
                descriptor = None
        yield
    finally:
        if descriptor is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            os.close(descriptor)
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if still empty
