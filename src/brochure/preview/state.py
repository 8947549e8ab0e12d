"""What the preview shows, and how it follows the manuscript: watch, build, tell the pages.

The manuscript's and the stylesheets' folders are watched (watchfiles); each change asks the
warm builder (builder.py) for a build, one at a time: changes made during a build start one
more when it ends. The EPUB and the PDF of each build replace the views as soon as each is
made; a failed build replaces nothing and shows its diagnostics, over the last good views.
Every change of state is sent to each open page (server.py streams it).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import watchfiles

from brochure.core.settings import Format
from brochure.loop.findings import as_json, relative
from brochure.preview.builder import Builder, Made, Outcome
from brochure.preview.views import EpubView, PdfView

KEPT_VERSIONS = 2  # a page may still load the images of the build before the last


@dataclass
class Preview:
    builder: Builder
    folders: tuple[Path, ...]  # watched: the manuscript's and the stylesheets'
    asked: int = 0  # the last build asked for
    building: bool = False
    again: bool = False  # something changed during the build
    chapter: int = 1  # the chapter being edited, from 1
    edited: str | None = None  # the chapter file saved last
    chapters: tuple[str, ...] = ()
    epubs: list[EpubView] = field(default_factory=list)  # oldest first
    pdfs: list[PdfView] = field(default_factory=list)
    outcome: Outcome | None = None
    asked_at: float = 0.0
    listeners: set[asyncio.Queue] = field(default_factory=set)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    log: Callable[[Outcome], None] = lambda outcome: None  # told of each build's end

    # ---- what the pages ask for --------------------------------------------------------

    def epub_view(self, version: int) -> EpubView | None:
        return next((view for view in self.epubs if view.version == version), None)

    def pdf_view(self, version: int) -> PdfView | None:
        return next((view for view in self.pdfs if view.version == version), None)

    def listen(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue()
        self.listeners.add(queue)
        return queue

    def forget(self, queue: asyncio.Queue) -> None:
        self.listeners.discard(queue)

    def state(self) -> dict[str, Any]:
        """Everything a page needs to show the book as it is now."""
        epub, pdf, outcome = (self.epubs[-1] if self.epubs else None,
                              self.pdfs[-1] if self.pdfs else None, self.outcome)
        toc = [{"name": Path(path).name,
                "file": epub and _chapter_file(epub, number),
                "page": pdf and pdf.anchors.get(f"chapter-{number}", 1)}
               for number, path in enumerate(self.chapters, 1)]
        return {
            "building": self.building,
            "chapter": self.chapter,
            "toc": toc,
            "epub": epub and {"version": epub.version,
                              "file": _chapter_file(epub, self.chapter) or epub.spine[0]},
            "pdf": pdf and {"version": pdf.version, "pages": pdf.pages, "size": pdf.size,
                            "page": pdf.anchors.get(f"chapter-{self.chapter}", 1)},
            "outcome": outcome and {
                "version": outcome.version, "ok": outcome.ok, "seconds": round(outcome.seconds, 2),
                "diagnostics": [as_json(relative(d)) for d in outcome.diagnostics]},
        }

    # ---- following the manuscript ------------------------------------------------------

    def changed(self, paths: Iterable[Path]) -> None:
        """Files were saved: follow the chapter edited, and build (now, or after this build)."""
        for path in paths:
            if path.suffix.lower() == ".md":
                self.edited = str(path.resolve())
        self._follow_edited()
        if self.building:
            self.again = True
        else:
            self.build()

    def _follow_edited(self) -> None:
        if self.edited in self.chapters:
            self.chapter = self.chapters.index(self.edited) + 1

    def build(self) -> None:
        self.asked += 1
        self.building, self.again, self.asked_at = True, False, time.perf_counter()
        self.builder.build(self.asked)
        self.tell()

    def received(self, message: Made | Outcome) -> None:
        if isinstance(message, Made):
            if message.format == Format.EPUB:
                self.epubs = [*self.epubs, EpubView.of(message.version, message.data)][-KEPT_VERSIONS:]
            elif message.format == Format.PDF:
                self.pdfs = [*self.pdfs, PdfView(message.version, message.data,
                                                 message.pages or 0)][-KEPT_VERSIONS:]
        else:
            self.outcome, self.building = message, False
            if message.chapters:  # a failed build may not have read them: keep the last
                self.chapters = message.chapters
                self._follow_edited()
            if self.again:
                self.build()
        self.tell()

    def tell(self) -> None:
        state = self.state()
        for queue in self.listeners:
            queue.put_nowait(state)

    async def follow(self) -> None:
        """Build once, then on every change, until the server stops."""
        receiving = asyncio.create_task(self._receive())
        self.build()
        try:
            async for changes in watchfiles.awatch(*self.folders, stop_event=self.stopping,
                                                   debounce=50, step=20):
                self.changed(Path(path) for _, path in changes)
        finally:
            receiving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await receiving

    async def _receive(self) -> None:
        while not self.stopping.is_set():
            try:
                message = await asyncio.to_thread(self.builder.receive, 0.2)
            except (EOFError, OSError):  # the builder was stopped (or died)
                return
            if message is None:
                continue
            self.received(message)
            if isinstance(message, Outcome):
                self.log(message)

    def stop(self) -> None:
        self.stopping.set()
        for queue in self.listeners:
            queue.put_nowait(None)


def _chapter_file(epub: EpubView, number: int) -> str | None:
    """The EPUB's document of chapter ``number`` (the EPUB writer names it chapter-N)."""
    return next((name for name in epub.spine if name.endswith(f"/chapter-{number}.xhtml")), None)
