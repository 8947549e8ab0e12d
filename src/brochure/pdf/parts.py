"""A long book's PDF laid out in chunks side by side, one process per chunk, then joined.

The chapters are cut into as many chunks as there are cores (cut.py); each chunk's
process paginates it at once and waits (internals.py). Then the front matter and the book's
notes are paginated with the chapters' page numbers written in (the contents' numbers, the
notes' "↑ p. 12"), again until the numbers they print are the numbers they get; then every chunk
learns its first page, numbers its pages, draws them, and the PDFs are joined (pdf_join.py).
Text, page count, links and bookmarks are those of the same book laid out in one piece
(tests/test_parallel_pdf.py); anything unexpected (a chunk that would paginate differently
alone, a chunk that fails) falls back to that one-piece layout.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import multiprocessing
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brochure.core import memo
from brochure.core.model import Book, NotesLayout, PageStart, Written
from brochure.core.sandbox import end_process, quiet_child, usable_cores
from brochure.pdf import cut, internals
from brochure.pdf.draw import diagnostics, draw, tell_part
from brochure.pdf.internals import Paginated, Placement
from brochure.pdf.join import ChunkPdf, PageMarks, join
from brochure.pdf.print_shop import is_shop, load_profile

# Below this much XHTML (about 20 A5 pages) the processes and the join cost more than they save
# (a 6-page book: 0.75 s in chunks, 0.58 s in one piece; the 50-page Manifesto: 2.4 s, 3.6 s).
MIN_SOURCE_BYTES = 50_000
ROUNDS = 4  # tries to settle the front and back matter's page numbers


class _Fallback(Exception):
    """The chunks cannot give the one-piece book's pages: lay it out in one piece."""


@dataclass(frozen=True)
class _Drawn:
    """What a part's process leaves: its PDF, and WeasyPrint's complaints."""

    part: ChunkPdf
    warnings: list[str]
    refused: list[str]
    starts: list[PageStart | None]


# Chunks per core when cut finer (``cut_finer``): the preview cuts a long book into more,
# smaller chunks, so that an edit lays out again only the few chapters of its own chunk.
FINER = 4
_finer = False


def cut_finer() -> None:
    """Cut long books into ``FINER`` chunks per core in this process and the ones it forks (the
    preview's builder: with the chunks kept in the memo, an edit then costs its chunk)."""
    global _finer
    _finer = True


def write_in_parts(source: bytes, book: Book, notes: NotesLayout, built,
                   cores: int | None = None) -> Written | None:
    """The book's PDF made in chunks, one a core (``cores``, else every one this process may
    use), or None where one piece is the way: a short book, one core, a stylesheet feature a
    chunk cannot know alone, a chunk that came out differently."""
    cores = usable_cores() if cores is None else cores
    if cores < 2 or len(source) < MIN_SOURCE_BYTES:
        return None
    if _finer:
        made = write_chunked(source, book, notes, built, cores * FINER)
        if made is not None:
            return made
    return write_chunked(source, book, notes, built, cores)


def write_chunked(source: bytes, book: Book, notes: NotesLayout, built,
                  chunks: int) -> Written | None:
    """The book's PDF from its chapters cut into ``chunks`` chunks (None: not possible)."""
    if internals.unsupported() or cut.blockers(book, notes):
        return None
    plan = cut.plan(source, book, chunks)
    if plan is None:
        return None
    processes: list[_Chunk] = []
    try:
        with tempfile.TemporaryDirectory(prefix="brochure-pdf-") as folder:
            return _write(plan, book, built, processes, Path(folder))
    except _Fallback:
        return None
    finally:
        for process in processes:
            process.stop()


def _write(plan: cut.Plan, book: Book, built, processes: list, folder: Path) -> Written:
    """The steps, in order; any surprise raises ``_Fallback`` (the book in one piece)."""
    layout = _Layout(plan, book, _late_book(book), built, folder, processes)
    chapters = layout.paginate_chapters()
    layout.measure_front(chapters)
    front, back = layout.settle_late_parts(chapters)
    total = layout.place(chapters, front, back)
    return layout.draw_and_join([front, *chapters, *([back] if back else [])], total)


@dataclass
class _Layout:
    """The coordinator's view of the parts: what each paginated, and where it goes."""

    plan: cut.Plan
    book: Book
    late_book: Book  # the book as the front and back matter read it (_late_book)
    built: Any
    folder: Path
    processes: list
    laid: list[Paginated] = field(default_factory=list)  # the chapters' parts, in order
    front_laid: Paginated | None = None
    back_laid: Paginated | None = None
    placed: bool = False  # the chapters' parts know their first page

    def start(self, source: bytes, late: bool, name: str) -> _Chunk:
        """A part, laid out by a process of its own or kept from an earlier build."""
        book = self.late_book if late else self.book
        drawn_to = self.folder / f"part-{len(self.processes)}.pickle"
        chunk = _Chunk.of(_key(source, book, self.built, self.plan.anchors),
                          lambda: _ChunkProcess.start(source, book, self.built, self.plan.anchors,
                                                      drawn_to, name))
        self.processes.append(chunk)
        return chunk

    def known(self, back_laid: Paginated | None) -> list[tuple[Paginated, str | None]]:
        """The parts paginated so far, in the book's order, each with its opening element."""
        assert self.front_laid is not None
        opens = [chunk.opens for chunk in self.plan.chapters]
        back = self.plan.back
        return [(self.front_laid, None), *zip(self.laid, opens, strict=True),
                *([(back_laid, back.opens)] if back_laid and back else [])]

    @property
    def late_links(self) -> frozenset[str]:
        """What the front and back matter link to: their page numbers are written in."""
        back = self.plan.back
        return self.plan.front.links | (back.links if back else frozenset())

    def paginate_chapters(self) -> list[_Chunk]:
        """1. Every part of chapters starts paginating at once."""
        return [self.start(chunk.source, False, f"part {n}")
                for n, chunk in enumerate(self.plan.chapters, 1)]

    def measure_front(self, chapters: list[_Chunk]) -> None:
        """2. The front matter, with every page number 0, for its length; meanwhile the
        chapters' parts report their pages."""
        guess = self.start(cut.with_page_numbers(self.plan.front.source,
                                                 dict.fromkeys(self.late_links, 0)),
                           True, "front matter")
        self.laid = [process.paginated() for process in chapters]
        self.front_laid = guess.paginated()
        guess.stop()

    def settle_late_parts(self, chapters: list[_Chunk]) -> tuple[_Chunk, _Chunk | None]:
        """3. The front and back matter laid out with the page numbers they name, again until
        the numbers they print are the numbers they get (at most ``ROUNDS`` times)."""
        back_anchors = self.plan.back.anchors if self.plan.back else ()
        for _ in range(ROUNDS):
            numbers = _page_numbers(self.known(self.back_laid), back_anchors)
            front = self.start(cut.with_page_numbers(self.plan.front.source, numbers), True,
                               "front matter")
            back = (self.start(cut.with_page_numbers(self.plan.back.source, numbers), True,
                               "notes") if self.plan.back else None)
            new_front = front.paginated()
            assert self.front_laid is not None
            if new_front.pages != self.front_laid.pages:
                if self.placed:
                    raise _Fallback
                self.front_laid = new_front
                _stop(front, back)
                continue
            self.front_laid = new_front
            if not self.placed and not self.plan.wants_total:
                # The chapters can number and draw their pages while the back matter settles.
                _place_chapters(chapters, self.laid, _arrange(self.known(None)), new_front,
                                total=0)
                self.placed = True
            self.back_laid = back.paginated() if back else None
            settled = _page_numbers(self.known(self.back_laid), back_anchors)
            if all(settled.get(name) == numbers.get(name) for name in self.late_links):
                return front, back
            _stop(front, back)
        raise _Fallback

    def place(self, chapters: list[_Chunk], front: _Chunk, back: _Chunk | None) -> int:
        """4. Every part learns its first page and the book's page count; returns the count."""
        assert self.front_laid is not None
        spans = _arrange(self.known(self.back_laid))
        total = spans[-1].last
        if not self.placed:
            _place_chapters(chapters, self.laid, spans, self.front_laid, total)
        front.place(Placement(1, total))
        if back is not None:
            back.place(Placement(spans[-1].start, total,
                                 _strings_before([self.front_laid, *self.laid]), spans[-1].drop))
        return total

    def draw_and_join(self, ordered: list[_Chunk], total: int) -> Written:
        """5. The parts' PDFs, joined, with what WeasyPrint said of each and where each
        page starts."""
        drawn = [process.drawn() for process in ordered]
        data = join([d.part for d in drawn])
        on_pages = set().union(*(d.part.anchors for d in drawn))
        found = diagnostics([w for d in drawn for w in d.warnings],
                            [u for d in drawn for u in d.refused], self.book, on_pages)
        return Written(data, total, tuple(found), parts=len(ordered),
                       page_starts=tuple(start for d in drawn for start in d.starts))


def _stop(*processes: _Chunk | None) -> None:
    for process in processes:
        if process is not None:
            process.stop()


@dataclass(frozen=True)
class _Span:
    """Where a part's pages go in the book."""

    start: int  # the book's number of the part's first page (dropped or not)
    drop: int  # its leading pages left out of the book
    last: int  # the book's number of its last page


def _arrange(parts: list[tuple[Paginated, str | None]]) -> list[_Span]:
    """Each part's span, in order. A part that opens on a right-hand page (it names its first
    element) starts with a lead page and a blank left-hand page: the lead is left out, and
    the blank too unless the page before it is a right-hand one, as in the whole book."""
    spans: list[_Span] = []
    last = 0
    for laid, opens in parts:
        lead = 0 if opens is None else laid.anchors.get(opens)
        if lead is None:
            raise _Fallback("a part's first element is not on its pages")
        if lead == 0:
            start, drop = last + 1, 0
        else:
            opening = last + 1 if last % 2 == 0 else last + 2  # the next right-hand page
            drop = lead if opening == last + 1 else lead - 1
            start = opening - lead
        last = start + laid.pages - 1
        spans.append(_Span(start, drop, last))
    return spans


def _page_numbers(parts: list[tuple[Paginated, str | None]],
                  back_anchors: tuple[str, ...]) -> dict[str, int]:
    """The page of each anchor, as far as known: the back matter's anchors that are not laid
    out yet are guessed to be on the page after the chapters."""
    numbers: dict[str, int] = {}
    spans = _arrange(parts)
    for (part, _), span in zip(parts, spans, strict=True):
        for name, index in part.anchors.items():
            if index >= span.drop:
                numbers.setdefault(name, span.start + index)
    for name in back_anchors:
        numbers.setdefault(name, spans[-1].last + 1)
    return numbers


def _strings_before(parts: list[Paginated]) -> dict[str, str]:
    """The running heads in force after these parts."""
    carried: dict[str, str] = {}
    for part in parts:
        carried.update(part.strings)
    return carried


def _place_chapters(chapters: list, laid: list[Paginated], spans: list[_Span],
                    front: Paginated, total: int) -> None:
    for index, process in enumerate(chapters):
        span = spans[index + 1]
        process.place(Placement(span.start, total, _strings_before([front, *laid[:index]]),
                                span.drop))


def _late_book(book: Book) -> Book:
    """The book as the front and back chunks use it: page references read from the links."""
    assets = tuple(dataclasses.replace(asset, data=cut.late_stylesheet(asset.data))
                   if asset.media_type == "text/css" else asset for asset in book.assets)
    return dataclasses.replace(book, assets=assets)


def _key(source: bytes, book: Book, built, anchors: frozenset[str]) -> bytes:
    """What a chunk's pages depend on (its placement apart): its document, the book's files,
    settings and metadata (the print shop's profile too), the build's time, the anchors of
    the other chunks. The same key, the same pages."""
    files = [(asset.href, asset.media_type, hashlib.sha256(asset.data).digest())
             for asset in book.assets]
    profile = load_profile(book)[0] if is_shop(book.settings) else b""
    described = pickle.dumps((book.metadata, book.settings, book.stylesheets, files, built,
                              sorted(anchors)), protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.sha256(b"".join(hashlib.sha256(part).digest()
                                   for part in (source, described, profile))).digest()


@dataclass
class _Chunk:
    """A chunk, laid out by its process, or kept from an earlier build (core/memo.py, active
    in ``brochure build`` and the preview): its pagination by its key, its drawing by its key
    and placement. A kept chunk starts a process only if it must be drawn at a placement no
    earlier build drew it at (it then paginates the same way again)."""

    key: bytes
    start: Any  # () -> _ChunkProcess
    process: _ChunkProcess | None = None
    laid: Paginated | None = None
    placement: Placement | None = None
    kept_drawing: _Drawn | None = None

    @classmethod
    def of(cls, key: bytes, start) -> _Chunk:
        kept = memo.lookup("pdf-part-pages", key)
        if kept is not None:
            return cls(key, start, laid=pickle.loads(kept))
        return cls(key, start, start())

    def paginated(self) -> Paginated:
        if self.laid is None:
            assert self.process is not None
            self.laid = self.process.paginated()
            memo.store("pdf-part-pages", self.key, pickle.dumps(self.laid))
        return self.laid

    def place(self, placement: Placement) -> None:
        self.placement = placement
        if self.process is None:
            kept = memo.lookup("pdf-part", self._placed_key())
            if kept is not None:
                self.kept_drawing = pickle.loads(kept)
                return
            self.process = self.start()
            self.process.paginated()
        self.process.place(placement)

    def drawn(self) -> _Drawn:
        if self.kept_drawing is not None:
            return self.kept_drawing
        assert self.process is not None
        drawn = self.process.drawn()
        memo.store("pdf-part", self._placed_key(), pickle.dumps(drawn))
        return drawn

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def _placed_key(self) -> bytes:
        return self.key + pickle.dumps(self.placement)


@dataclass
class _ChunkProcess:
    """A chunk's process, from the coordinator's side."""

    process: Any
    connection: Any

    @classmethod
    def start(cls, source: bytes, book: Book, built, anchors: frozenset[str],
              drawn_to: Path, name: str) -> _ChunkProcess:
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, daemon=True,
                                  args=(theirs, source, book, built, anchors, drawn_to, name))
        process.start()
        theirs.close()
        return cls(process, ours)

    def _receive(self, kind: str) -> Any:
        try:
            got, payload = self.connection.recv()
        except (EOFError, OSError) as exc:
            raise _Fallback(f"a chunk's process ended ({self.process.exitcode})") from exc
        if got != kind:
            raise _Fallback(payload)
        return payload

    def paginated(self) -> Paginated:
        laid: Paginated = self._receive("paginated")
        if laid.unportable:
            raise _Fallback(laid.unportable)
        return laid

    def place(self, placement: Placement) -> None:
        self.connection.send(placement)

    def drawn(self) -> _Drawn:
        path: Path = self._receive("drawn")
        with path.open("rb") as stream:
            return pickle.load(stream)

    def stop(self) -> None:
        """End the process (done, or no longer wanted)."""
        end_process(self.process, self.connection)


def _serve(connection, source: bytes, book: Book, built, anchors: frozenset[str],
           drawn_to: Path, name: str) -> None:
    """A chunk's process: paginate, report, wait for the placement, draw, and leave the PDF in
    ``drawn_to`` (a file, not the pipe: the process ends, and lets its memory go, at once,
    without waiting for the writer to read it)."""
    quiet_child()

    placed: list[Placement] = []

    def report(laid: Paginated) -> Placement | None:
        connection.send(("paginated", laid))
        try:
            placed.append(connection.recv())
        except EOFError:
            return None
        return placed[-1]

    internals.install(report)
    tell_part(name, source, book)
    own: set[str] = set()

    def stand_in_for_other_chunks(document) -> None:
        """Links to other chunks' anchors are kept: WeasyPrint drops links to missing anchors,
        so each such anchor gets a stand-in here, left out of the joined PDF's destinations.
        (A link to an anchor the book does not have is dropped, with WeasyPrint's warning.)
        The leading pages the book does not take are left out first."""
        del document.pages[:placed[-1].drop if placed else 0]
        own.update(anchor for page in document.pages for anchor in page.anchors)
        linked = {target for page in document.pages for kind, target, _, _ in page.links
                  if kind == "internal" and target in anchors}
        if document.pages:
            for name in sorted(linked - own):
                document.pages[0].anchors[name] = (0, 0, 0, 0)

    try:
        drawing = draw(source, book, built, prepare=stand_in_for_other_chunks)
        pages = tuple(PageMarks(page.height, list(page.bookmarks)) for page in drawing.pages)
        with drawn_to.open("wb") as stream:
            pickle.dump(_Drawn(ChunkPdf(drawing.data, frozenset(own), pages), drawing.warnings,
                               drawing.refused, drawing.starts),
                        stream, protocol=pickle.HIGHEST_PROTOCOL)
        connection.send(("drawn", drawn_to))
    except internals.Abandoned:
        pass
    except BaseException as exc:  # the coordinator falls back to one piece
        with contextlib.suppress(OSError):
            connection.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        os._exit(0)
