"""One build at a time per output folder.

A build holds an exclusive ``flock`` on ``.brochure.runtime.lock`` in its output folder from start to
finish; a second build into the same folder fails at once instead of racing the first to
rename its files. The lock file is removed when the build ends, and so is an output folder
the build created and left empty (a failed first build leaves nothing behind).

The lock belongs to the build's own process: its children (Markdown, the PDF) close it as they
start, since a child holding it could outlive the build and refuse every later one. A build
killed outright leaves the file behind, unlocked: the next build takes it over and says so,
naming the process that had it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from brochure.core.diagnostics import Location, error, shown

LOCK_NAME = ".brochure.runtime.lock"
_HELD: set[int] = set()  # descriptors of the locks this process holds


def _close_in_child() -> None:
    for descriptor in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(descriptor)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


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


def _holder(descriptor: int) -> str:
    """What the lock file says of the build that holds (or held) it."""
    with contextlib.suppress(OSError, ValueError):
        return os.pread(descriptor, 200, 0).decode("ascii", "replace").strip()
    return ""


@contextlib.contextmanager
def build_lock(folder: Path, taken_over: list[str] | None = None) -> Iterator[None]:
    """Hold the output folder's lock for the block. If a build that ended abruptly left the
    lock file, a sentence saying so is appended to ``taken_over``."""
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
                holder = _holder(descriptor)
                os.close(descriptor)
                descriptor = None  # the file is the other build's: leave it alone
                raise error(f"another brochure build is writing into '{shown(folder)}'"
                            + (f" ({holder})" if holder else ""), Location(path),
                            "wait for it to finish, or build into another --out folder"
                            ) from None
            # The holder before us may have removed the file between our open and our lock:
            # a lock on a removed file guards nothing, so start again.
            try:
                same = os.path.samestat(os.fstat(descriptor), os.stat(path))
            except FileNotFoundError:
                same = False
            if not same:
                os.close(descriptor)
                descriptor = None
        _HELD.add(descriptor)
        left = _holder(descriptor)
        if left and taken_over is not None:
            taken_over.append(f"took over the lock of '{folder}' left by a build that ended "
                              f"abruptly ({left})")
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"process {os.getpid()}\n".encode(), 0)
        yield
    finally:
        if descriptor is not None:
            _HELD.discard(descriptor)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            os.close(descriptor)
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if still empty
