"""Many books in one build: the plan (each book's options, its folder, its share of the cores),
and each book built on its own, one failure never stopping the others.

On one machine the books build side by side, as many at a time as there are cores (or
``--jobs``), each in a process of its own (apart.py); each book's Markdown processes and PDF
parts share what is left, so that the machine is used, not oversubscribed. Each book goes to a
folder of its own under the output folder, where the cache of whole builds works per book.
"""

from __future__ import annotations

import dataclasses
import importlib
import traceback
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from brochure.core.diagnostics import BrochureError, Diagnostic, Location, Report, error
from brochure.core.fingerprint import code_digest
from brochure.core.sandbox import usable_cores
from brochure.core.settings import Format
from brochure.runtime.build import BuildOptions, BuildResult, Recipe, build
from brochure.shelf.apart import Crashed, side_by_side
from brochure.shelf.catalogue import (
    SITE_FOLDERS,
    Catalogue,
    book_slug,
    is_shelf,
    loose_books,
    read_shelf,
)


@dataclass(frozen=True)
class PlannedBook:
    slug: str  # its folder under the output folder, its anchor on the page
    options: BuildOptions


@dataclass(frozen=True)
class Plan:
    books: tuple[PlannedBook, ...]
    catalogue: Catalogue
    site: Path | None  # where the catalogues and the page go; None: one book, no site
    at_once: int  # books built at once on this machine


@dataclass(frozen=True)
class BookRun:
    """What building one book came to."""

    book: PlannedBook
    result: BuildResult | None  # None: it failed
    diagnostics: tuple[Diagnostic, ...]
    failure: str | None = None  # "failed" (its diagnostics say why), "internal", "interrupted"
    trace: str | None = None  # an internal error's traceback, for --debug
    where: str | None = None  # the cluster's worker that built it

    @property
    def ok(self) -> bool:
        return self.failure is None


def plan_books(arguments: Sequence[Path], template: BuildOptions, jobs: int | None,
               report: Report) -> Plan:
    """One manuscript: itself, into the output folder. A shelf, or several manuscripts: each
    book into a folder of its own under it, and the shelf's site at its top."""
    cores = usable_cores()
    if len(arguments) == 1 and not is_shelf(arguments[0]):
        # Alone, a book has every core, here or (told so) on a cluster's worker.
        only = dataclasses.replace(template, manuscript=arguments[0], cores=template.cores or cores)
        return Plan((PlannedBook(book_slug(arguments[0]), only),), Catalogue(title=""), None, 1)
    source = (read_shelf(arguments[0], report, template.out_dir) if len(arguments) == 1
              else loose_books(arguments, template.out_dir))
    at_once = max(1, min(jobs or cores, len(source.manuscripts)))
    share = max(1, cores // at_once)
    books: list[PlannedBook] = []
    folders: dict[str, Path] = {}
    for manuscript in source.manuscripts:
        slug = book_slug(manuscript)
        if slug in folders:
            raise error(f"'{manuscript}' and '{folders[slug]}' would both be built into "
                        f"'{template.out_dir / slug}'", Location(manuscript),
                        "rename one of the two folders")
        if slug in SITE_FOLDERS:
            raise error(f"this book would be built into '{template.out_dir / slug}', where the "
                        f"site keeps its {slug}", Location(manuscript),
                        "rename the book's folder (it names the book's folder in the site)")
        folders[slug] = manuscript
        options = dataclasses.replace(
            template, manuscript=manuscript, out_dir=template.out_dir / slug,
            styles_dir=template.styles_dir or source.catalogue.styles,
            defaults=source.catalogue.defaults, cores=share)
        books.append(PlannedBook(slug, options))
    return Plan(tuple(books), source.catalogue, template.out_dir, at_once)


def build_one(book: PlannedBook, recipe: Recipe | None = None) -> BookRun:
    """The book built (or kept, when nothing changed), or why not; never raises but Ctrl-C's
    ``KeyboardInterrupt``, which becomes an interrupted run."""
    report = Report()
    try:
        result = build(book.options, report, recipe)
    except BrochureError as exc:
        said = [*report.diagnostics, *(d for d in exc.diagnostics if d not in report.diagnostics)]
        return BookRun(book, None, tuple(said), "failed")
    except KeyboardInterrupt:
        return BookRun(book, None, tuple(report.diagnostics), "interrupted")
    except Exception as exc:  # a bug of brochure's: this book only
        bug = Diagnostic("error", f"internal error: {type(exc).__name__}: {exc}",
                         Location(book.options.manuscript), "run with --debug for details")
        return BookRun(book, None, (*report.diagnostics, bug), "internal", traceback.format_exc())
    return BookRun(book, result, tuple(report.diagnostics))


def warm_up(plan: Plan | None = None) -> None:
    """Import WeasyPrint here, once, when a PDF may be made: each book's PDF process, forked
    from this one, would otherwise import it again (a second or so a book)."""
    formats = {Format(f) for book in (plan.books if plan else ()) for f in (
        *book.options.settings.get("formats", ()), *book.options.defaults.get("formats", ()))}
    if plan is None or not formats or formats & {Format.PDF, Format.BOOKLET}:
        importlib.import_module("brochure.pdf.write")


def build_here(plan: Plan) -> Generator[BookRun, None, None]:
    """The plan's books built side by side on this machine, as each ends. What each book's
    process would compute or import again is done here first: the key's fingerprint of
    brochure's code at once, WeasyPrint as soon as a book was built rather than kept (a shelf
    where nothing changed never loads it)."""
    code_digest()
    built: list[bool] = []

    def tasks() -> Iterator[tuple[PlannedBook, Callable[..., BookRun], tuple[PlannedBook]]]:
        warm = False
        for book in plan.books:
            if built and not warm:
                warm_up(plan)
                warm = True
            yield book, build_one, (book,)

    for book, run in side_by_side(tasks(), plan.at_once):
        if isinstance(run, Crashed):
            yield BookRun(book, None, (Diagnostic(
                "error", f"the build stopped abnormally ({run.cause})",
                Location(book.options.manuscript),
                "it probably ran out of memory; build it alone, or with --jobs 1"),), "failed")
            continue
        if run.result is not None and not run.result.reused:
            built.append(True)
        yield run
