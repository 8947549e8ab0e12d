"""The ``brochure`` command."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

import click

from brochure import __version__
from brochure.build import FORMATS, BuildOptions, build
from brochure.diagnostics import BrochureError, Report
from brochure.paper import parse_trim
from brochure.sandbox import Limits
from brochure.settings import NOTE_NUMBERINGS, NOTES_PLACEMENTS, PRINT_NOTES

# What the build summary calls each kind of result kept from earlier builds (memo.py).
RECALLED = {"markdown": "the Markdown of {found} of {needed} chapters",
            "font-subset": "{found} of {needed} font subsets of the EPUB"}


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
@click.argument("manuscript", default="manuscript",
                type=click.Path(path_type=Path, exists=False))
@click.option("--out", "out_dir", default="dist", show_default=True,
              type=click.Path(path_type=Path),
              help="Folder to write the outputs to.")
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS),
              help="Output format; repeat for several. Default: book.yaml's 'formats', "
                   "else epub and pdf.")
@click.option("--trim", help="Page size (A5, A6, A4, letter, half-letter, WIDTHxHEIGHTmm); "
                             "overrides book.yaml.")
@click.option("--print", "print_mode", type=click.Choice(("office", "shop")),
              help="'shop': bleed, crop marks and PDF/X for a print shop; overrides book.yaml.")
@click.option("--styles", "styles_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of stylesheets. Default: styles/ beside the manuscript, "
                   "else brochure's own.")
@click.option("--notes", "notes", type=click.Choice(NOTES_PLACEMENTS),
              help="Where the notes go: one section at the end of the book, or at the end of "
                   "each chapter. Overrides 'notes:' in book.yaml.")
@click.option("--print-notes", "print_notes", type=click.Choice(PRINT_NOTES),
              help="In the PDF only: endnotes (placed as --notes says) or footnotes at the foot "
                   "of the page. Overrides 'print-notes:' in book.yaml.")
@click.option("--note-numbering", "note_numbering", type=click.Choice(NOTE_NUMBERINGS),
              help="Number notes through the book, or from 1 in each chapter. Overrides "
                   "'note-numbering:' in book.yaml.")
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
def build_command(manuscript: Path, out_dir: Path, formats: tuple[str, ...], trim: str | None,
                  print_mode: str | None, styles_dir: Path | None, notes: str | None,
                  print_notes: str | None, note_numbering: str | None, check: bool,
                  time_limit: float | None, memory_limit: int | None, no_cache: bool,
                  debug: bool) -> None:
    """Build MANUSCRIPT (a folder with book.yaml, or a .md file) into DIR."""
    report = Report()
    overrides = {"print_mode": print_mode, "notes": notes, "print_notes": print_notes,
                 "note_numbering": note_numbering}
    if trim:
        try:
            overrides["trim"] = parse_trim(trim, "--trim")
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--trim") from None
    options = BuildOptions(manuscript, out_dir, formats, styles_dir, check,
                           {k: v for k, v in overrides.items() if v is not None},
                           limits=Limits.scaled(time_limit, memory_limit), cache=not no_cache)
    pressed: list[bool] = []  # Ctrl-C was pressed during the build
    try:
        with _noting_ctrl_c(pressed):
            result = build(options, report)
    except BrochureError as exc:
        _echo_diagnostics(report)
        for diagnostic in exc.diagnostics:
            if diagnostic not in report.diagnostics:
                click.echo(str(diagnostic), err=True)
        click.echo("build failed; no output was changed", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted; no output was changed", err=True)
        sys.exit(130)
    except Exception as exc:
        if pressed:  # a library caught the Ctrl-C and raised an error of its own instead
            click.echo("interrupted; no output was changed", err=True)
            sys.exit(130)
        # A bug of brochure's, not the user's.
        if debug:
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("build failed; no output was changed (run with --debug for details)", err=True)
        sys.exit(2)
    _echo_diagnostics(report)
    notes = f"{result.notes} note{'s' if result.notes != 1 else ''}"
    for fmt, path in result.outputs.items():
        details = [*result.details.get(fmt, ()), f"{result.sizes[fmt] / 1024:.0f} KiB", notes]
        if fmt == "pdf" and result.pages is not None:
            details.insert(0, f"{result.pages} page{'s' if result.pages != 1 else ''}")
        verb = "kept" if result.reused else "wrote"
        click.echo(f"{verb} {path} ({', '.join(details)})")
    if result.reused:
        click.echo(f"nothing changed since the previous build: its outputs were verified and "
                   f"kept ({result.seconds:.2f} s; --no-cache builds anyway)")
    else:
        recalled = [RECALLED[kind].format(found=found, needed=needed)
                    for kind, (found, needed) in result.recalled.items() if found]
        if recalled:
            click.echo(f"reused from earlier builds: {', '.join(recalled)}")
        click.echo(f"built in {result.seconds:.1f} s")
