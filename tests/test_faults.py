"""File-system faults and interruptions: a failed build changes nothing and leaves nothing behind."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from brochure.cli import main
from brochure.core.diagnostics import error
from brochure.runtime import build as build_module
from brochure.runtime import publish as publish_module
from brochure.runtime.lock import LOCK_NAME, build_lock


@pytest.fixture(scope="module")
def previous(tmp_path_factory, epoch_env) -> Path:
    """A folder holding the outputs of an earlier good build of the two-chapter fixture."""
    out = tmp_path_factory.mktemp("previous")
    done = CliRunner().invoke(main, ["build", str(FIXTURES / "two-chapters"), "--out", str(out)])
    assert done.exit_code == 0, done.output
    return out


@pytest.fixture
def out(tmp_path, previous) -> Path:
    target = tmp_path / "out"
    shutil.copytree(previous, target)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of ``folder`` (hidden and temporary ones included) with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def cli(*args: str):
    return CliRunner().invoke(main, ["build", *args])


def test_output_folder_that_is_a_file(project, tmp_path, epoch_env):
    target = tmp_path / "dist"
    target.write_bytes(b"not a folder")
    done = cli(str(project), "--out", str(target))
    assert done.exit_code == 1
    assert f"{target}: error: the output folder '{target}' is a file" in done.output
    assert target.read_bytes() == b"not a folder"


def test_output_folder_that_cannot_be_written(project, out, monkeypatch, epoch_env):
    before = snapshot(out)
    real_open = os.open

    def refuse(path, *args, **kwargs):
        if Path(path).parent == out:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("brochure.runtime.lock.os.open", refuse)
    done = cli(str(project), "--out", str(out))
    assert done.exit_code == 1
    assert f"error: cannot write into the output folder '{out}': Permission denied" in done.output
    assert snapshot(out) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not bind root")
def test_read_only_output_folder(project, out, epoch_env):
    before = snapshot(out)
    out.chmod(0o555)
    try:
        done = cli(str(project), "--out", str(out))
    finally:
        out.chmod(0o755)
    assert done.exit_code == 1
    assert "cannot write into the output folder" in done.output
    assert snapshot(out) == before


def test_output_equal_to_an_input_is_refused(tmp_path, epoch_env):
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "book.yaml").write_text("title: T\nlang: en\nchapters: [t.epub]\n")
    (folder / "t.epub").write_text("A chapter saved under an unlucky name.\n")
    done = cli(str(folder), "--out", str(folder), "--format", "epub")
    assert done.exit_code == 1
    assert f"error: output '{folder / 't.epub'}' would overwrite an input file" in done.output
    assert (folder / "t.epub").read_text() == "A chapter saved under an unlucky name.\n"
    assert sorted(p.name for p in folder.iterdir()) == ["book.yaml", "t.epub"]


def test_disk_full_while_writing_keeps_the_old_outputs(project, out, monkeypatch, epoch_env):
    before = snapshot(out)
    calls = []

    def full(descriptor):
        calls.append(descriptor)
        if len(calls) == 2:  # the first output is written, the second finds the disk full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(publish_module.os, "fsync", full)
    done = cli(str(project), "--out", str(out))
    assert done.exit_code == 1
    assert "No space left on device" in done.output
    assert "hint: check that the output folder exists, is writable and has free space" in done.output
    assert snapshot(out) == before  # both old outputs, byte for byte; no temporary file


def test_epub_succeeding_but_pdf_failing_keeps_both_old_outputs(project, out, monkeypatch,
                                                               epoch_env):
    before = snapshot(out)
    (project / "one.md").write_text((project / "one.md").read_text() + "\nA new paragraph.\n")

    def broken_pdf(rendering, built):
        raise error("PDF: the renderer failed")

    monkeypatch.setitem(build_module.WRITERS, "pdf", broken_pdf)
    done = cli(str(project), "--out", str(out))
    assert done.exit_code == 1
    assert "error: PDF: the renderer failed" in done.output
    assert snapshot(out) == before


def test_a_second_build_into_the_same_folder_fails_at_once(project, out, epoch_env):
    before = snapshot(out)
    with build_lock(out):
        done = cli(str(project), "--out", str(out))
    assert done.exit_code == 1
    assert f"{out / LOCK_NAME}: error: another brochure build is writing into '{out}'" in done.output
    assert "hint: wait for it to finish" in done.output
    assert snapshot(out) == before  # the lock is gone with the first build
    assert cli(str(project), "--out", str(out)).exit_code == 0
    assert LOCK_NAME not in {p.name for p in out.iterdir()}


def test_a_failed_first_build_leaves_no_folder(tmp_path, epoch_env):
    missing = tmp_path / "missing"
    done = cli(str(missing), "--out", str(tmp_path / "new" / "dist"))
    assert done.exit_code == 1
    assert not (tmp_path / "new" / "dist").exists()


def interrupt(*_args, **_kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("stage", [
    "read_manuscript", "assemble_book", "render_book", "build_time", "output_paths",
])
def test_ctrl_c_in_each_stage_before_writing(project, out, monkeypatch, epoch_env, stage):
    before = snapshot(out)
    monkeypatch.setattr(build_module, stage, interrupt)
    done = cli(str(project), "--out", str(out))
    assert done.exit_code == 130
    assert "interrupted; no output was changed" in done.output
    assert snapshot(out) == before


@pytest.mark.parametrize("fmt", ["epub", "pdf"])
def test_ctrl_c_in_each_writer(project, out, monkeypatch, epoch_env, fmt):
    before = snapshot(out)
    monkeypatch.setitem(build_module.WRITERS, fmt, interrupt)
    done = cli(str(project), "--out", str(out))
    assert done.exit_code == 130
    assert snapshot(out) == before


def test_real_ctrl_c_while_the_pdf_renders_stops_the_child(project, out, monkeypatch, tmp_path,
                                                          epoch_env):
    before = snapshot(out)
    pid_file = tmp_path / "child.pid"

    def slow_pdf(rendering, built):
        pid_file.write_text(str(os.getpid()))
        threading.Event().wait(120)

    def press_ctrl_c():
        while not pid_file.exists():
            threading.Event().wait(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setitem(build_module.WRITERS, "pdf", slow_pdf)
    presser = threading.Thread(target=press_ctrl_c)
    presser.start()
    done = cli(str(project), "--out", str(out))
    presser.join()
    assert done.exit_code == 130, done.output
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)  # the rendering child is gone
    assert snapshot(out) == before


def test_ctrl_c_that_a_library_turns_into_another_error_is_still_an_interruption(
        project, out, monkeypatch, epoch_env):
    before = snapshot(out)

    def epub_with_a_library_that_swallows_ctrl_c(rendering, built):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            threading.Event().wait(5)
        except KeyboardInterrupt:
            raise ValueError("the library's own error") from None

    monkeypatch.setitem(build_module.WRITERS, "epub", epub_with_a_library_that_swallows_ctrl_c)
    done = cli(str(project), "--out", str(out))
    assert done.exit_code == 130, done.output
    assert "interrupted; no output was changed" in done.output
    assert "internal error" not in done.output
    assert snapshot(out) == before


def test_ctrl_c_while_writing_temporary_files(project, out, monkeypatch, epoch_env):
    before = snapshot(out)
    monkeypatch.setattr(publish_module.os, "fsync", interrupt)
    done = cli(str(project), "--out", str(out))
    assert done.exit_code == 130
    assert snapshot(out) == before


def test_ctrl_c_between_the_final_renames_is_deferred(project, out, monkeypatch, epoch_env):
    """Both outputs are replaced, or neither: a Ctrl-C during the renames waits for them."""
    (project / "one.md").write_text((project / "one.md").read_text() + "\nA new paragraph.\n")
    before = snapshot(out)
    real_replace = os.replace
    calls = []

    def replace_then_press(source, target):
        # os.replace is the os module's: the memo and the cache rename files too; only the
        # renames into the output folder count.
        if Path(target).resolve().parent == out.resolve():
            calls.append(target)
            if len(calls) == 1:
                os.kill(os.getpid(), signal.SIGINT)
        real_replace(source, target)

    monkeypatch.setattr(publish_module.os, "replace", replace_then_press)
    done = cli(str(project), "--out", str(out))
    assert done.exit_code == 130, done.output  # the Ctrl-C counts, once both are in place
    assert "interrupted once the outputs were written" in done.output
    after = snapshot(out)
    assert sorted(after) == sorted(before)
    assert all(after[name] != before[name] for name in before)  # both are the new build
