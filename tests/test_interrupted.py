"""Interrupted builds: children die with the build, the lock of a build killed outright is
taken over, every message says what is true when it is printed, and no temporary folder is
left behind."""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EPOCH, FIXTURES, ROOT

from brochure.cli import main
from brochure.core import scratch
from brochure.runtime import build as build_module
from brochure.runtime import cache
from brochure.runtime.lock import LOCK_NAME

COMMAND = [sys.executable, "-m", "brochure", "build"]


def environment(tmp_path: Path) -> dict[str, str]:
    temporary = tmp_path / "tmp"
    temporary.mkdir(exist_ok=True)
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "TMPDIR": str(temporary),
            "XDG_CACHE_HOME": str(tmp_path / "cache")}


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def lock_is_free(folder: Path) -> bool:
    path = folder / LOCK_NAME
    if not path.exists():
        return True
    with path.open("a") as stream:
        try:
            fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(stream, fcntl.LOCK_UN)
    return True


def kill_during_the_pdf(manuscript: Path, tmp_path: Path, wait_for_parts: bool):
    """Start a build, kill -9 it once the PDF's processes run; return (pid, its processes,
    the output folder)."""
    out = tmp_path / "out"
    build = subprocess.Popen([*COMMAND, str(manuscript), "--out", str(out), "--format", "pdf",
                              "--no-cache"], env=environment(tmp_path),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wanted = 3 if wait_for_parts else 1  # the worker, and chunk processes under it
    assert wait_for(lambda: len(descendants(build.pid)) >= wanted, 60), "no PDF process started"
    time.sleep(0.3)
    below = descendants(build.pid)
    build.kill()
    build.wait()
    return build.pid, below, out


def test_kill_9_during_the_pdf_leaves_no_process_and_no_lock(tmp_path):
    manuscript = FIXTURES / "two-chapters"
    pid, below, out = kill_during_the_pdf(manuscript, tmp_path, wait_for_parts=False)
    assert below and wait_for(lambda: not any(alive(child) for child in below), 10), \
        "a child of the killed build still runs"
    assert lock_is_free(out)
    done = subprocess.run([*COMMAND, str(manuscript), "--out", str(out), "--format", "epub"],
                          env=environment(tmp_path), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (f"warning: took over the lock of '{out}' left by a build that ended abruptly "
            f"(process {pid})") in done.stderr
    assert not list((tmp_path / "tmp").iterdir())  # its temporary folder was swept


@pytest.mark.slow
def test_kill_9_during_a_long_pdf_in_parts(tmp_path):
    manuscript = ROOT / "tests" / "corpus" / "mutual-aid"
    _, below, out = kill_during_the_pdf(manuscript, tmp_path, wait_for_parts=True)
    assert len(below) >= 3
    assert wait_for(lambda: not any(alive(child) for child in below), 10)
    assert lock_is_free(out)
    done = subprocess.run([*COMMAND, str(manuscript), "--out", str(out), "--format", "epub"],
                          env=environment(tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not list((tmp_path / "tmp").iterdir())


def test_sigterm_ends_the_build_and_its_children_cleanly(tmp_path):
    out = tmp_path / "out"
    build = subprocess.Popen([*COMMAND, str(FIXTURES / "two-chapters"), "--out", str(out),
                              "--format", "pdf", "--no-cache"], env=environment(tmp_path),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: descendants(build.pid), 60)
    below = descendants(build.pid)
    build.terminate()
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 130, stderr
    assert stderr.strip() == "interrupted; no output was changed"
    assert not any(alive(child) for child in below)
    assert not out.exists()  # a first build that failed leaves no folder
    assert not list((tmp_path / "tmp").iterdir())


@pytest.mark.parametrize("after", [0.1, 0.15, 0.2, 0.3, 0.45])
def test_ctrl_c_while_starting_prints_no_traceback(tmp_path, after):
    """From the moment brochure's own code runs (Python itself starts first, in about 0.05 s)."""
    build = subprocess.Popen([*COMMAND, str(FIXTURES / "two-chapters"), "--out",
                              str(tmp_path / "out"), "--no-cache"], env=environment(tmp_path),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    build.send_signal(signal.SIGINT)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 130, stderr
    assert "Traceback" not in stderr and stderr.strip() == "interrupted; no output was changed"


def test_ctrl_c_once_the_outputs_are_in_place_says_so(project, tmp_path, monkeypatch, epoch_env):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "out"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cache, "store", interrupted)  # while the record is written
    done = CliRunner().invoke(main, ["build", str(project), "--out", str(out)])
    assert done.exit_code == 130, done.output
    assert "no output was changed" not in done.output
    outputs = sorted(out.glob("*.*"))
    assert [path.suffix for path in outputs] == [".epub", ".pdf"]
    assert (f"interrupted once the outputs were written: {out / outputs[0].name}, "
            f"{out / outputs[1].name} are new and whole") in done.output


def test_the_pdf_leaves_no_temporary_folder(project, tmp_path, monkeypatch, epoch_env):
    """WeasyPrint's weasyprint-* folders (the fonts of @font-face) and brochure's own go with
    the build, when it succeeds and when it fails."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    CliRunner().invoke(main, ["build", str(project), "--out", str(tmp_path / "a"), "--no-cache"])
    assert (tmp_path / "a").is_dir() and not list(temporary.iterdir())
    monkeypatch.setattr(build_module, "finish_pdf", lambda *args: (_ for _ in ()).throw(
        KeyboardInterrupt))
    done = CliRunner().invoke(main, ["build", str(project), "--out", str(tmp_path / "b"),
                                     "--no-cache"])
    assert done.exit_code == 130 and not list(temporary.iterdir())


def test_stale_scratch_folders_are_swept_and_live_ones_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = tmp_path / f"brochure-{gone.pid}-abc"
    (stale / "weasyprint-x").mkdir(parents=True)
    live = tmp_path / f"brochure-{os.getpid()}-def"
    live.mkdir()
    other = tmp_path / "weasyprint-someone-elses"
    other.mkdir()
    assert scratch.sweep_stale() == [stale]
    assert not stale.exists() and live.exists() and other.exists()


def test_a_full_temporary_disk_is_the_machines_problem(project, tmp_path, monkeypatch,
                                                      epoch_env):
    """ENOSPC in the PDF's process is an error with a hint (exit 1), not an internal one."""
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setitem(build_module.WRITERS, "pdf", full)
    done = CliRunner().invoke(main, ["build", str(project), "--out", str(tmp_path / "out"),
                                     "--no-cache"])
    assert done.exit_code == 1, done.output
    assert "error: no space left on the disk" in done.output
    assert "set TMPDIR to use another disk" in done.output and "internal error" not in done.output


def test_a_full_tmpdir_for_real(tmp_path):
    """A small tmpfs as TMPDIR (where the machine lets us mount one)."""
    small = tmp_path / "small"
    small.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(small)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        env = {**environment(tmp_path), "TMPDIR": str(small)}
        done = subprocess.run([*COMMAND, str(FIXTURES / "manifesto"), "--out",
                               str(tmp_path / "out"), "--format", "pdf", "--no-cache"],
                              env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 1, done.stderr
        assert "error: no space left on the disk" in done.stderr
        assert not list(small.iterdir())
    finally:
        subprocess.run(["umount", str(small)], check=False)
