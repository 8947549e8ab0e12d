"""Books built on a Dask cluster (a small ``distributed.LocalCluster`` here; the real scheduler
and workers, one killed in the middle, are in test_cluster_slow.py): from the bytes the client
read through the resolver, never from the client's files; the same bytes as a local build."""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from pathlib import Path

import psutil
import pytest
from conftest import EPOCH
from shelf_books import build_in_process, files_of, write_book

from brochure.core.diagnostics import BrochureError
from brochure.core.fingerprint import code_digest
from brochure.core.sandbox import Limits
from brochure.manuscript.resolver import Resolver
from brochure.runtime.build import BuildOptions, build
from brochure.shelf import cluster as cluster_module
from brochure.shelf.job import BookJob, bundle, moved
from brochure.shelf.remote import run_job, stop_builder

distributed = pytest.importorskip("distributed")


def _builders() -> list[int]:
    """The builder processes (python -m brochure.shelf.remote) this process started, alive
    (psutil reads every thread's children; threads come and go while it reads)."""
    found = []
    for child in psutil.Process().children():
        try:
            if "brochure.shelf.remote" in child.cmdline() and child.status() != psutil.STATUS_ZOMBIE:
                found.append(child.pid)
        except psutil.Error:  # ended meanwhile
            continue
    return found


@pytest.fixture(scope="module", autouse=True)
def no_builder_left():
    """The module's builders end with it: those of the cluster's threads as the cluster closes,
    the one a test starts in this thread (``here``) when that test ends."""
    yield
    deadline = time.monotonic() + 10
    while _builders() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _builders() == [], "a builder process outlived the tests that started it"


@pytest.fixture
def here():
    """``run_job`` in this thread, as a worker's thread runs it; its builder stopped after."""
    before = set(_builders())  # the cluster's, while it runs
    yield run_job
    stop_builder()
    assert set(_builders()) <= before


@pytest.fixture(scope="module")
def scheduler():
    """A scheduler and one worker with two threads, in this process, on the loopback interface."""
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  protocol="tcp", host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0") as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def shelf(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cluster") / "shelf"
    write_book(folder / "paper", "On Paper", extra_yaml="formats: [epub, pdf, booklet]\n")
    write_book(folder / "screen", "On Screen", lang="fr", extra_yaml="formats: [epub]\n")
    return folder


@pytest.fixture(scope="module")
def both_ways(shelf, scheduler, tmp_path_factory):
    """The shelf built here and on the cluster, each with a cache of its own."""
    root = tmp_path_factory.mktemp("both")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    mp.setenv("XDG_CACHE_HOME", str(root / "cache-here"))
    here = build_in_process(shelf, out=root / "here")
    mp.setenv("XDG_CACHE_HOME", str(root / "cache-there"))
    there = build_in_process(shelf, out=root / "there", cluster=scheduler)
    yield root, here, there
    mp.undo()


def test_the_cluster_gives_the_bytes_of_a_local_build(both_ways):
    root, here, there = both_ways
    assert here.status == 0, here.stderr
    assert there.status == 0, there.stderr
    made = files_of(root / "there")
    assert made == files_of(root / "here")
    assert "paper/on-paper.pdf" in made and "paper/on-paper-booklet.pdf" in made
    assert "catalogue.xml" in made and "thumbnails/screen.png" in made


def test_the_command_says_which_worker_built_each_book(both_ways, scheduler):
    _, _, there = both_ways
    lines = [line for line in there.stdout.splitlines() if line.startswith("built ")]
    assert len(lines) == 2
    assert all(" s on " in line for line in lines)


def test_an_unchanged_book_never_leaves_this_machine(both_ways, shelf, scheduler, monkeypatch):
    root, _, _ = both_ways
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "cache-there"))
    sent = []
    real = cluster_module.Cluster.recipe
    monkeypatch.setattr(cluster_module.Cluster, "recipe",
                        lambda self, options, report: sent.append(options) or real(self, options, report))
    again = build_in_process(shelf, out=root / "there", cluster=scheduler)
    assert again.status == 0, again.stderr
    assert sorted(line.split(":")[0] for line in again.stdout.splitlines()[:2]) == [
        "kept paper", "kept screen"]
    assert sent == []


def test_a_failing_book_names_the_clients_files(shelf, scheduler, tmp_path, monkeypatch, epoch_env):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    book = write_book(tmp_path / "shelf" / "broken", "Broken", extra_yaml="formats: [epub]\n")
    chapter = book / "02.md"
    chapter.write_text("# Two\n\nA note called[^gone] that nobody wrote.\n", encoding="utf-8")
    write_book(tmp_path / "shelf" / "fine", "Fine", extra_yaml="formats: [epub]\n")
    done = build_in_process(tmp_path / "shelf", out=tmp_path / "site", cluster=scheduler)
    assert done.status == 1
    assert f"{chapter.resolve()}:3: error: note [^gone] is referenced but never defined" in done.stderr
    assert "brochure-job-" not in done.stderr  # the worker's folders never show
    assert (tmp_path / "site" / "fine" / "fine.epub").is_file()
    assert not (tmp_path / "site" / "broken").exists()


def _job(folder: Path, code: str | None = None) -> BookJob:
    return BookJob(bundle(folder, Resolver.for_roots(folder)), None, {}, {}, False, Limits(), 1,
                   EPOCH, code or code_digest())


def test_a_worker_builds_from_the_bytes_it_is_sent_not_from_the_clients_files(shelf, tmp_path,
                                                                              epoch_env, here):
    folder = shutil.copytree(shelf / "screen", tmp_path / "screen")
    local = build(BuildOptions(folder, tmp_path / "local", cache=False, cores=1))
    job = _job(folder)
    shutil.rmtree(folder)  # nothing left on this disk to read
    outcome = here(job, None)
    assert not outcome.failed, outcome.diagnostics
    assert [(fmt, name, data) for fmt, name, data in outcome.outputs] == [
        ("epub", "on-screen.epub", local.outputs["epub"].read_bytes())]
    assert not Path(outcome.roots[0]).exists()  # the worker's folder is gone with the job


def test_a_worker_with_another_brochure_refuses_the_job(shelf, here):
    outcome = here(_job(shelf / "screen", code="another brochure"), None)
    assert outcome.failed
    assert "runs another brochure than the client" in outcome.diagnostics[0].message
    # It had no folders: its words reach the client as they were said.
    places = {outcome.roots[0]: "/on/the/client", outcome.roots[1]: "/its/styles"}
    assert moved(outcome.diagnostics, places) == list(outcome.diagnostics)


def test_only_what_the_resolver_lets_a_build_read_is_sent(tmp_path):
    folder = write_book(tmp_path / "book", "Sent")
    (tmp_path / "secret.txt").write_text("not the book's", encoding="utf-8")
    (folder / "link-out.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "link-in.md").symlink_to(folder / "01.md")
    os.mkfifo(folder / "pipe")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    sent = dict(bundle(folder, Resolver.for_roots(folder)).files)
    assert sorted(sent) == ["01.md", "02.md", "book.yaml", "link-in.md"]
    assert sent["link-in.md"] == (folder / "01.md").read_bytes()


def test_without_dask_the_option_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(BrochureError, match="needs Dask's distributed package") as raised:
        cluster_module.connect("tcp://127.0.0.1:8786")
    assert "pip install 'brochure[cluster]'" in (raised.value.diagnostics[0].hint or "")


def test_a_scheduler_without_workers_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(cluster_module, "WORKERS_SECONDS", 1)
    with (distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", host="127.0.0.1",
                                   dashboard_address="127.0.0.1:0") as empty,
          pytest.raises(BrochureError, match="no worker has joined the scheduler") as raised):
        cluster_module.connect(empty.scheduler_address)
    assert "dask worker tcp://127.0.0.1:" in (raised.value.diagnostics[0].hint or "")


def test_a_scheduler_that_is_not_there_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(cluster_module, "CONNECT_SECONDS", 1)
    with pytest.raises(BrochureError, match=re.escape("cannot reach the Dask scheduler at tcp://127.0.0.1:9")):
        cluster_module.connect("tcp://127.0.0.1:9")
