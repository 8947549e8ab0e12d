"""Same input, same bytes, as a class: each book built twice, each time in a fresh process with
``--no-cache``, gives identical EPUB, PDF and booklet, in every note mode, for the office and
the print shop, laid out in one piece and in parts, with and without SOURCE_DATE_EPOCH; and no
output carries a per-run mark, the clock or an absolute path.

The default suite builds the two-chapter book in parts (its threshold lowered, as
test_parallel_pdf.py does) without SOURCE_DATE_EPOCH; ``pytest -m slow`` builds the matrix.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from conftest import EPOCH, FIXTURES, ROOT
from fontTools.misc.timeTools import timestampToString
from fontTools.ttLib import TTFont

CORPUS = ROOT / "tests" / "corpus"
BOOKS = {
    "two-chapters": FIXTURES / "two-chapters",
    "manifesto": FIXTURES / "manifesto",
    "essay": ROOT / "manuscript",
    "communist-manifesto": CORPUS / "communist-manifesto",
    "mutual-aid": CORPUS / "mutual-aid",
}
MODES = {
    "book": (),
    "chapter": ("--notes", "chapter"),
    "footnotes": ("--print-notes", "footnotes"),
    "numbering": ("--note-numbering", "chapter"),
}
# The build, in a fresh interpreter, with the PDF laid out as asked: in parts (the threshold
# lowered, two cores assumed) or in one piece; the PDF's worker is forked from it.
RUNNER = """
import sys
from brochure.pdf import parts
layout = sys.argv[1]
if layout == "parts":
    parts.MIN_SOURCE_BYTES = 0
    parts.usable_cores = lambda: 2
elif layout == "one-piece":
    parts.MIN_SOURCE_BYTES = 10 ** 12
from brochure.cli import main
sys.argv = ["brochure", *sys.argv[2:]]
main()
"""


@dataclass(frozen=True)
class Case:
    book: str
    mode: str = "book"
    shop: bool = False
    layout: str = "natural"  # natural: as brochure chooses; parts; one-piece
    epoch: bool = False  # SOURCE_DATE_EPOCH set

    def __str__(self) -> str:
        return "-".join([self.book, self.mode, "shop" if self.shop else "office", self.layout,
                         "epoch" if self.epoch else "no-epoch"])


def build(case: Case, out: Path, cwd: Path) -> tuple[dict[str, bytes], str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    if case.epoch:
        env["SOURCE_DATE_EPOCH"] = EPOCH
    args = [sys.executable, "-c", RUNNER, case.layout, "build", str(BOOKS[case.book]),
            "--out", str(out), "--no-cache", "--format", "epub", "--format", "pdf",
            "--format", "booklet", *MODES[case.mode], *(("--print", "shop") if case.shop else ())]
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return {path.suffix + ("-booklet" if "booklet" in path.name else ""): path.read_bytes()
            for path in sorted(out.iterdir())}, done.stdout


def _today() -> set[str]:
    """Today's date as outputs could write it (local time and UTC, yesterday too, for a run
    across midnight)."""
    forms = set()
    now = dt.datetime.now(dt.UTC)
    for day in {now.date(), now.astimezone().date(), (now - dt.timedelta(days=1)).date()}:
        y, m, d = day.year, day.month, day.day
        forms |= {f"{y}-{m:02}-{d:02}", f"{y}{m:02}{d:02}", f"{d:02}/{m:02}/{y}",
                  f"{m:02}/{d:02}/{y}", f"{y}/{m:02}/{d:02}"}
    return forms


def _texts(name: str, data: bytes) -> list[tuple[str, bytes]]:
    """What can be read in an output: each EPUB entry, the PDF with its streams uncompressed."""
    if name == ".epub":
        with zipfile.ZipFile(io.BytesIO(data)) as epub:
            return [(entry, epub.read(entry)) for entry in epub.namelist()]
    flat = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(flat, qdf=True, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                 compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.generalized)
    return [(name, flat.getvalue())]


def _fonts(name: str, data: bytes) -> list[tuple[str, bytes]]:
    """Every font program an output carries."""
    if name == ".epub":
        with zipfile.ZipFile(io.BytesIO(data)) as epub:
            return [(entry, epub.read(entry)) for entry in epub.namelist()
                    if entry.endswith((".ttf", ".otf"))]
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                program = obj.get("/FontFile2")
                if program is not None:
                    found.append((str(obj.FontName), program.read_bytes()))
    return found


def leaks(outputs: dict[str, bytes], places: list[Path]) -> list[str]:
    """Per-run marks, clock values and absolute paths found in the outputs."""
    found = []
    paths = {str(place) for place in places} | {"/tmp/"}
    if os.environ.get("HOME", "/") != "/":
        paths.add(os.environ["HOME"] + "/")
    clock = _today()
    for name, data in outputs.items():
        for part, text in _texts(name, data):
            if b"data-brochure" in text:
                found.append(f"{name} {part}: per-run mark")
            found += [f"{name} {part}: path {path}" for path in paths if path.encode() in text]
            found += [f"{name} {part}: date {day}" for day in clock if day.encode() in text]
        if name == ".epub":
            with zipfile.ZipFile(io.BytesIO(data)) as epub:
                stamps = {info.date_time[:3] for info in epub.infolist()}
            found += [f"{name}: zip entries dated {stamp}" for stamp in stamps
                      if dt.date(*stamp).isoformat() in clock]
        for font, program in _fonts(name, data):
            modified = timestampToString(TTFont(io.BytesIO(program))["head"].modified)
            stamp = dt.datetime.strptime(modified, "%a %b %d %H:%M:%S %Y").date()
            if stamp.isoformat() in clock:
                found.append(f"{name} {font}: head.modified {stamp}")
    return found


def check_reproducible(case: Case, folder: Path) -> str:
    """Two builds of ``case`` from different working directories: equal, and clean."""
    (folder / "a").mkdir()
    (folder / "b").mkdir()
    first, said = build(case, folder / "a" / "out", folder / "a")
    second, _ = build(case, folder / "b" / "out", folder / "b")
    assert sorted(first) == [".epub", ".pdf", ".pdf-booklet"]
    assert [name for name in first if first[name] != second[name]] == []
    assert leaks(first, [folder, ROOT, BOOKS[case.book].resolve()]) == []
    return said


def test_the_two_chapter_book_in_parts_is_reproducible_without_an_epoch(tmp_path):
    said = check_reproducible(Case("two-chapters", layout="parts"), tmp_path)
    assert "laid out in" in said  # the PDF was made in parts, fonts joined


def test_the_scan_finds_what_it_looks_for(tmp_path):
    today = dt.datetime.now(dt.UTC).date()
    stamped = {".epub": _zip({"EPUB/a.xhtml": f'<p data-brochure="x">{tmp_path}/b {today}</p>'})}
    found = leaks(stamped, [tmp_path])
    assert any("per-run mark" in f for f in found)
    assert any("path" in f for f in found)
    assert any("date" in f for f in found)


def _zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), text)
    return out.getvalue()


def _matrix() -> list[Case]:
    """Every book in every note mode; every book for the shop, in one piece and in parts; each
    with and without SOURCE_DATE_EPOCH (alternating, so that each gets both)."""
    cases = [Case(book, mode, epoch=index % 2 == 1)
             for book in BOOKS for index, mode in enumerate(MODES)]
    cases += [Case(book, "book", shop=True, layout=layout, epoch=epoch)
              for book in BOOKS for layout in ("one-piece", "parts") for epoch in (False, True)]
    cases += [Case(book, "book", layout="parts", epoch=True) for book in BOOKS]
    return cases


@pytest.mark.slow
@pytest.mark.parametrize("case", _matrix(), ids=str)
def test_every_book_mode_format_and_layout_is_reproducible(case, tmp_path):
    check_reproducible(case, tmp_path)
