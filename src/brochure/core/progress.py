"""Progress of a build, told to whoever shows it (the command's progress display).

The stages call ``tell(kind, **fields)`` as they go: a stage starts or ends, a chapter's
Markdown is converted, WeasyPrint lays out a page. Nothing happens unless a display listens
(``listen``), so a build that nobody watches pays one test of a global per event.

The PDF is laid out in forked processes (its worker, the parts of a long book), which cannot
call back into the display. So events travel through a pipe that every forked process
inherits: each event is one line of JSON written with one ``write`` (shorter than
``PIPE_BUF``, so lines from several processes never mix), read by a thread of the listening
process. The pipe never blocks a build: when the display falls behind, events are dropped.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import threading
from collections.abc import Callable, Iterator
from typing import Any

Event = dict[str, Any]
_END = b'{"kind": "end"}\n'

_writer: int | None = None  # the write end of the listening display's pipe, if any


def tell(kind: str, **fields: Any) -> None:
    """Tell the display, if one listens, that ``kind`` happened (``fields`` say what)."""
    writer = _writer
    if writer is None:
        return
    line = json.dumps({"kind": kind, **fields}, ensure_ascii=True).encode() + b"\n"
    if len(line) <= select.PIPE_BUF:
        with contextlib.suppress(OSError):  # full (the display is behind) or closed: dropped
            os.write(writer, line)


def listening() -> bool:
    """Whether a display listens (a stage may skip preparing what only it would read)."""
    return _writer is not None


@contextlib.contextmanager
def listen(receive: Callable[[Event], None]) -> Iterator[None]:
    """Call ``receive`` with every event told inside this block, in a thread of this process."""
    global _writer
    reader, writer = os.pipe()
    os.set_blocking(writer, False)
    thread = threading.Thread(target=_read, args=(reader, receive), daemon=True,
                              name="brochure-progress")
    thread.start()
    _writer = writer
    try:
        yield
    finally:
        _writer = None
        os.set_blocking(writer, True)
        with contextlib.suppress(OSError):
            os.write(writer, _END)
        thread.join(timeout=2)
        os.close(writer)  # forked children may still hold a copy: the reader stops on _END
        if not thread.is_alive():
            os.close(reader)


def _read(reader: int, receive: Callable[[Event], None]) -> None:
    pending = b""
    while True:
        try:
            chunk = os.read(reader, 65536)
        except OSError:
            return
        if not chunk:
            return
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("kind") == "end":
                return
            with contextlib.suppress(Exception):  # a display's fault never breaks the build
                receive(event)
