"""Building as a user does: the command, its messages, failures that lose nothing, reproducibility."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import EPOCH, ROOT


def run(*args: str, cwd: Path = ROOT, env_epoch: str | None = EPOCH) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ)
    if env_epoch is not None:
        env["SOURCE_DATE_EPOCH"] = env_epoch
    return subprocess.run([sys.executable, "-m", "brochure", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_build_command_reports_what_it_wrote(tmp_path):
    done = run("build", "manuscript", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    stem = "le-client-moderne-comme-employe-a-titre-gratuit"
    assert f"wrote {tmp_path / stem}.epub" in done.stdout
    assert f"wrote {tmp_path / stem}.pdf" in done.stdout
    assert "7 notes" in done.stdout
    assert " pages, " in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{stem}.epub", f"{stem}.pdf"]


def test_two_builds_are_byte_identical(tmp_path, seed):
    again = run("build", "manuscript", "--out", str(tmp_path))
    assert again.returncode == 0, again.stderr
    for fmt in ("epub", "pdf"):
        assert (tmp_path / seed.result.outputs[fmt].name).read_bytes() == \
            seed.result.outputs[fmt].read_bytes(), fmt


def test_undefined_note_fails_with_file_and_line_and_keeps_old_outputs(project, tmp_path):
    out = tmp_path / "out"
    assert run("build", str(project), "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    chapter = project / "two.md"
    text = chapter.read_text().replace("Plain text after the heading.",
                                       "Plain text calling a missing note[^nowhere].")
    chapter.write_text(text)
    line = text.splitlines().index("Plain text calling a missing note[^nowhere].") + 1
    failed = run("build", str(project), "--out", str(out))
    assert failed.returncode == 1
    assert f"{chapter}:{line}: error: note [^nowhere] is referenced but never defined" in failed.stderr
    assert "Traceback" not in failed.stderr
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # same files, same bytes, no temporary left behind


def test_only_requested_formats_are_built(tmp_path):
    done = run("build", "manuscript", "--out", str(tmp_path), "--format", "epub")
    assert done.returncode == 0, done.stderr
    assert [p.suffix for p in tmp_path.iterdir()] == [".epub"]


def test_garbage_source_date_epoch_is_a_clear_error(tmp_path):
    failed = run("build", "manuscript", "--out", str(tmp_path), env_epoch="yesterday")
    assert failed.returncode == 1
    assert "SOURCE_DATE_EPOCH" in failed.stderr
    assert not any(tmp_path.iterdir())
