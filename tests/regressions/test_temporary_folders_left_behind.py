"""Every PDF build left $TMPDIR/weasyprint-* behind (3 MB; 15 MB in parts), and Ctrl-C left
brochure-pdf-* folders. The PDF's temporary files now live in the build's own folder, removed
on every way out, and a folder left by a build killed outright is swept at the next start."""

from __future__ import annotations

import os
import subprocess
import tempfile

from click.testing import CliRunner

from brochure.cli import main
from brochure.core import scratch
from brochure.pdf import print_shop


def test_the_pdf_leaves_no_temporary_folder(project, tmp_path, monkeypatch, epoch_env):
    """WeasyPrint's weasyprint-* folders (the fonts of @font-face) and brochure's own go with
    the build, when it succeeds and when it fails."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    CliRunner().invoke(main, ["build", str(project), "--out", str(tmp_path / "a"), "--no-cache"])
    assert (tmp_path / "a").is_dir() and not list(temporary.iterdir())
    monkeypatch.setattr(print_shop, "finish_pdf", lambda *args: (_ for _ in ()).throw(
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
