"""The cache keys on what a build reads, through the same resolver, and on what of the machine
changes the PDF: a rebuild is what a clean build would make, and nothing outside the project
is ever opened to decide it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import build_fixture

from brochure.cli import main
from brochure.pdf import environment
from brochure.runtime import cache

SINGLE = "---\ntitle: Single\nlang: en\n---\n\nText[^a].\n\n[^a]: A note.\n"


pytestmark = pytest.mark.usefixtures("own_cache")  # conftest.py


@pytest.fixture
def crowded(tmp_path) -> Path:
    """A single .md manuscript in a folder of 3,000 other files."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    for index in range(3000):
        (folder / f"file-{index}.txt").write_bytes(b"")
    (folder / "essay.md").write_text(SINGLE)
    return folder / "essay.md"


_OPENED: list[str] | None = None


def _note_opens(event: str, args: tuple) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_note_opens)


def opened_during(function) -> tuple[list[str], object]:
    """The files Python opened while ``function()`` ran, and its result."""
    global _OPENED
    _OPENED = []
    try:
        result = function()
        return _OPENED, result
    finally:
        _OPENED = None


def test_a_single_file_among_thousands_is_cached_on_what_the_build_reads(crowded, tmp_path):
    out = tmp_path / "out"
    first = build_fixture(crowded, out, formats=("epub",))
    (crowded.parent / "file-1.txt").write_text("edited: the build never read it")
    opened, again = opened_during(lambda: build_fixture(crowded, out, formats=("epub",)))
    assert again.result.reused
    assert again.epub.read_bytes() == first.epub.read_bytes()
    assert not [path for path in opened if "file-" in path]
    crowded.write_text(SINGLE + "\nMore text.\n")
    third = build_fixture(crowded, out, formats=("epub",))
    assert not third.result.reused and third.result.why == f"'{cache.shown(crowded)}' changed"


def test_a_font_fontconfig_finds_is_part_of_the_description(tmp_path, monkeypatch):
    """A font added where fontconfig looks changes the description (WeasyPrint may fall back
    to it), as a new version of Pango or HarfBuzz does."""
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?>\n<fontconfig><dir>{fonts}</dir>'
                      f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n")
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    environment.describe.cache_clear()
    try:
        empty = environment.describe()
        shipped = Path(__file__).resolve().parents[1] / "styles" / "fonts"
        font = next(p for p in sorted(shipped.iterdir()) if p.suffix in (".ttf", ".otf", ".woff2"))
        (fonts / font.name).write_bytes(font.read_bytes())
        environment.describe.cache_clear()
        one = environment.describe()
    finally:
        environment.describe.cache_clear()
    assert empty["fonts"].startswith("0 fonts") and one["fonts"].startswith("1 fonts")
    assert {key for key in one if one[key] != empty[key]} == {"fonts"}


def test_the_command_says_why_it_builds_again(crowded, tmp_path):
    runner = CliRunner()
    command = ["build", str(crowded), "--out", str(tmp_path / "out"), "--format", "epub"]
    assert runner.invoke(main, command).exit_code == 0
    crowded.write_text(SINGLE + "\nMore.\n")
    again = runner.invoke(main, command)
    assert again.exit_code == 0, again.output
    assert f"built again: '{cache.shown(crowded)}' changed" in again.output
