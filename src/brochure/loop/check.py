"""``brochure check``: everything brochure can tell an author before print.

It runs the build's recipe up to the rendering (``runtime.build.checked``), so that every
diagnostic a stage reports (the manuscript's metadata, the notes, images, links, fonts, the
print shop's needs) is reported here with no code of its own; then the checks of lint.py,
which read what builds but reads badly; then, with ``outputs``, the built files (outputs.py).
Nothing is written.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from brochure.core import memo
from brochure.core.diagnostics import BrochureError, Diagnostic, Report
from brochure.core.model import Book, Manuscript
from brochure.loop.findings import as_json, echo, relative
from brochure.loop.lint import lint
from brochure.loop.outputs import check_outputs
from brochure.runtime.build import BuildOptions, checked, output_paths, read
from brochure.runtime.stopwatch import Stopwatch

# Exit statuses of ``brochure check`` (the command's docstring and the README say them too).
EXIT_CLEAN, EXIT_FOUND = 0, 1


@dataclass(frozen=True)
class Checked:
    findings: tuple[Diagnostic, ...]  # in the order of their files and lines
    chapters: int  # how many chapter files were read (0: the manuscript could not be read)
    seconds: float

    def failed(self, strict: bool) -> bool:
        """Errors fail a check; with ``strict``, warnings too (notes never do)."""
        levels = ("error", "warning") if strict else ("error",)
        return any(finding.level in levels for finding in self.findings)


def check(options: BuildOptions, outputs: bool = False) -> Checked:
    """The findings of the stages, of lint.py and, if asked, of the built files."""
    report = Report()
    watch = Stopwatch()
    manuscript: Manuscript | None = None
    book: Book | None = None
    try:
        with memo.active():  # the Markdown of chapters unchanged since a build or a check
            with watch.stage("read"):
                manuscript = read(options, report)
            book = checked(manuscript, report, watch, options.limits).book
    except BrochureError as exc:  # the stage stopped at its errors: they are findings
        report.diagnostics.extend(d for d in exc.diagnostics if d not in report.diagnostics)
    found = list(report.diagnostics)
    if manuscript is not None:
        with watch.stage("lint"):
            found += lint(manuscript, book)
        if outputs and book is not None:
            with watch.stage("outputs"):
                found += check_outputs(output_paths(options.out_dir, book, manuscript),
                                       book.settings)
    found = [relative(d) for d in dict.fromkeys(found)]
    return Checked(tuple(sorted(found, key=_place)),
                   len(manuscript.sources) if manuscript else 0, watch.total)


def _place(diagnostic: Diagnostic) -> tuple:
    """Files in name order, then lines and columns; findings with no place first."""
    where = diagnostic.location
    if where is None:
        return ("", 0, 0)
    return (str(where.path), where.line or 0, where.column or 0)


def counted(result: Checked) -> str:
    """``2 errors, 1 warning`` (notes are counted apart)."""
    parts = []
    for level in ("error", "warning", "note"):
        count = sum(1 for f in result.findings if f.level == level)
        if count or level != "note":
            parts.append(f"{count} {level}{'s' if count != 1 else ''}")
    return ", ".join(parts)


def show(result: Checked, output_format: str) -> None:
    """The findings on stdout (text, or one JSON object a line), and their count on stderr."""
    if output_format == "json":
        for finding in result.findings:
            print(json.dumps(as_json(finding), ensure_ascii=False))
        return
    echo(list(result.findings), sys.stdout)
    files = f"{result.chapters} chapter file{'s' if result.chapters != 1 else ''}"
    print(f"{counted(result)} in {files} ({result.seconds:.2f} s)", file=sys.stderr)
