"""Interrupted builds: children die with the build, the lock of a build killed outright is
taken over, every message says what is true when it is printed, and no temporary folder is
left behind."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EPOCH, FIXTURES, ROOT

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
