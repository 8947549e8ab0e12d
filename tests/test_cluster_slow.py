"""A real Dask cluster: a ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1, a shelf
of generated pamphlets built through them, one worker killed (with everything it started) while
it builds a book: that book is built again on the other, nothing half-written appears, and every
file is byte for byte what a local build makes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EPOCH, ROOT
from shelf_books import files_of

distributed = pytest.importorskip("distributed")
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate_shelf  # noqa: E402

pytestmark = pytest.mark.slow
DASK = Path(sys.executable).parent / "dask"
BOOKS = 8


def _start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    """A process in a group of its own, so that it is stopped with everything it starts."""
    with log.open("wb") as stream:
        return subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture
def dask_cluster(tmp_path) -> Iterator[tuple[str, dict[str, subprocess.Popen[bytes]]]]:
    """The scheduler's address and the two workers' processes by name; all stopped at the end,
    whatever happened."""
    if not DASK.is_file():
        pytest.skip("the dask command is not installed (pip install 'brochure[cluster]')")
    started: list[subprocess.Popen[bytes]] = []
    try:
        address_file = tmp_path / "scheduler.json"
        started.append(_start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--dashboard-address", "127.0.0.1:0",
                               "--scheduler-file", str(address_file)], tmp_path / "scheduler.log"))
        deadline = time.monotonic() + 60
        while not address_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(address_file.read_text())["address"]
        workers = {}
        for name in ("w1", "w2"):
            workers[name] = _start([str(DASK), "worker", address, "--host", "127.0.0.1",
                                    "--nthreads", "1", "--name", name,
                                    "--dashboard-address", "127.0.0.1:0",
                                    "--local-directory", str(tmp_path / name)],
                                   tmp_path / f"{name}.log")
            started.append(workers[name])
        yield address, workers
    finally:
        for process in reversed(started):
            _kill(process)


def _brochure(*args: str | Path, cache: Path) -> subprocess.Popen[str]:
    """The command, its messages to ``cache``/stderr.txt, its output read by the caller."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "XDG_CACHE_HOME": str(cache)}
    cache.mkdir(parents=True)
    with (cache / "stderr.txt").open("w") as errors:
        return subprocess.Popen([sys.executable, "-m", "brochure", *map(str, args)], env=env,
                                stdout=subprocess.PIPE, stderr=errors, text=True)


def test_a_worker_killed_in_the_middle_costs_nothing_but_time(dask_cluster, tmp_path):
    address, workers = dask_cluster
    shelf = generate_shelf(tmp_path / "shelf", BOOKS, pages=(6, 24))
    (tmp_path / "shelf" / "catalogue.yaml").write_text(
        "title: Pamphlets\ndefaults:\n  formats: [epub, pdf, booklet]\n", encoding="utf-8")
    with distributed.Client(address, timeout=30) as watcher:
        watcher.wait_for_workers(2, timeout=60)
        by_name = {info["name"]: worker
                   for worker, info in watcher.scheduler_info()["workers"].items()}
        there = _brochure("build", shelf, "--out", tmp_path / "there", "--cluster", address,
                          cache=tmp_path / "cache-there")
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(there.stdout or ()), daemon=True)
        reader.start()
        victim = None
        deadline = time.monotonic() + 300
        while victim is None and there.poll() is None and time.monotonic() < deadline:
            held = [str(key) for key in watcher.processing().get(by_name["w1"], ())
                    if str(key).startswith("brochure-")]
            if held and any(line.startswith("built ") for line in lines):
                _kill(workers["w1"])  # the worker, its nanny and its builders, at once
                victim = held[0].removeprefix("brochure-").rsplit("-", 1)[0]
            time.sleep(0.05)
        there.wait(timeout=600)
        reader.join(timeout=10)
    assert victim is not None, "w1 was never seen building a book"
    assert there.returncode == 0, (tmp_path / "cache-there" / "stderr.txt").read_text()
    built_on = {line.split(":")[0].removeprefix("built "): line.rsplit(" on ", 1)[1].rstrip(")\n")
                for line in lines if line.startswith("built ")}
    assert len(built_on) == BOOKS
    assert built_on[victim] == "w2"  # built again by the worker left
    here = _brochure("build", shelf, "--out", tmp_path / "here", cache=tmp_path / "cache-here")
    here.communicate(timeout=600)
    assert here.returncode == 0, (tmp_path / "cache-here" / "stderr.txt").read_text()
    made = files_of(tmp_path / "there")
    assert not [name for name in made if ".part" in name or name.split("/")[-1].startswith(".")]
    assert made == files_of(tmp_path / "here")
    assert len([name for name in made if name.endswith(".pdf")]) == 2 * BOOKS
