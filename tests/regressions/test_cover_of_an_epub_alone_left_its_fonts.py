"""An EPUB built without a PDF left $TMPDIR/weasyprint-* behind at every build: its cover is
drawn by WeasyPrint in a child of its own, which wrote the fonts of the cover's @font-face
rules outside the build's folder and ended before WeasyPrint could remove them. Every child a
build starts now writes into the build's folder (core/scratch.py)."""

from __future__ import annotations

import tempfile

from click.testing import CliRunner

from brochure.cli import main


def test_an_epub_alone_leaves_no_temporary_folder(project, tmp_path, monkeypatch, epoch_env):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # no cover drawn before
    done = CliRunner().invoke(main, ["build", str(project), "--out", str(tmp_path / "out"),
                                     "--format", "epub", "--no-cache"])
    assert done.exit_code == 0, done.output
    assert [path.name for path in (tmp_path / "out").iterdir()] == ["two-chapters.epub"]
    assert list(temporary.iterdir()) == []
