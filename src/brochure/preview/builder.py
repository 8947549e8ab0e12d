"""The preview's warm builder: one process, started once, that builds the book on request.

It is forked before the server starts any thread, so that it may fork in turn (the Markdown's
children, the PDF's worker) safely. It imports WeasyPrint and lays out a page once at
start, so that the PDF's worker, forked from it for each build, starts warm; the memo
(core/memo.py) gives back the Markdown of every chapter that did not change, the EPUB's
font subsets, and the chunks of a long book's PDF that did not change (cut finer than a
build cuts them: an edit lays out its own chunk, and those whose page numbers it moved).
Each format is sent back as soon as it is made (the EPUB while the PDF is still being laid
out), then the build's outcome: its diagnostics, or why it failed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
import traceback
from dataclasses import dataclass
from typing import Any

from brochure.core import memo
from brochure.core.diagnostics import BrochureError, Diagnostic, Report
from brochure.core.model import Written
from brochure.core.sandbox import end_process, quiet_child
from brochure.core.settings import Format
from brochure.runtime.build import BuildOptions, produce
from brochure.runtime.stopwatch import Stopwatch


@dataclass(frozen=True)
class Made:
    """One format of a build, sent as soon as it is made."""

    version: int
    format: Format
    data: bytes
    pages: int | None


@dataclass(frozen=True)
class Outcome:
    """How a build ended."""

    version: int
    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    chapters: tuple[str, ...]  # the chapter files, in reading order ('' if unread)
    seconds: float
    internal: str = ""  # a bug of brochure's: its traceback


class Builder:
    """The server's side of the builder process."""

    def __init__(self, options: BuildOptions):
        context = multiprocessing.get_context("fork")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, options, self.connection),
                                       daemon=False, name="brochure-preview-builder")
        self.process.start()
        theirs.close()

    def build(self, version: int) -> None:
        self.connection.send(version)

    def receive(self, timeout: float) -> Made | Outcome | None:
        """The next message (a format made, or a build's outcome), or None after ``timeout``
        seconds without one."""
        if not self.connection.poll(timeout):
            return None
        message: Made | Outcome = self.connection.recv()
        return message

    def stop(self) -> None:
        """End the builder and every process it started (the PDF's worker and parts, the
        Markdown's children): they are all in its process group."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if self.process.pid is not None:
                os.killpg(self.process.pid, signal.SIGKILL)
        end_process(self.process, self.connection)


def _serve(connection, options: BuildOptions, servers_end) -> None:
    # Stopped by the server, or killed with it if the server dies first (kill -9): without the
    # server's end of the pipe, a message to a server gone fails instead of waiting forever.
    quiet_child(servers_end)
    os.setpgid(0, 0)  # a group of its own, with every process it starts: stopped together
    warm_up()
    while True:
        try:
            version = connection.recv()
        except (EOFError, OSError):
            return
        outcome = build(options, version, lambda made: connection.send(made))
        connection.send(outcome)


def warm_up() -> None:
    """Import WeasyPrint and lay out a page: its fonts and styles are then ready in every
    process forked from this one."""
    import weasyprint

    from brochure.pdf import parts
    from brochure.pdf.write import write_pdf  # noqa: F401  (the import is the point)

    weasyprint.HTML(string="<p>warm</p>").write_pdf()
    parts.cut_finer()  # with the chunks kept in the memo, an edit lays out its chunk again


def build(options: BuildOptions, version: int, send) -> Outcome:
    """One build, each format sent with ``send`` as it is made, and how it ended."""
    report = Report()
    watch = Stopwatch()
    started = time.perf_counter()
    chapters: tuple[str, ...] = ()

    def ready(fmt: Format, written: Written) -> None:
        send(Made(version, fmt, written.data, written.pages))

    try:
        with memo.active():
            produced = produce(options, report, watch, ready)
        chapters = tuple(str(s.path) for s in produced.manuscript.sources)
        ok, internal = True, ""
    except BrochureError as exc:
        report.diagnostics.extend(d for d in exc.diagnostics if d not in report.diagnostics)
        ok, internal = False, ""
    except Exception as exc:  # a bug of brochure's: the preview says so and keeps serving
        report.error(f"internal error: {type(exc).__name__}: {exc}")
        ok, internal = False, traceback.format_exc()
    return Outcome(version, ok, tuple(report.diagnostics), chapters,
                   time.perf_counter() - started, internal)


def describe(message: Any) -> str:
    """For a log line."""
    if isinstance(message, Made):
        return f"{message.format.value} of build {message.version}"
    return f"build {message.version}: {'ok' if message.ok else 'failed'}"
