"""Benchmarks: brochure's stages, side by side with pandoc and with WeasyPrint alone.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/run.py                 # seed, corpus books, a generated book
    .venv/bin/python benchmarks/run.py --scaling       # the generated book at 1x, 4x, 16x

Every measurement runs in a fresh process; times are wall-clock seconds, memory the peak of
the process tree's summed proportional set size (see ``run_child``). Each figure is the
median over --repeat runs, with the range.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

STAGES = ("read", "assemble", "render", "epub", "pdf", "verify", "publish")


@dataclass
class Runs:
    """Repeated samples of named figures."""

    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, value: float) -> None:
        self.samples.setdefault(name, []).append(value)

    def median(self, name: str) -> float | None:
        values = self.samples.get(name)
        return statistics.median(values) if values else None

    def cell(self, name: str, unit: str = "s") -> str:
        values = self.samples.get(name)
        if not values:
            return "–"
        fmt = (lambda v: f"{v:.2f}") if unit == "s" else (lambda v: f"{v:.0f}")
        if len(values) == 1:
            return fmt(values[0])
        return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def run_child(args: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak memory (KiB) and stdout of a command. The memory is the peak, sampled
    every 0.1 s, of the proportional set size summed over the command's process tree (a long
    book's PDF is laid out by several processes at once; shared pages count once), or the
    largest single process's peak RSS if that is higher (a peak shorter than a sample)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.PIPE, env=env)
        tree_peak = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            tree_peak = max(tree_peak, sum(_pss_kib(member) for member in _tree(process.pid)))
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read().decode() if process.stderr else ""
        if process.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {stderr[-2000:]}")
        out.seek(0)
        return seconds, max(usage.ru_maxrss, tree_peak), out.read().decode()


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    members = [pid]
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                for child in children.read().split():
                    members += _tree(int(child))
    return members


def _pss_kib(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def chapter_files(manuscript: Path) -> list[Path]:
    meta = yaml.safe_load((manuscript / "book.yaml").read_text())
    if meta.get("chapters"):
        return [manuscript / name for name in meta["chapters"]]
    return sorted(p for p in manuscript.glob("*.md") if p.name.lower() != "readme.md")


def measure_input(name: str, manuscript: Path, repeat: int, peers: bool) -> dict:
    runs = Runs()
    python = sys.executable
    brochure = str(Path(python).parent / "brochure")
    for _ in range(repeat):
        # Each repetition its own cache folder: the first build is a first build (no chapter's
        # Markdown or font subset from an earlier run), the next ones reuse what it kept.
        with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as home:
            env = dict(os.environ, XDG_CACHE_HOME=home)
            wall, rss, stdout = run_child([python, str(HERE / "measure.py"), "brochure",
                                           str(manuscript), out], env)
            data = json.loads(stdout)
            for stage in STAGES:
                runs.add(stage, data["seconds"].get(stage, 0.0))
            runs.add("build", data["total"])
            runs.add("process", wall)
            runs.add("peak_mib", rss / 1024)
            pages, notes = data["pages"], data["notes"]
            # The same build again, as a user runs it: nothing changed, so nothing is redone.
            wall, _, stdout = run_child([brochure, "build", str(manuscript), "--out", out], env)
            if "nothing changed" not in stdout:
                raise RuntimeError(f"the unchanged rebuild built again:\n{stdout}")
            runs.add("rebuild", wall)
            # One chapter edited: its Markdown converted again, the others' reused.
            edited = Path(home) / "edited"
            shutil.copytree(manuscript, edited)
            last = chapter_files(edited)[-1]
            last.write_text(last.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
            wall, _, stdout = run_child([brochure, "build", str(edited), "--out", out], env)
            if "reused from earlier builds" not in stdout:
                raise RuntimeError(f"the build after an edit reused nothing:\n{stdout}")
            runs.add("edited", wall)
        _, _, stdout = run_child([python, str(HERE / "measure.py"), "floor", str(manuscript)])
        floor = json.loads(stdout)
        if floor["pages"] != pages:  # not the same work: the comparison would mean nothing
            raise RuntimeError(f"{name}: the floor made {floor['pages']} pages, brochure {pages}")
        runs.add("floor", floor["seconds"]["floor"])
        runs.add("floor_mib", floor["peak_rss_kib"]["floor"] / 1024)
        if peers:
            measure_pandoc(manuscript, runs)
    return {"name": name, "pages": pages, "notes": notes, "runs": runs}


def measure_pandoc(manuscript: Path, runs: Runs) -> None:
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    files = [str(p) for p in chapter_files(manuscript)]
    meta = ["--metadata-file", str(manuscript / "book.yaml")]
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    with tempfile.TemporaryDirectory() as out:
        seconds, rss, _ = run_child([pandoc, "-f", "markdown", *meta, *files, "-o",
                                     f"{out}/book.epub"], env)
        runs.add("pandoc_epub", seconds)
        seconds, rss2, _ = run_child([pandoc, "-f", "markdown", *meta, *files, "-t", "html5",
                                      "--pdf-engine=weasyprint", "-o", f"{out}/book.pdf"], env)
        runs.add("pandoc_pdf", seconds)
        runs.add("pandoc_peak_mib", max(rss, rss2) / 1024)


def inputs(args: argparse.Namespace, work: Path) -> list[tuple[str, Path]]:
    chosen = [("seed article", ROOT / "manuscript")] if args.seed else []
    for book in ("communist-manifesto", "mutual-aid", "pepys-diary"):
        if (CORPUS / book).is_dir() and book in args.books:
            chosen.append((book, CORPUS / book))
    if args.words:
        chosen.append((f"generated {args.words:,} words",
                       generate(work / "generated", args.chapters, args.words, args.notes)))
    return chosen


def table(results: list[dict], peers: bool) -> str:
    head = ["input", "pages", "notes", *STAGES, "build", "peak MiB", "rebuild", "edited",
            "floor", "pdf/floor", "floor MiB"]
    if peers:
        head += ["pandoc epub", "pandoc pdf", "pandoc MiB", "epub vs pandoc", "build vs pandoc"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        runs: Runs = r["runs"]
        row = [r["name"], str(r["pages"]), str(r["notes"]), *(runs.cell(s) for s in STAGES),
               runs.cell("build"), runs.cell("peak_mib", "MiB"), runs.cell("rebuild"),
               runs.cell("edited"), runs.cell("floor"),
               _ratio(runs.median("pdf"), runs.median("floor")), runs.cell("floor_mib", "MiB")]
        if peers:
            both = (runs.median("pandoc_epub") or 0) + (runs.median("pandoc_pdf") or 0)
            row += [runs.cell("pandoc_epub"), runs.cell("pandoc_pdf"),
                    runs.cell("pandoc_peak_mib", "MiB"),
                    _ratio(runs.median("epub"), runs.median("pandoc_epub")),
                    _ratio(runs.median("build"), both)]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "–"


def scaling(args: argparse.Namespace, work: Path) -> str:
    """Exponent of time against pages for each stage, from the generated book at 1x, 4x, 16x."""
    points = []
    for factor in (1, 4, 16):
        words = args.scale_words * factor
        book = generate(work / f"scale-{factor}", max(1, args.chapters * factor // 16), words,
                        args.notes * words // max(1, args.words or 300_000))
        result = measure_input(f"{factor}x", book, args.repeat, peers=False)
        points.append(result)
    # The fit over all points, and between the two largest alone: a constant cost (starting
    # WeasyPrint, subsetting fonts) flattens the fit, while the last step shows how it grows.
    lines = ["| stage | " + " | ".join(f"{p['name']} ({p['pages']} p.)" for p in points)
             + " | exponent (fit) | exponent (last step) |", "|---|" + "---|" * (len(points) + 2)]
    for stage in (*STAGES, "build", "floor"):
        times = [p["runs"].median(stage) or 0 for p in points]
        pages = [p["pages"] for p in points]
        lines.append(f"| {stage} | " + " | ".join(f"{t:.2f}" for t in times)
                     + f" | {_exponent(pages, times)} | {_exponent(pages[-2:], times[-2:])} |")
    return "\n".join(lines)


def _exponent(xs: list[float], ys: list[float]) -> str:
    pairs = [(math.log(x), math.log(y)) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0.005]
    if len(pairs) < 2:
        return "–"
    mx = statistics.mean(p[0] for p in pairs)
    my = statistics.mean(p[1] for p in pairs)
    slope = sum((x - mx) * (y - my) for x, y in pairs) / sum((x - mx) ** 2 for x, _ in pairs)
    return f"{slope:.2f}"


def machine() -> str:
    import platform

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--books", default="communist-manifesto,mutual-aid,pepys-diary",
                        help="corpus books to include (comma-separated), when ../shared/corpus exists")
    parser.add_argument("--words", type=int, default=300_000, help="generated book size (0: none)")
    parser.add_argument("--chapters", type=int, default=80)
    parser.add_argument("--notes", type=int, default=3_000)
    parser.add_argument("--no-peers", dest="peers", action="store_false", help="skip pandoc")
    parser.add_argument("--no-seed", dest="seed", action="store_false",
                        help="leave out the seed article")
    parser.add_argument("--scaling", action="store_true", help="only the scaling run")
    parser.add_argument("--scale-words", type=int, default=15_000)
    args = parser.parse_args()
    args.books = args.books.split(",")
    print(f"machine: {machine()}; load average at the start: {os.getloadavg()[0]:.1f}\n")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if args.scaling:
            print(scaling(args, work))
            return
        results = []
        for name, manuscript in inputs(args, work):
            print(f"measuring {name} ...", file=sys.stderr, flush=True)
            results.append(measure_input(name, manuscript, args.repeat, args.peers))
        print(table(results, args.peers))
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
