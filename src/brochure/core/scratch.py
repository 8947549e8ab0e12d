"""The temporary folder of one build, removed on every way out and swept when left behind.

WeasyPrint writes the fonts of ``@font-face`` rules into a ``weasyprint-*`` folder that only
its ``FontConfiguration``'s finaliser removes (which never runs in a child ended by
``os._exit``), and a PDF laid out in parts passes its pages through files. So every child a
build starts (core/sandbox.py: the PDF's worker and its parts, the process that draws an EPUB's
cover, the Markdown's) writes its temporary files into the build's own folder,
``$TMPDIR/brochure-<pid>-*``, which the build removes when it ends, however it ends. A build
killed outright (``kill -9``, a power cut) cannot: the next build removes the folders whose
process is gone.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

PREFIX = "brochure-"
_OURS = re.compile(rf"{PREFIX}(\d+)-")
# The folder of the build running in this thread: a child forked meanwhile writes into it. A
# context variable, not a global, so that builds in two threads keep their own folders.
_CURRENT: contextvars.ContextVar[Path | None] = contextvars.ContextVar("scratch", default=None)


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    """A new folder for this build's temporary files, removed when the block ends; every child
    started meanwhile (core/sandbox.py) writes its temporary files into it."""
    folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
    token = _CURRENT.set(folder)
    try:
        yield folder
    finally:
        _CURRENT.reset(token)
        shutil.rmtree(folder, ignore_errors=True)


def current() -> Path | None:
    """The scratch folder of the build running in this thread, if any."""
    return _CURRENT.get()


def use_in_this_process(folder: Path) -> None:
    """In a child: its temporary files (WeasyPrint's among them) go into ``folder``."""
    tempfile.tempdir = str(folder)
    os.environ["TMPDIR"] = str(folder)


def sweep_stale() -> list[Path]:
    """Remove the scratch folders of builds whose process is gone; return them."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(tempfile.gettempdir()):
            match = _OURS.match(entry.name)
            if match is None or not entry.is_dir(follow_symlinks=False) or _alive(int(match[1])):
                continue
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                    continue
                shutil.rmtree(entry.path)
                removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: not ours to judge
    return True
