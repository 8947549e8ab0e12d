"""The progress of a long build on a terminal: its stages, the chapters converted, the pages
laid out in each part of the PDF with an estimate of the time left.

It shows only where someone watches: on a terminal, outside CI, without ``--quiet``. The
events come from the stages through core/progress.py (from the PDF's processes too); rich
draws them, on stderr, and takes the display away when the build ends, so that what stays
on the screen is the build's summary.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from brochure.core import progress


def wanted(quiet: bool, stream=None) -> bool:
    """Whether to show progress: on a terminal, not in CI, not asked to be quiet."""
    stream = stream or sys.stderr
    if quiet or os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@contextlib.contextmanager
def shown(enabled: bool) -> Iterator[None]:
    """Show the progress of what runs inside, if ``enabled``."""
    if not enabled:
        yield
        return
    from brochure.loop.display import Display  # rich: only where progress is shown

    display = Display()
    with display.bars, progress.listen(display.receive):
        yield
