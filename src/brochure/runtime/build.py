"""The recipe: read -> book -> render -> write (EPUB, PDF) -> post-steps -> publish.

``build`` takes the lock of the output folder and reuses the previous build when nothing
changed (cache.py); ``make`` is the recipe itself, one step a line. The PDF's modules (and
WeasyPrint, pikepdf) are imported where a PDF is made: an EPUB alone never pays for them.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slugify import slugify

from brochure.book.assemble import assemble_book, typeset_book
from brochure.book.markdown import parse_chapters
from brochure.book.notes import number_notes
from brochure.core import memo
from brochure.core.clock import build_time
from brochure.core.diagnostics import Diagnostic, Location, Report, error
from brochure.core.model import Book, Manuscript, Rendering, Written, notes_layout
from brochure.core.sandbox import Limits, Running, Worker, start_worker
from brochure.core.settings import Format, PrintMode, Settings
from brochure.core.xhtml import serialize
from brochure.epub.epubcheck import check_epub
from brochure.epub.fonts import coverage_warnings
from brochure.epub.write import write_epub
from brochure.manuscript.read import project_folders, read_manuscript
from brochure.manuscript.resolver import Resolver
from brochure.render.document import render_book
from brochure.render.page_setup import with_page_setup
from brochure.runtime import cache
from brochure.runtime.lock import build_lock
from brochure.runtime.publish import publish
from brochure.runtime.stopwatch import Stopwatch


def write_pdf(rendering: Rendering, built, cores: int | None = None) -> Written:
    """WeasyPrint is imported only when a PDF is made: a build that reuses its outputs starts fast."""
    from brochure.pdf.write import write_pdf as render_pdf

    return render_pdf(rendering, built, cores)


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
    with build_lock(options.out_dir):  # one build at a time per output folder
        return _cached_build(options, report, recipe or make)


def _cached_build(options: BuildOptions, report: Report, recipe: Recipe) -> BuildResult:
    """The previous build's outputs if nothing changed; else a build, recorded for the next."""
    if not options.cache:
        return recipe(options, report)
    watch = Stopwatch()
    with watch.stage("cache"):
        key = _cache_key(options)
        reused = cache.lookup(options.out_dir, key) if key else None
    if reused:
        report.diagnostics.extend(reused.diagnostics)
        outputs = {Format(fmt): path for fmt, path in reused.outputs.items()}
        sizes = {Format(fmt): size for fmt, size in reused.sizes.items()}
        return BuildResult(outputs, sizes, reused.pages, reused.notes, watch.total,
                           report.diagnostics, reused.details, watch, reused=True)
    with memo.active() as kept:
        result = recipe(options, report)
    result.recalled = {kind: (kept.reused[kind], kept.reused[kind] + kept.computed[kind])
                       for kind in sorted(kept.reused | kept.computed)}
    # Recorded only if no input changed while the build ran.
    if key and _cache_key(options) == key:
        cache.store(options.out_dir, key, {fmt.value: (path, path.read_bytes())
                                           for fmt, path in result.outputs.items()},
                    result.pages, result.notes, result.diagnostics, result.details)
    return result


def _cache_key(options: BuildOptions) -> str | None:
    if not options.manuscript.exists():
        return None
    folders = list(project_folders(options.manuscript, options.styles_dir))
    described = {"manuscript": options.manuscript.resolve(), "out": options.out_dir.resolve(),
                 "check": options.check,
                 "styles": options.styles_dir and options.styles_dir.resolve(),
                 "settings": sorted((k, repr(v)) for k, v in options.settings.items()),
                 "defaults": sorted((k, repr(v)) for k, v in options.defaults.items())}
    return cache.build_key(folders, options.out_dir, described)


def make(options: BuildOptions, report: Report) -> BuildResult:
    """The recipe, from the manuscript's files to the published outputs."""
    watch = Stopwatch()
    with watch.stage("read"):
        manuscript = read(options, report)
    needed = tuple(dict.fromkeys(DERIVED.get(f, f) for f in manuscript.settings.formats))
    # Forked now, while this process holds little more than the manuscript's text: the PDF's
    # process then holds WeasyPrint's memory alone, and imports WeasyPrint while this one
    # parses the manuscript.
    worker = _pdf_worker(options.limits) if Format.PDF in needed else None
    try:
        with watch.stage("assemble"):
            book = book_of(manuscript, report, options.limits, options.cores)
        with watch.stage("render"):
            rendering = render_book(book, notes_layout(book.settings, paged=False))
            report.diagnostics.extend(coverage_warnings(rendering, manuscript.sources))
        _check_for_print(book, report)
        paths = output_paths(options.out_dir, book, manuscript)
        made = write(options, report, watch, rendering, needed, worker)
    finally:
        if worker is not None:
            worker.stop()
    with watch.stage("publish"):
        publish({paths[fmt]: result.data for fmt, result in made.items()})
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
    book assembled."""
    parsed = parse_chapters(manuscript.sources, Resolver.for_roots(manuscript.root), report, limits,
                            cores)
    report.raise_if_errors()
    notes = number_notes(parsed, manuscript.settings.note_numbering)
    metadata = typeset_book(parsed, notes, manuscript.metadata, manuscript.settings.typography)
    return assemble_book(manuscript, metadata, parsed, notes)


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
    inputs = {p.resolve() for p in (*(s.path for s in manuscript.sources),
                                    *(a.source for a in book.assets))}
    for path in paths.values():
        if path.resolve() in inputs:
            raise error(f"output '{path}' would overwrite an input file", Location(path),
                        "choose another --out folder")
    return paths


def write(options: BuildOptions, report: Report, watch: Stopwatch, rendering: Rendering,
          needed: tuple[Format, ...], worker: Worker | None) -> dict[Format, Written]:
    """Every format asked for. The PDF renders in the worker while this process writes (and
    checks) the EPUB: on two cores both formats cost little more than the PDF alone."""
    book = rendering.book
    built = build_time(book.metadata)
    made: dict[Format, Written] = {}
    pending: Running[tuple[Written, float]] | None = None
    if worker is not None:
        with watch.stage("render"):
            job = _pdf_job(rendering)
        pdf_started = time.perf_counter()
        pending = worker.submit(_timed_pdf, (job, built, options.cores))
    for fmt in needed:
        if fmt != Format.PDF:
            with watch.stage(fmt.value):
                made[fmt] = WRITERS[fmt](rendering, built)
    if options.check and Format.EPUB in made:
        with watch.stage("validate"):
            report.diagnostics.extend(check_epub(made[Format.EPUB].data))
    if pending is not None:
        pdf, seconds = pending.result()
        watch.record("pdf", seconds, pdf_started)
        with watch.stage("pdf"):
            from brochure.pdf.print_shop import finish_pdf

            finished, problems = finish_pdf(pdf.data, book.settings)
            made[Format.PDF] = dataclasses.replace(pdf, data=finished)
            report.diagnostics.extend(problems)
    for fmt in needed:
        report.diagnostics.extend(made[fmt].diagnostics)
    if Format.BOOKLET in book.settings.formats:
        with watch.stage("booklet"):
            made[Format.BOOKLET] = _booklet(made[Format.PDF], book.settings)
        report.diagnostics.extend(made[Format.BOOKLET].diagnostics)
    report.raise_if_errors()
    return {fmt: made[fmt] for fmt in book.settings.formats}


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


def _timed_pdf(rendering: Rendering, built, cores: int | None = None) -> tuple[Written, float]:
    """The PDF and the seconds it took, measured where it is made (in the worker process)."""
    started = time.perf_counter()
    writer = WRITERS[Format.PDF]  # cores=None: every core, and the writers' one-line stand-ins fit
    written = writer(rendering, built) if cores is None else writer(rendering, built, cores=cores)
    return written, time.perf_counter() - started


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
