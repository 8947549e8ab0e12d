"""``brochure build`` of many books: one line per book as it ends, its diagnostics grouped
under it, then the site, then a summary; the exit status says whether some failed, and which."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from brochure.core.diagnostics import BrochureError, Diagnostic, Report
from brochure.runtime.build import BuildOptions
from brochure.shelf.books import BookRun, Plan, build_here, plan_books
from brochure.shelf.site import make_site, write_site

EXIT_FAILED, EXIT_INTERNAL, EXIT_INTERRUPTED = 1, 70, 130
Say = Callable[[str], None]


@dataclass(frozen=True)
class Console:
    say: Say  # the command's output (stdout)
    tell: Say  # diagnostics and failures (stderr)
    debug: bool = False

    def diagnostics(self, diagnostics: Sequence[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.tell(str(diagnostic))


def build_books(arguments: Sequence[Path], template: BuildOptions, cluster: str | None,
                jobs: int | None, console: Console) -> int:
    """Build the books ``arguments`` name (a shelf, or manuscripts) with ``template``'s options,
    here or on the cluster at ``cluster``; return the exit status."""
    started = time.perf_counter()
    report = Report()
    try:
        plan = plan_books(arguments, template, jobs, report)
        console.diagnostics(report.diagnostics)
        with contextlib.closing(_runs(plan, cluster)) as running:  # stopped at once on Ctrl-C
            runs = _collect(running, console)
    except BrochureError as exc:
        console.diagnostics([*report.diagnostics, *exc.diagnostics])
        console.tell("build failed; no output was changed")
        return EXIT_FAILED
    except KeyboardInterrupt:
        console.tell("interrupted; the books not built yet were left as they were")
        return EXIT_INTERRUPTED
    status = _site(plan, runs, console)
    failed = [run for run in runs if not run.ok]
    kept = sum(1 for run in runs if run.result is not None and run.result.reused)
    built = len(runs) - len(failed) - kept
    seconds = time.perf_counter() - started
    rate = f", {built / seconds * 60:.1f} a minute" if built and len(runs) > 1 else ""
    parts = [f"{built} built", *([f"{kept} kept"] if kept else []),
             *([f"{len(failed)} failed"] if failed else [])]
    console.say(f"{len(runs)} book{'s' if len(runs) != 1 else ''}: {', '.join(parts)} "
                f"in {seconds:.1f} s{rate}")
    if any(run.failure == "interrupted" for run in runs):
        return EXIT_INTERRUPTED
    if failed:
        console.tell(f"failed: {', '.join(sorted(run.book.slug for run in failed))} (their outputs were "
                     "left as they were)")
        return EXIT_INTERNAL if any(run.failure == "internal" for run in failed) else EXIT_FAILED
    return status


def _runs(plan: Plan, cluster: str | None) -> Generator[BookRun, None, None]:
    if cluster is None:
        return build_here(plan)
    from brochure.shelf.cluster import build_there, connect  # Dask only when asked for

    return build_there(plan, connect(cluster))


def _collect(runs: Iterator[BookRun], console: Console) -> list[BookRun]:
    done = []
    for run in runs:
        console.say(_line(run))
        console.diagnostics(run.diagnostics)
        if run.trace and console.debug:
            console.tell(run.trace)
        done.append(run)
    return done


def _line(run: BookRun) -> str:
    """``built slug: epub 123 KiB, pdf 14 pages 456 KiB, 12 notes (3.1 s)``"""
    result = run.result
    if result is None:
        return f"{run.failure} {run.book.slug}"
    outputs = []
    for fmt, size in result.sizes.items():
        pages = f" {result.pages} pages" if fmt == "pdf" and result.pages is not None else ""
        outputs.append(f"{fmt.value}{pages} {size / 1024:.0f} KiB")
    outputs.append(f"{result.notes} note{'s' if result.notes != 1 else ''}")
    verb = "kept" if result.reused else "built"
    where = f" on {run.where}" if run.where else ""
    return f"{verb} {run.book.slug}: {', '.join(outputs)} ({result.seconds:.1f} s{where})"


def _site(plan: Plan, runs: list[BookRun], console: Console) -> int:
    """The catalogues and the page of the books that built; the exit status so far."""
    if plan.site is None:
        return 0
    try:
        site = make_site(plan.site, plan.catalogue, runs, plan.books[0].options.cache)
        write_site(plan.site, site)
    except BrochureError as exc:
        console.diagnostics(exc.diagnostics)
        console.tell("the catalogues and the page were left as they were")
        return EXIT_FAILED
    console.diagnostics(site.diagnostics)
    listed = {book.slug for book in site.shelf.books}
    kept = [run.book.slug for run in runs if not run.ok and run.book.slug in listed]
    left_out = len(runs) - len(listed)
    console.say(f"shelf {plan.site}/ ({len(site.shelf.books)} "
                f"book{'s' if len(site.shelf.books) != 1 else ''}"
                f"{f', {left_out} left out' if left_out else ''}"
                f"{f', {len(kept)} as last published' if kept else ''}): index.html, catalogue.xml, "
                f"catalogue.json{'' if site.written else ', unchanged'}")
    return 0
