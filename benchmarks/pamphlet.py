"""A pamphlet's first build, beside pandoc and WeasyPrint's own command in the same rounds.

    .venv/bin/python benchmarks/pamphlet.py                 # the seed essay and the Manifesto
    .venv/bin/python benchmarks/pamphlet.py --rounds 3 --books mutual-aid   # a long book

Every case is a command as a user runs it, in a fresh process, with an empty cache folder and
`--no-cache`: `brochure build --format epub`, `--format pdf`, and both formats; pandoc making
the EPUB, pandoc making the PDF through WeasyPrint (`--pdf-engine=weasyprint`), and
`weasyprint` on pandoc's standalone HTML of the same text (the floor of a PDF made from
Markdown with WeasyPrint). The cases run round-robin, each round starting when the machine is
quiet (if it becomes so within 20 s), so that every case sees the same load; the table gives
medians and ranges of wall time, and the ratios of the medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import chapter_files  # noqa: E402

BOOKS = {"seed": ("seed essay", ROOT / "manuscript"),
         "manifesto": ("Communist Manifesto", ROOT / "tests" / "corpus" / "communist-manifesto"),
         "mutual-aid": ("Mutual Aid", ROOT / "tests" / "corpus" / "mutual-aid")}


def cpu_busy(seconds: float) -> float:
    """The share of the machine's CPU time spent busy over ``seconds`` (/proc/stat)."""
    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def cases(book: Path, work: Path) -> dict[str, list[str]]:
    python = sys.executable
    bin_dir = Path(python).parent
    pandoc = _pandoc()
    files = [str(p) for p in chapter_files(book)]
    meta = ["--metadata-file", str(book / "book.yaml")]
    html = work / "pandoc.html"
    # pandoc's standalone HTML, made once: the input of WeasyPrint's own command.
    subprocess.run([pandoc, "-f", "markdown", *meta, *files, "-s", "-t", "html5", "-o", str(html)],
                   check=True, capture_output=True)
    build = [python, "-m", "brochure", "build", str(book), "--no-cache", "-q"]
    return {
        "brochure epub": [*build, "--out", str(work / "e"), "--format", "epub"],
        "brochure pdf": [*build, "--out", str(work / "p"), "--format", "pdf"],
        "brochure both": [*build, "--out", str(work / "b"), "--format", "epub", "--format", "pdf"],
        "pandoc epub": [pandoc, "-f", "markdown", *meta, *files, "-o", str(work / "book.epub")],
        "pandoc pdf": [pandoc, "-f", "markdown", *meta, *files, "-t", "html5",
                       "--pdf-engine=weasyprint", "-o", str(work / "book.pdf")],
        "weasyprint": [str(bin_dir / "weasyprint"), str(html), str(work / "floor.pdf")],
    }


def _pandoc() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def measure(book: Path, rounds: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        commands = cases(book, work)
        env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
        for command in commands.values():  # once, unmeasured: the files in the OS's cache
            subprocess.run(command, env=env, check=True, capture_output=True)
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, command in commands.items():
                cache = work / "cache"
                shutil.rmtree(cache, ignore_errors=True)
                waited = time.perf_counter()
                while cpu_busy(0.3) > 0.15 and time.perf_counter() - waited < 20:
                    pass
                started = time.perf_counter()
                subprocess.run(command, env=dict(env, XDG_CACHE_HOME=str(cache)), check=True,
                               capture_output=True)
                seconds[name].append(time.perf_counter() - started)
        return seconds


def cell(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def ratio(a: list[float], b: list[float]) -> str:
    return f"{statistics.median(a) / statistics.median(b):.2f}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--books", default="seed,manifesto")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start; "
          f"{args.rounds} rounds; wall seconds, median (range)\n")
    print("| book | brochure epub | pandoc epub | epub ratio | brochure pdf | weasyprint on "
          "pandoc's html | pdf / weasyprint | brochure both | pandoc both | both ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key in args.books.split(","):
        name, book = BOOKS[key]
        s = measure(book, args.rounds)
        pandoc_both = [e + p for e, p in zip(s["pandoc epub"], s["pandoc pdf"], strict=True)]
        print(f"| {name} | {cell(s['brochure epub'])} | {cell(s['pandoc epub'])} | "
              f"{ratio(s['brochure epub'], s['pandoc epub'])} | {cell(s['brochure pdf'])} | "
              f"{cell(s['weasyprint'])} | {ratio(s['brochure pdf'], s['weasyprint'])} | "
              f"{cell(s['brochure both'])} | {cell(pandoc_both)} | "
              f"{ratio(s['brochure both'], pandoc_both)} |", flush=True)


if __name__ == "__main__":
    main()
