"""The pipeline, in order: read -> assemble -> render -> write (EPUB, PDF) -> validate -> publish."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slugify import slugify

from brochure import cache, memo
from brochure.assemble import assemble_book
from brochure.clock import build_time
from brochure.diagnostics import Diagnostic, Location, Report, error
from brochure.fonts import coverage_warnings
from brochure.impose import impose_booklet
from brochure.lock import build_lock
from brochure.model import Manuscript, Rendering, Written
from brochure.page_setup import with_page_setup
from brochure.print_shop import check_images, finish_pdf, is_shop, load_profile
from brochure.publish import publish
from brochure.read import project_folders, read_manuscript
from brochure.render import render_book
from brochure.sandbox import Limits, Running, Worker, start_worker
from brochure.stopwatch import Stopwatch
from brochure.validate import check_epub
from brochure.write_epub import write_epub
from brochure.xhtml import serialize


def write_pdf(rendering: Rendering, built) -> Written:
    """WeasyPrint is imported only when a PDF is made: a build that reuses its outputs starts fast."""
    from brochure.write_pdf import write_pdf as render_pdf

    return render_pdf(rendering, built)


WRITERS: dict[str, Callable[..., Written]] = {"epub": write_epub, "pdf": write_pdf}
# Formats made from another format's output: format -> the format it is made from.
DERIVED = {"booklet": "pdf"}
FORMATS = (*WRITERS, *DERIVED)
DEFAULT_FORMATS = ("epub", "pdf")
FILE_NAMES = {"booklet": "{stem}-booklet.pdf"}  # others: {stem}.{format}


@dataclass(frozen=True)
class BuildOptions:
    manuscript: Path = Path("manuscript")
    out_dir: Path = Path("dist")
    formats: tuple[str, ...] = ()  # none: book.yaml's 'formats', else DEFAULT_FORMATS
    styles_dir: Path | None = None
    check: bool = False  # run EPUBCheck before publishing; its errors fail the build
    settings: dict[str, Any] = field(default_factory=dict)  # command-line overrides of book.yaml
    limits: Limits = field(default_factory=Limits)  # time and memory of the heavy stages
    cache: bool = True  # reuse the outputs of an identical previous build (see cache.py)


@dataclass
class BuildResult:
    outputs: dict[str, Path]
    sizes: dict[str, int]
    pages: int | None
    notes: int
    seconds: float
    diagnostics: list[Diagnostic] = field(default_factory=list)
    details: dict[str, list[str]] = field(default_factory=dict)  # per format, for the report
    stopwatch: Stopwatch = field(default_factory=Stopwatch)
    reused: bool = False  # nothing changed since the previous build: its outputs were kept
    # Steps whose results earlier builds had made (memo.py): kind -> (found, needed).
    recalled: dict[str, tuple[int, int]] = field(default_factory=dict)


def output_paths(options: BuildOptions, title: str, inputs: list[Path]) -> dict[str, Path]:
    stem = slugify(title, max_length=80, word_boundary=True) or "book"
    paths = {fmt: options.out_dir / FILE_NAMES.get(fmt, "{stem}.{fmt}").format(stem=stem, fmt=fmt)
             for fmt in options.formats}
    resolved_inputs = {p.resolve() for p in inputs}
    for path in paths.values():
        if path.resolve() in resolved_inputs:
            raise error(f"output '{path}' would overwrite an input file", Location(path),
                        "choose another --out folder")
    return paths


def _timed_pdf(rendering: Rendering, built) -> tuple[Written, float]:
    """The PDF and the seconds it took, measured where it is made (in the worker process)."""
    started = time.perf_counter()
    written = WRITERS["pdf"](rendering, built)
    return written, time.perf_counter() - started


def _pdf_job(rendering: Rendering, footnotes: bool = False) -> Rendering:
    """What the PDF's worker needs, small enough to send it: the document as XHTML bytes
    (with the notes as footnotes if so printed; the EPUB keeps endnotes), and the book
    without its chapters' and notes' text, which the document already holds."""
    if footnotes:
        rendering = render_book(rendering.book, footnotes=True)
    book = rendering.book
    notes = tuple(dataclasses.replace(note, blocks=()) for note in book.notes)
    return dataclasses.replace(rendering, document=serialize(rendering.document),
                               book=dataclasses.replace(book, chapters=(), notes=notes))


def _pdf_worker(limits: Limits) -> Worker:
    """A bounded process that imports WeasyPrint now and renders the PDF when sent its job."""
    return start_worker(limits.pdf, "rendering the PDF", preload=("brochure.write_pdf",),
                        hint="raise --time-limit or --memory-limit if the book is really that "
                             "large, or look for a runaway stylesheet rule")


def build(options: BuildOptions, report: Report | None = None) -> BuildResult:
    """Build the requested formats; publish them all only if every one succeeded."""
    report = report if report is not None else Report()
    with build_lock(options.out_dir):  # one build at a time per output folder
        return _cached_build(options, report)


def _cached_build(options: BuildOptions, report: Report) -> BuildResult:
    """The previous build's outputs if nothing changed; else a build, recorded for the next."""
    if not options.cache:
        return _build(options, report)
    watch = Stopwatch()
    with watch.stage("cache"):
        key = _cache_key(options)
        reused = cache.lookup(options.out_dir, key) if key else None
    if reused:
        report.diagnostics.extend(reused.diagnostics)
        return BuildResult(reused.outputs, reused.sizes, reused.pages, reused.notes, watch.total,
                           report.diagnostics, reused.details, watch, reused=True)
    with memo.active() as kept:
        result = _build(options, report)
    result.recalled = {kind: (kept.reused[kind], kept.reused[kind] + kept.computed[kind])
                       for kind in sorted(kept.reused | kept.computed)}
    # Recorded only if no input changed while the build ran.
    if key and _cache_key(options) == key:
        cache.store(options.out_dir, key, {fmt: (path, path.read_bytes())
                                           for fmt, path in result.outputs.items()},
                    result.pages, result.notes, result.diagnostics, result.details)
    return result


def _cache_key(options: BuildOptions) -> str | None:
    if not options.manuscript.exists():
        return None
    folders = list(project_folders(options.manuscript, options.styles_dir))
    described = {"manuscript": options.manuscript.resolve(), "out": options.out_dir.resolve(),
                 "formats": options.formats, "check": options.check,
                 "styles": options.styles_dir and options.styles_dir.resolve(),
                 "settings": sorted((k, repr(v)) for k, v in options.settings.items())}
    return cache.build_key(folders, options.out_dir, described)


def _build(options: BuildOptions, report: Report) -> BuildResult:
    watch = Stopwatch()
    with watch.stage("read"):
        manuscript = read_manuscript(options.manuscript, report, options.styles_dir)
        if options.settings:
            manuscript = dataclasses.replace(
                manuscript, settings=manuscript.settings.replace(**options.settings))
    formats = options.formats or manuscript.settings.formats or DEFAULT_FORMATS
    for fmt in formats:
        if fmt not in FORMATS:
            raise error(f"unknown format '{fmt}'", hint=f"choose from {', '.join(FORMATS)}")
    options = dataclasses.replace(options, formats=tuple(formats))
    needed = tuple(dict.fromkeys(DERIVED.get(f, f) for f in options.formats))
    # Forked now, while this process holds little more than the manuscript's text: the PDF's
    # process then holds WeasyPrint's memory alone, and imports WeasyPrint while this one
    # parses the manuscript.
    worker = _pdf_worker(options.limits) if "pdf" in needed else None
    try:
        return _build_book(options, report, watch, manuscript, needed, worker)
    finally:
        if worker is not None:
            worker.stop()


def _build_book(options: BuildOptions, report: Report, watch: Stopwatch, manuscript: Manuscript,
                needed: tuple[str, ...], worker: Worker | None) -> BuildResult:
    with watch.stage("assemble"):
        manuscript = with_page_setup(manuscript)
        book = assemble_book(manuscript, report, options.limits)
    with watch.stage("render"):
        rendering: Rendering = render_book(book)
        report.diagnostics.extend(coverage_warnings(rendering, manuscript.sources))
    built = build_time(book.metadata)

    inputs = [s.path for s in manuscript.sources] + [a.source for a in book.assets]
    paths = output_paths(options, book.metadata.title, inputs)
    if is_shop(book.settings):
        load_profile(book)  # a wrong profile fails before anything is rendered
    report.diagnostics.extend(check_images(book))
    report.raise_if_errors()
    made, checked = _write(options, report, watch, rendering, built, needed, worker)
    details: dict[str, list[str]] = {}
    if "pdf" in made and made["pdf"].parts > 1:
        details["pdf"] = [f"laid out in {made['pdf'].parts} parts side by side"]
    if "booklet" in options.formats:
        made["booklet"], details["booklet"] = _booklet(made["pdf"], book.settings, report, watch)
    written = {fmt: made[fmt] for fmt in options.formats}
    report.diagnostics.extend(checked)
    report.raise_if_errors()

    with watch.stage("publish"):
        publish({paths[fmt]: result.data for fmt, result in written.items()})
    pages = written["pdf"].pages if "pdf" in written else None
    return BuildResult(
        outputs=paths,
        sizes={fmt: len(result.data) for fmt, result in written.items()},
        pages=pages,
        notes=len(book.notes),
        seconds=watch.total,
        diagnostics=report.diagnostics,
        details=details,
        stopwatch=watch,
    )


def _write(options: BuildOptions, report: Report, watch: Stopwatch, rendering: Rendering,
           built, needed: tuple[str, ...],
           worker: Worker | None) -> tuple[dict[str, Written], list[Diagnostic]]:
    """Every needed format (booklets aside), and EPUBCheck's findings if asked for. The PDF
    renders in the worker while this process writes (and checks) the EPUB: on two cores both
    formats cost little more than the PDF alone."""
    made: dict[str, Written] = {}
    pending: Running[tuple[Written, float]] | None = None
    if worker is not None:
        with watch.stage("render"):
            job = _pdf_job(rendering, rendering.book.settings.print_notes == "footnotes")
        pdf_started = time.perf_counter()
        pending = worker.submit(_timed_pdf, (job, built))
    for fmt in needed:
        if fmt != "pdf":
            with watch.stage(fmt):
                made[fmt] = WRITERS[fmt](rendering, built)
    checked: list[Diagnostic] = []
    if options.check and "epub" in made and "epub" in options.formats:
        with watch.stage("validate"):
            checked = check_epub(made["epub"].data)
    if pending is not None:
        pdf, seconds = pending.result()
        watch.record("pdf", seconds, pdf_started)
        with watch.stage("pdf"):
            finished, problems = finish_pdf(pdf.data, rendering.book.settings)
            made["pdf"] = dataclasses.replace(pdf, data=finished)
            report.diagnostics.extend(problems)
    for fmt in needed:
        report.diagnostics.extend(made[fmt].diagnostics)
    return made, checked


def _booklet(pdf: Written, settings, report: Report,
             watch: Stopwatch) -> tuple[Written, list[str]]:
    with watch.stage("booklet"):
        booklet = impose_booklet(pdf.data, settings.back_cover, settings.creep)
    report.diagnostics.extend(booklet.diagnostics)
    padding = (f"{booklet.blanks} blank page{'s' if booklet.blanks != 1 else ''} added"
               + (" before the back cover" if settings.back_cover and booklet.blanks else ""))
    return (Written(booklet.data, booklet.sheets * 2, booklet.diagnostics),
            [f"{booklet.pages} pages on {booklet.sheets} "
             f"sheet{'s' if booklet.sheets != 1 else ''}", padding])
