"""Publish step: every output of a build lands whole, or none does.

Each file is written beside its target under a temporary name, flushed to disk, and only
when all of them are complete are they renamed into place. A failure before that point
removes the temporary files and leaves the previous outputs exactly as they were.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from pathlib import Path

from brochure.core.diagnostics import Location, error, shown
from brochure.core.files import discard, stage


def publish(outputs: dict[Path, bytes]) -> None:
    written: list[tuple[Path, Path]] = []
    try:
        for target, data in outputs.items():
            if target.is_dir():
                raise error(f"cannot write '{shown(target)}': it is a folder", Location(target))
            written.append((stage(target, data), target))
    except OSError as exc:
        _discard(written)
        where = exc.filename or (written[-1][1] if written else "")
        raise error(f"cannot write '{shown(where) if where else where}': {exc.strerror or exc}",
                    hint="check that the output folder exists, is writable and has free space"
                    ) from None
    except BaseException:
        _discard(written)
        raise
    with _deferred_interrupt():
        for temporary, target in written:
            os.replace(temporary, target)


@contextlib.contextmanager
def _deferred_interrupt():
    """Ctrl-C between two renames would leave one new output beside one old: finish first."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _discard(written: list[tuple[Path, Path]]) -> None:
    for temporary, _ in written:
        discard(temporary)
