"""The ``brochure`` command.

Exit statuses: 0 built; 1 the build failed because of its input or environment (the messages
say where); 2 the command line itself is wrong; 70 an internal error (a bug of brochure's);
130 interrupted.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from brochure import __version__
from brochure.core.diagnostics import BrochureError, BrokenOutput, Report
from brochure.core.diagnostics import shown as shown_path
from brochure.core.sandbox import Limits
from brochure.core.settings import Declaration, declarations
from brochure.loop import findings, new, summary
from brochure.loop.progress import shown, wanted
from brochure.runtime.build import BuildOptions, BuildResult, build
from brochure.runtime.publish import InterruptedAfterPublishing
from brochure.shelf.catalogue import is_shelf

EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 1, 2, 70, 130

# What the build summary calls each kind of result kept from earlier builds (memo.py).
RECALLED = {"markdown": "the Markdown of {found} of {needed} chapters",
            "font-subset": "{found} of {needed} font subsets of the EPUB",
            "covers": "the covers"}


class SettingValue(click.ParamType):
    """A setting's value, checked by the parser its declaration names."""

    def __init__(self, declaration: Declaration):
        self.declaration = declaration
        self.name = declaration.key

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if self.declaration.multiple:
            return value  # the list is checked whole, once every occurrence is read
        try:
            return self.declaration.parse(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def setting_options(command: Callable[..., Any], leave_out: tuple[str, ...] = ()) -> Callable[..., Any]:
    """The command-line options of every setting declared with one (core/settings.py), but
    those named in ``leave_out``."""
    for declaration in reversed(declarations()):
        if declaration.option is None or declaration.key in leave_out:
            continue
        kind: click.ParamType = (click.Choice(declaration.choices) if declaration.choices
                                 else SettingValue(declaration))
        command = click.option(declaration.option, declaration.attribute, type=kind,
                               multiple=declaration.multiple,
                               help=f"{declaration.help} Overrides '{declaration.key}:' in book.yaml.")(
            command)
    return command


@contextlib.contextmanager
def _noting_ctrl_c(pressed: list[bool]) -> Iterator[None]:
    """Record a Ctrl-C (or SIGTERM) before it interrupts, so that it is reported as one
    whatever it becomes on its way up; the build ends through its cleanup either way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        pressed.append(True)
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, interrupt) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def _ignoring_ctrl_c() -> Iterator[None]:
    """While the summary of a finished build is printed: nothing is left to interrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _echo_diagnostics(report: Report) -> None:
    findings.echo(report.diagnostics)


@click.group()
@click.version_option(__version__, prog_name="brochure")
def main() -> None:
    """Publish a Markdown manuscript as an EPUB 3 ebook and a print-ready PDF."""


@main.command("build")
@click.argument("manuscripts", nargs=-1, type=click.Path(path_type=Path, exists=False))
@click.option("--out", "out_dir", default="dist", show_default=True,
              type=click.Path(path_type=Path),
              help="Folder to write the outputs to.")
@setting_options
@click.option("--styles", "styles_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of stylesheets. Default: styles/ beside the manuscript, "
                   "else brochure's own.")
@click.option("--check", is_flag=True, help="Validate the EPUB with EPUBCheck before writing.")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Longest time the Markdown of one chapter, and the PDF rendering, may take. "
                   "Default: 60, and 600 plus 180 for each MiB of the book's document beyond "
                   "the first.")
@click.option("--memory-limit", type=click.IntRange(min=16), metavar="MIB",
              help="Most memory the Markdown stage and the PDF rendering may add. "
                   "Default: 1024 and 3072.")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Build even if nothing changed since the previous build into DIR.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.option("--quiet", "-q", is_flag=True,
              help="Show no progress and no summary: only warnings and errors.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object on stdout: outputs, pages, notes, diagnostics, timings.")
@click.option("--jobs", type=click.IntRange(min=1), metavar="N",
              help="Books built at once on this machine. Default: one a core.")
@click.option("--cluster", metavar="ADDRESS",
              help="Build on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:8786); "
                   "needs brochure[cluster].")
def build_command(manuscripts: tuple[Path, ...], out_dir: Path, styles_dir: Path | None,
                  check: bool, time_limit: float | None, memory_limit: int | None,
                  no_cache: bool, debug: bool, quiet: bool, as_json: bool, jobs: int | None,
                  cluster: str | None, **settings: Any) -> None:
    """Build MANUSCRIPT (a folder with book.yaml, or a .md file) into DIR; or several, or a
    SHELF (a folder of manuscripts), each into a folder of its own with the shelf's
    catalogues and page at the top of DIR."""
    chosen = {name: value for name, value in settings.items() if value not in (None, ())}
    manuscript = manuscripts[0] if manuscripts else Path("manuscript")
    options = BuildOptions(manuscript, out_dir, styles_dir, check, chosen,
                           limits=Limits.scaled(time_limit, memory_limit), cache=not no_cache)
    if cluster or len(manuscripts) > 1 or is_shelf(manuscript):
        from brochure.shelf.console import Console, build_books  # many books: their own code

        console = Console(click.echo, lambda line: click.echo(line, err=True), debug)
        sys.exit(build_books(manuscripts or (manuscript,), options, cluster, jobs, console))
    report = Report()
    with shown(wanted(quiet)):
        result = _run(options, report, debug, as_json)
    with _ignoring_ctrl_c():
        _echo_diagnostics(report)
        if as_json:
            click.echo(summary.dumps(summary.built(result)))
        elif not quiet:
            _echo_summary(result)


def _run(options: BuildOptions, report: Report, debug: bool, as_json: bool = False) -> BuildResult:
    """The build, or the exit status and message of its failure."""
    pressed: list[bool] = []  # Ctrl-C was pressed during the build

    def fail(status: int, reason: str, diagnostics: list | None = None) -> None:
        if as_json:
            click.echo(summary.dumps(summary.failed(status, diagnostics or [], reason)))
        click.echo(reason, err=True)
        sys.exit(status)

    try:
        with _noting_ctrl_c(pressed):
            return build(options, report)
    except BrochureError as exc:
        shown_diagnostics = [*report.diagnostics,
                             *(d for d in exc.diagnostics if d not in report.diagnostics)]
        findings.echo(shown_diagnostics)
        if isinstance(exc, BrokenOutput):  # an output breaks a promise, no input explains it
            fail(EXIT_INTERNAL, "internal error: the outputs were checked and found broken; "
                                "build failed; no output was changed", shown_diagnostics)
        fail(EXIT_FAILED, "build failed; no output was changed", shown_diagnostics)
    except KeyboardInterrupt as exc:
        fail(EXIT_INTERRUPTED, _interrupted(exc))
    except Exception as exc:
        if pressed:  # a library caught the Ctrl-C and raised an error of its own instead
            fail(EXIT_INTERRUPTED, _interrupted(exc))
        # A bug of brochure's, not the user's.
        if debug:
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        fail(EXIT_INTERNAL, "build failed; no output was changed (run with --debug for details)")
    raise AssertionError("unreachable")  # every branch above returns or exits


@main.command("check")
@click.argument("manuscript", default="manuscript",
                type=click.Path(path_type=Path, exists=False))
@functools.partial(setting_options, leave_out=("formats",))  # --format is the findings' here
@click.option("--styles", "styles_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of stylesheets, as for build.")
@click.option("--outputs", "with_outputs", is_flag=True,
              help="Check the built files too: EPUBCheck with usage messages, DAISY Ace where "
                   "installed, the PDFs' fonts, boxes and links.")
@click.option("--out", "out_dir", default="dist", show_default=True,
              type=click.Path(path_type=Path), help="Where the built files are (--outputs).")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: one JSON object per finding, one per line.")
def check_command(manuscript: Path, styles_dir: Path | None, with_outputs: bool, out_dir: Path,
                  strict: bool, output_format: str, **settings: Any) -> None:
    """Check MANUSCRIPT before print, without building it.

    Each finding is printed as path:line:col: error|warning|note: message, with a hint.
    Exit statuses: 0 no error (and no warning, with --strict); 1 errors found (or warnings,
    with --strict); 2 the command line is wrong; 70 an internal error; 130 interrupted.
    """
    from brochure.loop.check import check, show  # the outputs' checks read PDFs: pikepdf

    chosen = {name: value for name, value in settings.items() if value not in (None, ())}
    options = BuildOptions(manuscript, out_dir, styles_dir, settings=chosen)
    try:
        result = check(options, with_outputs)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    show(result, output_format)
    sys.exit(EXIT_FAILED if result.failed(strict) else 0)


@main.command("serve")
@click.argument("manuscript", default="manuscript",
                type=click.Path(path_type=Path, exists=True))
@setting_options
@click.option("--styles", "styles_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of stylesheets, as for build.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on. Another than this machine's own shows the book to "
                   "anyone who can reach it.")
@click.option("--port", default=8800, show_default=True, type=click.IntRange(0, 65535),
              help="Port to serve on (0: any free one).")
def serve_command(manuscript: Path, styles_dir: Path | None, host: str, port: int,
                  **settings: Any) -> None:
    """Preview MANUSCRIPT in a browser, rebuilt on every save: the ebook beside the pages.

    Nothing is written: `brochure build` writes the files. Ctrl-C stops.
    """
    # Ctrl-C (or SIGTERM) is how the server stops, from now on: "stopped", exit status 0.
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.default_int_handler)
    chosen = {name: value for name, value in settings.items() if value not in (None, ())}
    chosen.setdefault("formats", ("epub", "pdf"))  # what the page shows, whatever book.yaml makes
    try:
        from brochure.preview.serve import serve  # the server's libraries, for this command only

        serve(BuildOptions(manuscript, settings=chosen), host, port)
    except KeyboardInterrupt:  # before the server started: nothing ran yet
        click.echo("stopped", err=True)
    except BrochureError as exc:
        findings.echo(exc.diagnostics)
        sys.exit(EXIT_FAILED)


@main.command("new")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--lang", default="en", show_default=True,
              help="The book's language; book.yaml is explained in it "
                   f"({', '.join(new.languages())}; others in English).")
@click.option("--title", help="The book's title.")
@click.option("--styles", "copy_styles", is_flag=True,
              help="Copy brochure's stylesheets and fonts into FOLDER/styles, to edit.")
def new_command(folder: Path, lang: str, title: str | None, copy_styles: bool) -> None:
    """Start a book in FOLDER (new or empty): a manuscript that builds at once."""
    try:
        created = new.create(folder, lang, title, copy_styles)
    except BrochureError as exc:
        findings.echo(exc.diagnostics)
        sys.exit(EXIT_FAILED)
    for path in created.files:
        click.echo(f"wrote {path}{'/' if path.is_dir() else ''}")
    click.echo(f"next: cd {created.project} && brochure build   "
               "(or brochure serve, to see it as you write)")


def _interrupted(exc: BaseException) -> str:
    """What an interruption left: nothing changed, or the new outputs, whole."""
    published = exc.published if isinstance(exc, InterruptedAfterPublishing) else []
    if published:
        return (f"interrupted once the outputs were written: {', '.join(map(str, published))} "
                "are new and whole")
    return "interrupted; no output was changed"


def _echo_summary(result: BuildResult) -> None:
    notes = f"{result.notes} note{'s' if result.notes != 1 else ''}"
    for fmt, path in result.outputs.items():
        details = [*result.details.get(fmt.value, ()), f"{result.sizes[fmt] / 1024:.0f} KiB", notes]
        if fmt == "pdf" and result.pages is not None:
            details.insert(0, f"{result.pages} page{'s' if result.pages != 1 else ''}")
        verb = "kept" if result.reused else "wrote"
        click.echo(f"{verb} {shown_path(path)} ({', '.join(details)})")
    if result.reused:
        click.echo(f"nothing changed since the previous build: its outputs were verified and "
                   f"kept ({result.seconds:.2f} s; --no-cache builds anyway)")
        return
    if result.why:
        click.echo(f"built again: {result.why}")
    if result.unrecorded:
        click.echo(f"not recorded for the next build: {result.unrecorded}")
    recalled = [RECALLED[kind].format(found=found, needed=needed)
                for kind, (found, needed) in result.recalled.items() if found]
    if recalled:
        click.echo(f"reused from earlier builds: {', '.join(recalled)}")
    click.echo(f"built in {result.seconds:.1f} s")
