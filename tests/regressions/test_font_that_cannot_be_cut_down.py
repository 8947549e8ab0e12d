"""A font file HarfBuzz cannot read (right signature, broken tables) ended the build as an
internal error from the EPUB's font subsets; it is the input's error, naming the file."""

from __future__ import annotations

import shutil

from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from brochure.cli import main


def test_a_broken_font_is_an_error_naming_it(tmp_path, epoch_env):
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "two-chapters", book)
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    broken = styles / "fonts" / "CharisSIL-Regular.ttf"
    broken.write_bytes(b"\x00\x01\x00\x00" + b"\xff" * 64)
    done = CliRunner().invoke(main, ["build", str(book), "--out", str(tmp_path / "out"),
                                     "--styles", str(styles), "--format", "epub"])
    assert done.exit_code == 1, done.output
    # Refused as it is read (manuscript/font_check.py), at the stylesheet's line naming it.
    assert "brochure.css:" in done.output and "error: font 'styles/fonts/CharisSIL-Regular.ttf'" \
        in done.output and "cannot be read" in done.output
    assert "internal error" not in done.output
