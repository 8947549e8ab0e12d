"""Time and peak memory of each build stage, on a manuscript with many notes.

    nice .venv/bin/python benchmarks/notes_scale.py ../shared/corpus/pepys-diary --notes book
    nice .venv/bin/python benchmarks/notes_scale.py BOOK --print-notes footnotes --check --out DIR

Prints one line per stage: seconds, and the peak resident memory of the process so far
(``ru_maxrss``, so a stage that raises it is the one that needed it). The figures for the
corpus are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import sys
import time
from pathlib import Path

from brochure.core.clock import build_time
from brochure.core.diagnostics import Report
from brochure.core.model import notes_layout
from brochure.epub.epubcheck import check_epub
from brochure.epub.write import write_epub
from brochure.manuscript.read import read_manuscript
from brochure.pdf.write import write_pdf
from brochure.render.document import render_book
from brochure.runtime.build import book_of


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stages:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []

    def run(self, name: str, function, *args):
        started = time.perf_counter()
        result = function(*args)
        self.rows.append((name, time.perf_counter() - started, peak_mib()))
        print(f"{name:<14} {self.rows[-1][1]:8.1f} s {self.rows[-1][2]:8.0f} MiB", flush=True)
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manuscript", type=Path)
    parser.add_argument("--notes", choices=("book", "chapter"))
    parser.add_argument("--print-notes", choices=("endnotes", "footnotes"))
    parser.add_argument("--note-numbering", choices=("book", "chapter"))
    parser.add_argument("--format", action="append", choices=("epub", "pdf"))
    parser.add_argument("--check", action="store_true", help="run EPUBCheck on the EPUB")
    parser.add_argument("--out", type=Path, help="keep the outputs in this folder")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    formats = args.format or ["epub", "pdf"]

    stages = Stages()
    report = Report()
    manuscript = stages.run("read", read_manuscript, args.manuscript, report)
    overrides = {"notes": args.notes, "print_notes": args.print_notes,
                 "note_numbering": args.note_numbering}
    manuscript = dataclasses.replace(manuscript, settings=manuscript.settings.overridden(overrides))
    book = stages.run("assemble", book_of, manuscript, report)
    rendering = stages.run("render", render_book, book, notes_layout(book.settings, paged=False))
    built = build_time(book.metadata)
    outputs = {}
    if "epub" in formats:
        outputs["epub"] = stages.run("write_epub", write_epub, rendering, built)
    if "pdf" in formats:
        if notes_layout(book.settings, paged=True) != rendering.notes:
            rendering = stages.run("render_pdf", render_book, book, notes_layout(book.settings, paged=True))
        outputs["pdf"] = stages.run("write_pdf", write_pdf, rendering, built)
    for fmt, written in outputs.items():
        for diagnostic in written.diagnostics:
            if diagnostic.level == "error":
                print(f"{fmt}: {diagnostic}")
    words = sum(len(s.text.split()) for s in manuscript.sources)
    print(f"{len(book.notes)} notes, {len(book.chapters)} chapters, {words} words of Markdown"
          + (f", {outputs['pdf'].pages} pages" if "pdf" in outputs else ""))
    total = sum(seconds for _, seconds, _ in stages.rows)
    print(f"total {total:.1f} s, peak {peak_mib():.0f} MiB")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for fmt, written in outputs.items():
            (args.out / f"book.{fmt}").write_bytes(written.data)
    if args.check and "epub" in outputs:
        messages = stages.run("epubcheck", check_epub, outputs["epub"].data)
        errors = sum(m.level == "error" for m in messages)
        print(f"EPUBCheck: {errors} errors, {len(messages) - errors} warnings")
        for message in messages[:20]:
            print(f"  {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
