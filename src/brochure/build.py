"""The pipeline, in order: read -> assemble -> render -> write (EPUB, PDF) -> validate -> publish."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slugify import slugify

from brochure.assemble import assemble_book
from brochure.clock import build_time
from brochure.diagnostics import Diagnostic, Location, Report, error
from brochure.fonts import coverage_warnings
from brochure.impose import impose_booklet
from brochure.lock import build_lock
from brochure.model import Rendering, Written
from brochure.page_setup import with_page_setup
from brochure.print_shop import check_images, finish_pdf, is_shop, load_profile
from brochure.publish import publish
from brochure.read import read_manuscript
from brochure.render import render_book
from brochure.sandbox import Limits, run_bounded
from brochure.stopwatch import Stopwatch
from brochure.validate import check_epub
from brochure.write_epub import write_epub
from brochure.write_pdf import write_pdf

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


def _write(fmt: str, rendering: Rendering, built, limits: Limits) -> Written:
    """One output; the PDF renderer runs in a child process bounded in time and memory."""
    if fmt != "pdf":
        return WRITERS[fmt](rendering, built)
    return run_bounded(WRITERS[fmt], (rendering, built), limits.pdf, "rendering the PDF",
                       hint="raise --time-limit or --memory-limit if the book is really that "
                            "large, or look for a runaway stylesheet rule")


def build(options: BuildOptions, report: Report | None = None) -> BuildResult:
    """Build the requested formats; publish them all only if every one succeeded."""
    with build_lock(options.out_dir):  # one build at a time per output folder
        return _build(options, report)


def _build(options: BuildOptions, report: Report | None = None) -> BuildResult:
    report = report if report is not None else Report()
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
    made: dict[str, Written] = {}  # every format made, including sources of derived ones
    details: dict[str, list[str]] = {}
    for fmt in dict.fromkeys(DERIVED.get(f, f) for f in options.formats):
        # print-notes: footnotes changes the PDF's document alone (the EPUB keeps endnotes).
        footnotes = fmt == "pdf" and book.settings.print_notes == "footnotes"
        with watch.stage(fmt):
            document = render_book(book, footnotes=True) if footnotes else rendering
            made[fmt] = _write(fmt, document, built, options.limits)
            if fmt == "pdf":
                finished, problems = finish_pdf(made["pdf"].data, book.settings)
                made["pdf"] = dataclasses.replace(made["pdf"], data=finished)
                report.diagnostics.extend(problems)
        report.diagnostics.extend(made[fmt].diagnostics)
    if "booklet" in options.formats:
        with watch.stage("booklet"):
            booklet = impose_booklet(made["pdf"].data, book.settings.back_cover,
                                     book.settings.creep)
        made["booklet"] = Written(booklet.data, booklet.sheets * 2, booklet.diagnostics)
        report.diagnostics.extend(booklet.diagnostics)
        padding = (f"{booklet.blanks} blank page{'s' if booklet.blanks != 1 else ''} added"
                   + (" before the back cover" if book.settings.back_cover and booklet.blanks else ""))
        details["booklet"] = [f"{booklet.pages} pages on {booklet.sheets} "
                              f"sheet{'s' if booklet.sheets != 1 else ''}", padding]
    written = {fmt: made[fmt] for fmt in options.formats}
    if options.check and "epub" in written:
        with watch.stage("validate"):
            report.diagnostics.extend(check_epub(written["epub"].data))
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
