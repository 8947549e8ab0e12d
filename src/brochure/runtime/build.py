"""The recipe: read -> book -> render -> write (EPUB, PDF) -> post-steps -> publish.

``build`` takes the lock of the output folder and reuses the previous build when nothing
changed (cache.py); ``make`` is the recipe itself, one step a line. The PDF's modules (and
WeasyPrint, pikepdf) are imported where a PDF is made: an EPUB alone never pays for them.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import pickle
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slugify import slugify

from brochure.book.assemble import assemble_book, typeset_book
from brochure.book.figures import number_figures
from brochure.book.links import resolve_links
from brochure.book.markdown import parse_chapters
from brochure.book.notes import number_notes
from brochure.book.text_check import missing_text, output_words
from brochure.core import memo, progress
from brochure.core.clock import build_time
from brochure.core.diagnostics import (
    BrochureError,
    BrokenOutput,
    Diagnostic,
    Location,
    Report,
    error,
    shown,
)
from brochure.core.files import environment_error
from brochure.core.model import (
    Book,
    Covers,
    Manuscript,
    Rendering,
    SourceText,
    Written,
    notes_layout,
)
from brochure.core.sandbox import Bound, Limits, Running, Worker, start_bounded, start_worker
from brochure.core.scratch import scratch_folder, sweep_stale
from brochure.core.settings import Format, PrintMode, Settings
from brochure.core.xhtml import serialize
from brochure.epub.epubcheck import check_epub
from brochure.epub.fonts import coverage_warnings
from brochure.epub.verify import verify_epub
from brochure.epub.write import epub_assets, write_epub
from brochure.manuscript.read import project_folders, read_manuscript
from brochure.manuscript.resolver import Resolver, recording
from brochure.render.document import render_book
from brochure.render.page_setup import with_page_setup
from brochure.runtime import cache
from brochure.runtime.lock import build_lock
from brochure.runtime.publish import InterruptedAfterPublishing, publish
from brochure.runtime.stopwatch import Stopwatch


def write_pdf(rendering: Rendering, built, cores: int | None = None) -> Written:
    """WeasyPrint is imported only when a PDF is made: a build that reuses its outputs starts fast."""
    from brochure.pdf.write import write_pdf as render_pdf

    return render_pdf(rendering, built, cores)


def draw_covers(book: Book, for_pdf: bool = True) -> tuple[Covers, list[Diagnostic]]:
    """The book's covers (cover/make.py), drawn by WeasyPrint, imported only where a cover
    is drawn: an EPUB alone from a cover image draws nothing."""
    from brochure.cover.make import make_covers

    return make_covers(book, for_pdf)


def _covers_key(book: Book, for_pdf: bool) -> bytes:
    """What the covers are drawn from: the metadata, the page, the template or the image, and
    whether the PDF's pages were made."""
    meta = dataclasses.replace(book.metadata, lines=(), location=Location(Path()))
    files = (*book.cover.template, *((book.cover.image,) if book.cover.image else ()))
    settings = book.settings
    return pickle.dumps((meta, settings.trim, settings.bleed, settings.print_mode,
                         settings.back_cover, [(f.href, hashlib.sha256(f.data).digest())
                                               for f in files], for_pdf))


def _recalled_covers(book: Book, for_pdf: bool) -> tuple[Covers, list[Diagnostic]] | None:
    """The covers an earlier build drew from the same inputs (memo.py), if any: with the PDF's
    pages, or for an EPUB alone also without."""
    for with_pages in (True,) if for_pdf else (True, False):
        stored = memo.lookup("covers", _covers_key(book, with_pages))
        if stored is not None:
            return pickle.loads(stored)
    return None


WRITERS: dict[Format, Callable[..., Written]] = {Format.EPUB: write_epub, Format.PDF: write_pdf}
# Formats made from another format's output: format -> the format it is made from.
DERIVED = {Format.BOOKLET: Format.PDF}
FILE_NAMES = {Format.BOOKLET: "{stem}-booklet.pdf"}  # others: {stem}.{format}


@dataclass(frozen=True)
class BuildOptions:
    manuscript: Path = Path("manuscript")
    out_dir: Path = Path("dist")
    styles_dir: Path | None = None
    check: bool = False  # run EPUBCheck before publishing; its errors fail the build
    # The command line's settings, by attribute of ``Settings``, over book.yaml's; each is
    # checked by its setting's parser (core/settings.py).
    settings: Mapping[str, Any] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)  # time and memory of the heavy stages
    cache: bool = True  # reuse the outputs of an identical previous build (see cache.py)
    # Settings under book.yaml's (a shelf's catalogue.yaml), by attribute, as ``settings``.
    defaults: Mapping[str, Any] = field(default_factory=dict)
    # The cores this build may use for the chapters' Markdown and the PDF's parts, when books
    # build side by side; None: every core this process may run on.
    cores: int | None = None


@dataclass
class BuildResult:
    outputs: dict[Format, Path]
    sizes: dict[Format, int]
    pages: int | None
    notes: int
    seconds: float
    diagnostics: list[Diagnostic] = field(default_factory=list)
    details: dict[str, list[str]] = field(default_factory=dict)  # per format, for the report
    stopwatch: Stopwatch = field(default_factory=Stopwatch)
    reused: bool = False  # nothing changed since the previous build: its outputs were kept
    why: str | None = None  # why the previous build's outputs were not kept, if there were some
    unrecorded: str | None = None  # why this build could not be recorded for the next
    # Steps whose results earlier builds had made (memo.py): kind -> (found, needed).
    recalled: dict[str, tuple[int, int]] = field(default_factory=dict)


# Makes and publishes a book's outputs (``make``, or a build sent to a cluster).
Recipe = Callable[[BuildOptions, Report], BuildResult]


def build(options: BuildOptions, report: Report | None = None,
          recipe: Recipe | None = None) -> BuildResult:
    """Build the requested formats; publish them all only if every one succeeded. ``recipe``
    makes and publishes the outputs when the cache has none: ``make``, unless the book is
    built elsewhere (a cluster, shelf/cluster.py)."""
    report = report if report is not None else Report()
    published: list[Path] = []
    taken_over: list[str] = []
    sweep_stale()  # the temporary folders of builds killed outright
    try:
        with build_lock(options.out_dir, taken_over):  # one build at a time per output folder
            for sentence in taken_over:
                report.warn(sentence, Location(options.out_dir))
            return _cached_build(options, report,
                                 recipe or functools.partial(make, published=published))
    except KeyboardInterrupt:
        if published:
            raise InterruptedAfterPublishing(published) from None
        raise
    except OSError as exc:
        lack = environment_error(exc)
        if lack is None:
            raise
        raise lack from None


def _cached_build(options: BuildOptions, report: Report, recipe: Recipe) -> BuildResult:
    """The previous build's outputs if nothing changed; else a build, recorded for the next."""
    if not options.cache:
        return recipe(options, report)
    watch = Stopwatch()
    with watch.stage("cache"):
        roots = _roots(options)
        described = cache.description(_described_options(options), roots)
        found = cache.lookup(options.out_dir, described, roots)
    if isinstance(found, cache.Reused):
        report.diagnostics.extend(found.diagnostics)
        outputs = {Format(fmt): path for fmt, path in found.outputs.items()}
        sizes = {Format(fmt): size for fmt, size in found.sizes.items()}
        return BuildResult(outputs, sizes, found.pages, found.notes, watch.total,
                           report.diagnostics, found.details, watch, reused=True)
    said_before = len(report.diagnostics)  # not this build's to replay (a lock taken over)
    with memo.active() as kept, recording() as journal:
        result = recipe(options, report)
    result.why = found.why
    result.recalled = {kind: (kept.reused[kind], kept.reused[kind] + kept.computed[kind])
                       for kind in sorted(kept.reused | kept.computed)}
    # Recorded only if no input changed while the build ran.
    moved = cache.changed_since(journal, roots)
    if moved:
        result.unrecorded = f"{moved} while the build ran"
    else:
        result.unrecorded = cache.store(
            options.out_dir, described, journal,
            {fmt.value: (path, path.read_bytes()) for fmt, path in result.outputs.items()},
            result.pages, result.notes, result.diagnostics[said_before:], result.details)
    return result


def _roots(options: BuildOptions) -> tuple[Path, ...]:
    """The folders the build may read from (none when there is no manuscript)."""
    if not options.manuscript.exists():
        return ()
    return tuple(folder.resolve() for folder in project_folders(options.manuscript,
                                                                 options.styles_dir))


def _described_options(options: BuildOptions) -> dict[str, Any]:
    return {"manuscript": options.manuscript.resolve(), "out": options.out_dir.resolve(),
            "check": options.check, "styles": options.styles_dir and options.styles_dir.resolve(),
            "settings": sorted((k, repr(v)) for k, v in options.settings.items()),
            "defaults": sorted((k, repr(v)) for k, v in options.defaults.items())}


@dataclass(frozen=True)
class Produced:
    """What a build made, before anything is written to the output folder."""

    manuscript: Manuscript
    rendering: Rendering
    made: dict[Format, Written]


def make(options: BuildOptions, report: Report, published: list[Path] | None = None) -> BuildResult:
    """The recipe, from the manuscript's files to the published outputs (each appended to
    ``published`` once it is in place)."""
    watch = Stopwatch()
    produced = produce(options, report, watch)
    manuscript, rendering, made = produced.manuscript, produced.rendering, produced.made
    book = rendering.book
    paths = output_paths(options.out_dir, book, manuscript)
    with watch.stage("verify"):
        verify(made, rendering, manuscript.sources)
    with watch.stage("publish"):
        publish({paths[fmt]: result.data for fmt, result in made.items()}, published)
    return BuildResult(
        outputs=paths,
        sizes={fmt: len(result.data) for fmt, result in made.items()},
        pages=made[Format.PDF].pages if Format.PDF in made else None,
        notes=len(book.notes),
        seconds=watch.total,
        diagnostics=report.diagnostics,
        details=_details(made),
        stopwatch=watch,
    )


def produce(options: BuildOptions, report: Report, watch: Stopwatch,
            ready: Callable[[Format, Written], None] | None = None) -> Produced:
    """Every format asked for, in memory (``make`` publishes them; the preview shows them).
    ``ready`` hears of each format as soon as it is made."""
    with watch.stage("read"):
        manuscript = read(options, report)
    needed = tuple(dict.fromkeys(DERIVED.get(f, f) for f in manuscript.settings.formats))
    # Forked now, while this process holds little more than the manuscript's text: the PDF's
    # process then holds WeasyPrint's memory alone, and imports WeasyPrint while this one
    # parses the manuscript.
    with scratch_folder():  # the children's temporary files, removed however the build ends
        worker = _pdf_worker(options.limits) if Format.PDF in needed else None
        try:
            rendering = checked(manuscript, report, watch, options.limits, options.cores)
            output_paths(options.out_dir, rendering.book, manuscript)  # refuses to overwrite inputs
            made = write(options, report, watch, rendering, needed, worker, ready)
        finally:
            if worker is not None:
                worker.stop()
    return Produced(manuscript, rendering, made)


def verify(made: dict[Format, Written], rendering: Rendering,
           sources: tuple[SourceText, ...]) -> None:
    """Before anything is published, the outputs keep brochure's promises (epub/verify.py,
    pdf/verify.py; the text of the manuscript is looked for in the EPUB, else in the
    rendering the PDF was written from). A broken one fails the build: as the input's error
    where the input explains it, else as a bug of brochure's."""
    book = rendering.book
    found = [verify_epub(made[Format.EPUB].data, book, sources) if Format.EPUB in made else
             missing_text(book, sources, *output_words([rendering.root()], book))]
    if Format.PDF in made:
        from brochure.pdf.verify import verify_pdf  # pikepdf: a PDF's cost

        found.append(verify_pdf(made[Format.PDF].data, book))
    errors = [d for findings in found for d in findings.errors]
    bugs = [d for findings in found for d in findings.bugs]
    if bugs:
        raise BrokenOutput(errors + bugs)
    if errors:
        raise BrochureError(errors)


def read(options: BuildOptions, report: Report) -> Manuscript:
    """The manuscript, with the command line's settings over its own and the page setup."""
    try:
        defaults = Settings().overridden(options.defaults)
    except ValueError as exc:
        raise error(str(exc)) from None
    manuscript = read_manuscript(options.manuscript, report, options.styles_dir, defaults)
    try:
        settings = manuscript.settings.overridden(options.settings)
    except ValueError as exc:
        raise error(str(exc)) from None
    return with_page_setup(dataclasses.replace(manuscript, settings=settings))


def book_of(manuscript: Manuscript, report: Report, limits: Limits | None = None,
            cores: int | None = None) -> Book:
    """Chapters parsed (their Markdown side by side), notes numbered, typography set, the
    book assembled, its links checked."""
    parsed = parse_chapters(manuscript.sources, Resolver.for_roots(manuscript.root), report, limits,
                            cores)
    report.raise_if_errors()
    notes = number_notes(parsed, manuscript.settings.note_numbering)
    number_figures([(chapter.source, chapter.body) for chapter in parsed], notes,
                   manuscript.metadata.lang, report)
    report.raise_if_errors()
    metadata = typeset_book(parsed, notes, manuscript.metadata, manuscript.settings.typography)
    book = assemble_book(manuscript, metadata, parsed, notes)
    resolve_links(book, manuscript.sources, report)
    return book


def checked(manuscript: Manuscript, report: Report, watch: Stopwatch,
            limits: Limits | None = None, cores: int | None = None) -> Rendering:
    """The book and its rendering, with every check the stages make before anything is
    written: ``brochure check`` runs the recipe up to here, so what is checked here is what
    it reports."""
    with watch.stage("assemble"):
        book = book_of(manuscript, report, limits, cores)
    with watch.stage("render"):
        rendering = render_book(book, notes_layout(book.settings, paged=False))
        report.diagnostics.extend(coverage_warnings(rendering, manuscript.sources))
    _check_for_print(book, report)
    return rendering


def _check_for_print(book: Book, report: Report) -> None:
    """What the print shop's PDF would refuse, before anything is rendered."""
    if book.settings.print_mode != PrintMode.SHOP:
        return
    from brochure.pdf.print_shop import check_images, load_profile  # pikepdf: a PDF's cost

    load_profile(book)  # a wrong profile fails before anything is rendered
    report.diagnostics.extend(check_images(book))
    report.raise_if_errors()


def output_paths(out_dir: Path, book: Book, manuscript: Manuscript) -> dict[Format, Path]:
    """Where each format goes: named after the title, never over an input file."""
    stem = slugify(book.metadata.title, max_length=80, word_boundary=True) or "book"
    paths = {fmt: out_dir / FILE_NAMES.get(fmt, "{stem}.{fmt}").format(stem=stem, fmt=fmt.value)
             for fmt in book.settings.formats}
    cover = (*book.cover.template, *((book.cover.image,) if book.cover.image else ()))
    inputs = {p.resolve() for p in (*(s.path for s in manuscript.sources),
                                    *(a.source for a in (*book.assets, *cover)))}
    for path in paths.values():
        if path.resolve() in inputs:
            raise error(f"output '{shown(path)}' would overwrite an input file", Location(path),
                        "choose another --out folder")
    return paths


def write(options: BuildOptions, report: Report, watch: Stopwatch, rendering: Rendering,
          needed: tuple[Format, ...], worker: Worker | None,
          ready: Callable[[Format, Written], None] | None = None) -> dict[Format, Written]:
    """Every format asked for. The worker draws the covers and lays out the PDF while this
    process cuts the EPUB's fonts; the EPUB then takes its cover and its page-list from the
    PDF's pages (without a PDF, the cover is drawn in a child process of its own). ``ready``
    hears of each format as soon as it is made."""
    book = rendering.book
    built = build_time(book.metadata)
    made: dict[Format, Written] = {}
    drawing = _start_drawing(options, watch, rendering, built, worker, Format.EPUB in needed)
    try:
        if Format.EPUB in needed:
            with watch.stage("epub"):
                fonts = epub_assets(rendering)
                if ready is not None:
                    # The preview shows the text at once: the EPUB before the PDF's page
                    # numbers and the cover, which only the published EPUB needs.
                    ready(Format.EPUB, WRITERS[Format.EPUB](dataclasses.replace(
                        rendering, epub_fonts=fonts), built))
        covers = drawing.finish(report, watch, made)
    finally:
        drawing.stop()
    if ready is not None and Format.PDF in made:
        ready(Format.PDF, made[Format.PDF])
    if Format.EPUB in needed:
        with watch.stage("epub"):
            made[Format.EPUB] = WRITERS[Format.EPUB](dataclasses.replace(
                rendering, covers=covers, page_starts=drawing.page_starts, epub_fonts=fonts),
                built)
    if options.check and Format.EPUB in made:
        with watch.stage("validate"):
            report.diagnostics.extend(check_epub(made[Format.EPUB].data))
    for fmt in needed:
        report.diagnostics.extend(made[fmt].diagnostics)
    if Format.BOOKLET in book.settings.formats:
        with watch.stage("booklet"):
            made[Format.BOOKLET] = _booklet(made[Format.PDF], book.settings)
        report.diagnostics.extend(made[Format.BOOKLET].diagnostics)
    report.raise_if_errors()
    return {fmt: made[fmt] for fmt in book.settings.formats}


@dataclass
class _Drawing:
    """The covers and the PDF, drawn in other processes (or the covers an earlier build drew)."""

    book: Book
    recalled: tuple[Covers, list[Diagnostic]] | None
    for_pdf: bool = True
    pdf: Running[tuple[Written, Covers, list[Diagnostic], float]] | None = None
    pdf_started: float = 0.0
    covers: Running[tuple[Covers, list[Diagnostic]]] | None = None
    page_starts: tuple = ()

    def finish(self, report: Report, watch: Stopwatch, made: dict[Format, Written]) -> Covers:
        """Wait for the PDF (finished for print: made[PDF]) and the covers; say what they said."""
        if self.pdf is not None:
            pdf, covers, problems, seconds = self.pdf.result()
            progress.tell("stage", name="pdf", state="end")
            watch.record("pdf", seconds, self.pdf_started)
            with watch.stage("pdf"):
                from brochure.pdf.print_shop import finish_pdf  # pikepdf: a PDF's cost

                finished, print_problems = finish_pdf(pdf.data, self.book.settings)
                made[Format.PDF] = dataclasses.replace(pdf, data=finished)
                report.diagnostics.extend(print_problems)
            self.page_starts = pdf.page_starts
        elif self.covers is not None:
            with watch.stage("epub"):
                covers, problems = self.covers.result()
        else:
            assert self.recalled is not None
            covers, problems = self.recalled
        if self.recalled is None:
            memo.store("covers", _covers_key(self.book, self.for_pdf),
                       pickle.dumps((covers, problems)))
        report.diagnostics.extend(problems)
        return covers

    def stop(self) -> None:
        """End the child processes still drawing (a build that failed, or was interrupted)."""
        for running in (self.pdf, self.covers):
            if running is not None:
                running.stop()


def _start_drawing(options: BuildOptions, watch: Stopwatch, rendering: Rendering, built,
                   worker: Worker | None, epub: bool) -> _Drawing:
    """Send the PDF's job to the worker (it draws the covers first); without a PDF, draw the
    EPUB's cover in a child process, unless an earlier build drew it, or take the cover image
    as it is."""
    book = rendering.book
    for_pdf = worker is not None
    drawing = _Drawing(book, _recalled_covers(book, for_pdf), for_pdf)
    if worker is not None:
        with watch.stage("render"):
            job = _pdf_job(rendering)
        drawing.pdf_started = time.perf_counter()
        assert isinstance(job.document, bytes)  # serialized to be sent
        seconds = options.limits.pdf_for(len(job.document)).seconds
        drawing.pdf = worker.submit(_timed_pdf, (job, built, drawing.recalled,
                                                 options.limits.pdf, options.cores), seconds)
        progress.tell("stage", name="pdf", state="start")  # in the worker, beside the EPUB
    elif epub and drawing.recalled is None and book.cover.image is not None:
        # Nothing to draw, no WeasyPrint: made here, and not worth keeping in the memo.
        drawing.recalled = draw_covers(book, for_pdf=False)
    elif epub and drawing.recalled is None:
        drawing.covers = start_bounded(draw_covers, (book, False), options.limits.pdf,
                                       "drawing the cover")
    return drawing


def _pdf_job(rendering: Rendering) -> Rendering:
    """What the PDF's worker needs, small enough to send it: the PDF's rendering (with the
    notes as footnotes if so printed) as XHTML bytes, and the book without its chapters' and
    notes' text, which the document already holds."""
    layout = notes_layout(rendering.book.settings, paged=True)
    if layout != rendering.notes:
        rendering = render_book(rendering.book, layout)
    book = rendering.book
    notes = tuple(dataclasses.replace(note, blocks=()) for note in book.notes)
    return dataclasses.replace(rendering, document=serialize(rendering.document),
                               book=dataclasses.replace(book, chapters=(), notes=notes))


def _timed_pdf(rendering: Rendering, built, recalled: tuple[Covers, list[Diagnostic]] | None,
               bound: Bound, cores: int | None = None
               ) -> tuple[Written, Covers, list[Diagnostic], float]:
    """The PDF laid out in at most ``cores`` parts (None: one a core) while the covers are drawn
    beside it, in a process forked from this one, where WeasyPrint is loaded (unless an
    earlier build drew them); then the PDF with its covers, and the seconds it took, measured
    where it is made (in the worker process)."""
    started = time.perf_counter()
    drawing = None if recalled else start_bounded(draw_covers, (rendering.book,), bound,
                                                  "drawing the cover")
    try:
        writer, job = WRITERS[Format.PDF], dataclasses.replace(rendering, covers=None)
        # cores=None: every core, and the writers' one-line stand-ins of the tests fit
        written = writer(job, built) if cores is None else writer(job, built, cores=cores)
        if drawing is not None:
            recalled = drawing.result()
        assert recalled is not None
        covers, problems = recalled
    finally:
        if drawing is not None:
            drawing.stop()
    from brochure.pdf.write import with_book_covers  # WeasyPrint is loaded here already

    written = with_book_covers(written, covers, rendering.book)
    return written, covers, problems, time.perf_counter() - started


def _pdf_worker(limits: Limits) -> Worker:
    """A bounded process that imports WeasyPrint now and renders the PDF when sent its job."""
    return start_worker(limits.pdf, "rendering the PDF", preload=("brochure.pdf.write",),
                        hint="raise --time-limit or --memory-limit if the book is really that "
                             "large, or look for a runaway stylesheet rule")


def _booklet(pdf: Written, settings: Settings) -> Written:
    from brochure.pdf.booklet import impose_booklet

    booklet = impose_booklet(pdf.data, settings.back_cover, settings.creep)
    padding = (f"{booklet.blanks} blank page{'s' if booklet.blanks != 1 else ''} added"
               + (" before the back cover" if settings.back_cover and booklet.blanks else ""))
    sheets = f"{booklet.pages} pages on {booklet.sheets} sheet{'s' if booklet.sheets != 1 else ''}"
    return Written(booklet.data, booklet.sheets * 2, booklet.diagnostics,
                   details=(sheets, padding))


def _details(made: dict[Format, Written]) -> dict[str, list[str]]:
    """What the build says of each output besides its size."""
    details = {fmt.value: list(result.details) for fmt, result in made.items() if result.details}
    pdf = made.get(Format.PDF)
    if pdf is not None and pdf.parts > 1:
        details["pdf"] = [f"laid out in {pdf.parts} parts side by side"]
    return details
