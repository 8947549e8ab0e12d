"""The ``brochure`` command.

Exit statuses: 0 built; 1 the build failed because of its input or environment (the messages
say where); 2 the command line itself is wrong; 70 an internal error (a bug of brochure's);
130 interrupted.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from brochure import __version__
from brochure.core.diagnostics import BrochureError, Report
from brochure.core.sandbox import Limits
from brochure.core.settings import Declaration, declarations
from brochure.runtime.build import BuildOptions, BuildResult, build
from brochure.shelf.catalogue import is_shelf
from brochure.shelf.console import Console, build_books

EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 1, 2, 70, 130

# What the build summary calls each kind of result kept from earlier builds (memo.py).
RECALLED = {"markdown": "the Markdown of {found} of {needed} chapters",
            "font-subset": "{found} of {needed} font subsets of the EPUB"}


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


def setting_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The command-line options of every setting declared with one (core/settings.py)."""
    for declaration in reversed(declarations()):
        if declaration.option is None:
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
    """Record a Ctrl-C before it interrupts, so that it is reported as one whatever it
    becomes on its way up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        pressed.append(True)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _echo_diagnostics(report: Report) -> None:
    for diagnostic in report.diagnostics:
        click.echo(str(diagnostic), err=True)


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
                   "Default: 60 and 600.")
@click.option("--memory-limit", type=click.IntRange(min=16), metavar="MIB",
              help="Most memory the Markdown stage and the PDF rendering may add. "
                   "Default: 1024 and 3072.")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Build even if nothing changed since the previous build into DIR.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.option("--jobs", type=click.IntRange(min=1), metavar="N",
              help="Books built at once on this machine. Default: one a core.")
@click.option("--cluster", metavar="ADDRESS",
              help="Build on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:8786); "
                   "needs brochure[cluster].")
def build_command(manuscripts: tuple[Path, ...], out_dir: Path, styles_dir: Path | None,
                  check: bool, time_limit: float | None, memory_limit: int | None,
                  no_cache: bool, debug: bool, jobs: int | None, cluster: str | None,
                  **settings: Any) -> None:
    """Build MANUSCRIPT (a folder with book.yaml, or a .md file) into DIR; or several, or a
    SHELF (a folder of manuscripts), each into a folder of its own with the shelf's
    catalogues and page at the top of DIR."""
    chosen = {name: value for name, value in settings.items() if value not in (None, ())}
    manuscript = manuscripts[0] if manuscripts else Path("manuscript")
    options = BuildOptions(manuscript, out_dir, styles_dir, check, chosen,
                           limits=Limits.scaled(time_limit, memory_limit), cache=not no_cache)
    if cluster or len(manuscripts) > 1 or is_shelf(manuscript):
        console = Console(click.echo, lambda line: click.echo(line, err=True), debug)
        sys.exit(build_books(manuscripts or (manuscript,), options, cluster, jobs, console))
    report = Report()
    result = _run(options, report, debug)
    _echo_diagnostics(report)
    _echo_summary(result)


def _run(options: BuildOptions, report: Report, debug: bool) -> BuildResult:
    """The build, or the exit status and message of its failure."""
    pressed: list[bool] = []  # Ctrl-C was pressed during the build
    try:
        with _noting_ctrl_c(pressed):
            return build(options, report)
    except BrochureError as exc:
        _echo_diagnostics(report)
        for diagnostic in exc.diagnostics:
            if diagnostic not in report.diagnostics:
                click.echo(str(diagnostic), err=True)
        click.echo("build failed; no output was changed", err=True)
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        click.echo("interrupted; no output was changed", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:
        if pressed:  # a library caught the Ctrl-C and raised an error of its own instead
            click.echo("interrupted; no output was changed", err=True)
            sys.exit(EXIT_INTERRUPTED)
        # A bug of brochure's, not the user's.
        if debug:
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("build failed; no output was changed (run with --debug for details)", err=True)
        sys.exit(EXIT_INTERNAL)


def _echo_summary(result: BuildResult) -> None:
    notes = f"{result.notes} note{'s' if result.notes != 1 else ''}"
    for fmt, path in result.outputs.items():
        details = [*result.details.get(fmt.value, ()), f"{result.sizes[fmt] / 1024:.0f} KiB", notes]
        if fmt == "pdf" and result.pages is not None:
            details.insert(0, f"{result.pages} page{'s' if result.pages != 1 else ''}")
        verb = "kept" if result.reused else "wrote"
        click.echo(f"{verb} {path} ({', '.join(details)})")
    if result.reused:
        click.echo(f"nothing changed since the previous build: its outputs were verified and "
                   f"kept ({result.seconds:.2f} s; --no-cache builds anyway)")
        return
    recalled = [RECALLED[kind].format(found=found, needed=needed)
                for kind, (found, needed) in result.recalled.items() if found]
    if recalled:
        click.echo(f"reused from earlier builds: {', '.join(recalled)}")
    click.echo(f"built in {result.seconds:.1f} s")
