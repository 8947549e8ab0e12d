"""Benchmark: a shelf of generated pamphlets built serially, side by side on this machine, and on
a two-worker Dask cluster on this machine; then rebuilt after one book is touched.

    .venv/bin/pip install -e '.[cluster]'
    .venv/bin/python benchmarks/shelf.py                  # 100 pamphlets of 6 to 60 pages
    .venv/bin/python benchmarks/shelf.py --books 10       # a quick look

Each mode is ``brochure build SHELF`` as a user runs it, in a fresh process, with an empty cache
folder (``--no-cache`` is not used: the rebuilds need the records). Modes: ``serial`` (``--jobs
1``: one book at a time, each with every core), ``local`` (the default: as many books at a time
as there are cores, each with its share), ``cluster`` (``--cluster``: a ``dask scheduler`` and
two ``dask worker --nthreads 1`` started here, on 127.0.0.1). After each mode's first build,
one chapter of one book gets a sentence more and the shelf is built again (``touched``), then
once more with nothing changed (``unchanged``). Wall-clock seconds; books a minute count the
books built; CPU seconds are those of the command and of every process it waited for (with
``--cluster``, the client's alone: the workers are not its children). The results go to stdout
as a Markdown table and to --json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate_shelf  # noqa: E402

BROCHURE = [sys.executable, "-m", "brochure"]
DASK = Path(sys.executable).parent / "dask"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds of the command and every process it waited for, its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu, done.stdout


@contextlib.contextmanager
def dask_cluster(folder: Path, workers: int = 2) -> Iterator[str]:
    """A scheduler and ``workers`` single-threaded workers on 127.0.0.1; stopped at the end."""
    started = []

    def start(command: list[str], log: str) -> None:
        with (folder / log).open("wb") as stream:
            started.append(subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT,
                                            start_new_session=True))

    try:
        address_file = folder / "scheduler.json"
        start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
               "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(address_file)],
              "scheduler.log")
        while not address_file.is_file():
            time.sleep(0.1)
        address = json.loads(address_file.read_text())["address"]
        for number in range(1, workers + 1):
            start([str(DASK), "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                   "--name", f"w{number}", "--dashboard-address", "127.0.0.1:0",
                   "--local-directory", str(folder / f"w{number}")], f"w{number}.log")
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for process in reversed(started):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait()


def touch(shelf: Path, book: str) -> None:
    chapter = sorted((shelf / book).glob("*.md"))[-1]
    with chapter.open("a", encoding="utf-8") as stream:
        stream.write("\nOne sentence more, for the benchmark.\n")


def measure(mode: str, shelf: Path, work: Path, extra: list[str], books: int,
            touched_book: str) -> dict[str, float]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "XDG_CACHE_HOME": str(work / f"cache-{mode}")}
    site = work / f"site-{mode}"
    command = [*BROCHURE, "build", str(shelf), "--out", str(site), *extra]
    first, cpu, said = timed(command, env)
    assert said.count("\nbuilt ") + said.startswith("built ") == books, said
    touch(shelf, touched_book)
    touched, _, said = timed(command, env)
    assert said.count("\nbuilt ") + said.startswith("built ") == 1, said
    unchanged, unchanged_cpu, _ = timed(command, env)
    print(f"{mode}: {first:.1f} s ({cpu:.1f} s of CPU here), touched {touched:.2f} s, "
          f"unchanged {unchanged:.2f} s", flush=True)
    return {"seconds": first, "books_per_minute": books / first * 60, "cpu": cpu,
            "touched": touched, "unchanged": unchanged, "unchanged_cpu": unchanged_cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--books", type=int, default=100)
    parser.add_argument("--pages", default="6,60", help="smallest and largest pamphlet, in pages")
    parser.add_argument("--modes", default="serial,local,cluster")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    low, high = (int(n) for n in args.pages.split(","))
    modes = args.modes.split(",")
    results: dict[str, dict[str, float]] = {}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="brochure-shelf-bench-") as folder:
        work = Path(folder)
        shelf = generate_shelf(work / "shelf", args.books, (low, high))
        for number, mode in enumerate(modes):
            touched_book = f"pamphlet-{number + 1:03}"
            if mode == "cluster":
                with dask_cluster(work) as address:
                    results[mode] = measure(mode, shelf, work, ["--cluster", address], args.books,
                                            touched_book)
            else:
                jobs = ["--jobs", "1"] if mode == "serial" else []
                results[mode] = measure(mode, shelf, work, jobs, args.books, touched_book)
    serial = results.get("serial", {}).get("seconds")
    print(f"\n{args.books} pamphlets of {low} to {high} pages; {os.cpu_count()} cores, "
          f"{platform.python_version()}, load average {load:.1f} at the start\n")
    print("| mode | seconds | books a minute | vs serial | CPU s a book, this machine | "
          "touched one book | nothing changed |")
    print("|---|---|---|---|---|---|---|")
    for mode, row in results.items():
        ratio = f"{serial / row['seconds']:.2f}×" if serial else "–"
        print(f"| {mode} | {row['seconds']:.1f} | {row['books_per_minute']:.1f} | {ratio} | "
              f"{row['cpu'] / args.books:.2f} | {row['touched']:.2f} | {row['unchanged']:.2f} |")
    if args.json:
        args.json.write_text(json.dumps({"books": args.books, "pages": [low, high], "load": load,
                                         "results": results}, indent=1))


if __name__ == "__main__":
    main()
