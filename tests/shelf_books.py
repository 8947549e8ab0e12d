"""Small shelves for the tests: books written out as a user would, and the command run on them."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import EPOCH

from brochure.runtime.build import BuildOptions
from brochure.shelf.console import Console, build_books


def write_book(folder: Path, title: str, lang: str = "en", chapters: int = 2,
               extra_yaml: str = "", author: str = "Ada Lovelace") -> Path:
    """A book of ``chapters`` short chapters, each with a note."""
    folder.mkdir(parents=True)
    names = []
    for number in range(1, chapters + 1):
        name = f"{number:02}.md"
        (folder / name).write_text(
            f"# Chapter {number} of {title}\n\nThe text of chapter {number}, which says a little "
            f"about the press.[^n{number}]\n\n[^n{number}]: A note of chapter {number}.\n",
            encoding="utf-8")
        names.append(name)
    listed = "".join(f"  - {name}\n" for name in names)
    (folder / "book.yaml").write_text(
        f'title: "{title}"\nauthor: {author}\nlang: {lang}\ndate: 2021-03-04\n'
        f"description: What {title} is about.\nsubject: [Politics, Print]\n"
        f"chapters:\n{listed}{extra_yaml}", encoding="utf-8")
    return folder


def brochure(*args: str | Path, cwd: Path | None = None,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command, as a user runs it (SOURCE_DATE_EPOCH set, the tests' cache folder)."""
    environment = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})}
    return subprocess.run([sys.executable, "-m", "brochure", *map(str, args)], cwd=cwd,
                          env=environment, capture_output=True, text=True, timeout=600)


@dataclass
class Said:
    """What ``build_books`` said and returned, run in this process."""

    status: int
    stdout: str
    stderr: str


def build_in_process(*arguments: Path, out: Path, cluster: str | None = None, jobs: int | None = None,
                     **options: Any) -> Said:
    """``brochure build ARGUMENTS --out OUT`` without starting a process for the command."""
    out_lines: list[str] = []
    err_lines: list[str] = []
    console = Console(out_lines.append, err_lines.append)
    status = build_books(arguments, BuildOptions(arguments[0], out, **options), cluster, jobs, console)
    return Said(status, "\n".join(out_lines) + "\n", "\n".join(err_lines) + "\n")


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}
