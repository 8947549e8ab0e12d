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
from collections.abc import Iterator
from pathlib import Path

from brochure.core.diagnostics import Location, error, shown
from brochure.core.files import discard, stage


class InterruptedAfterPublishing(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) came once the new outputs were in place: they are, whole."""

    def __init__(self, published: list[Path]):
        super().__init__()
        self.published = published


def publish(outputs: dict[Path, bytes], published: list[Path] | None = None) -> None:
    """Write every output whole, then rename them all into place; the targets renamed are
    appended to ``published`` (so that an interruption afterwards can say what is true)."""
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
            if published is not None:
                published.append(target)


@contextlib.contextmanager
def _deferred_interrupt() -> Iterator[None]:
    """Ctrl-C between two renames would leave one new output beside one old: finish first."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[int] = []
    previous = {number: signal.signal(number, lambda signum, _: pressed.append(signum))
                for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if pressed:  # now that every output is in place
        signal.raise_signal(pressed[0])


def _discard(written: list[tuple[Path, Path]]) -> None:
    for temporary, _ in written:
        discard(temporary)
