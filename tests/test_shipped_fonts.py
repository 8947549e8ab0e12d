"""Everything on the page is drawn from the fonts brochure ships: nested lists, code and every
note mode, as `pdffonts` lists them; what a stylesheet draws itself (list markers, `content:`)
is checked against the text's font and carried in the EPUB's subsets."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest
from conftest import ROOT, build_fixture
from fontTools.ttLib import TTFont

from brochure.core.diagnostics import Report
from brochure.core.model import notes_layout
from brochure.epub.fonts import coverage_warnings
from brochure.render.document import render_book
from brochure.runtime.build import BuildOptions, book_of, read

SHIPPED_FAMILIES = ("Charis-SIL", "Noto-Sans-Mono")
LISTS_AND_CODE = """---
title: Lists and code
lang: en
---
A list:

- one
    - nested *two* with `code` inside
        - three levels
- back

Some `inline code`, *emphasis with `code in it`*, **bold `code`**.

    def hello():
        return "Здравствуй, Việt, łódź"  # → done

A call[^a].

[^a]: A note with a list and `code`:

    - alpha
        - beta
"""
MODES = {"book": {}, "chapter": {"notes": "chapter"}, "footnotes": {"print_notes": "footnotes"}}


@pytest.fixture(scope="module")
def lists_and_code(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lists")
    (folder / "lists.md").write_text(LISTS_AND_CODE)
    return folder / "lists.md"


@pytest.mark.parametrize("mode", list(MODES))
def test_pdffonts_lists_only_the_shipped_families(lists_and_code, mode, tmp_path, epoch_env):
    built = build_fixture(lists_and_code, tmp_path, formats=("pdf",), settings=MODES[mode],
                          cache=False)
    assert not [w for w in built.report.warnings if "cannot draw" in w.message]
    listed = subprocess.run(["pdffonts", str(built.pdf)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    names = {line.split()[0].split("+")[-1] for line in listed}
    assert {"Charis-SIL", "Charis-SIL-Italic", "Charis-SIL-Bold", "Noto-Sans-Mono"} <= names
    assert [name for name in names if not name.startswith(SHIPPED_FAMILIES)] == []
    assert all(line.split()[-5] == "yes" for line in listed)  # embedded


def _warnings(manuscript, styles) -> list[str]:
    report = Report()
    book = book_of(read(BuildOptions(manuscript, styles_dir=styles), report), report)
    rendering = render_book(book, notes_layout(book.settings, paged=False))
    return [str(w) for w in coverage_warnings(rendering, ())]


def test_what_the_stylesheet_draws_is_checked_at_its_line(lists_and_code, tmp_path, monkeypatch):
    styles = tmp_path / "styles"
    shutil.copytree(ROOT / "styles", styles)
    css = (ROOT / "styles" / "brochure.css").read_text()
    extra = "ul ul {\n  list-style-type: circle;\n}\n\nh1::before {\n  content: \"\\2603  \";\n}\n"
    (styles / "brochure.css").write_text(css + extra)
    lines = (css + extra).splitlines()
    monkeypatch.chdir(tmp_path)
    found = _warnings(lists_and_code, styles)
    circle = lines.index("  list-style-type: circle;") + 1
    snowman = lines.index('  content: "\\2603  ";') + 1
    assert found == [
        f"styles/brochure.css:{circle}: warning: Charis SIL cannot draw '◦' (U+25E6), which the "
        "stylesheet draws\n  hint: choose characters the font has (a list marker such as disc "
        "or a string of its own), or add a font that has them",
        f"styles/brochure.css:{snowman}: warning: Charis SIL cannot draw '☃' (U+2603), which "
        "the stylesheet draws\n  hint: choose characters the font has (a list marker such as "
        "disc or a string of its own), or add a font that has them"]
    assert _warnings(lists_and_code, ROOT / "styles") == []


def test_the_epub_subsets_carry_the_stylesheets_own_characters(lists_and_code, tmp_path,
                                                               epoch_env):
    built = build_fixture(lists_and_code, tmp_path, formats=("epub",), cache=False)
    with zipfile.ZipFile(built.epub) as epub:
        font = TTFont(io.BytesIO(epub.read("EPUB/styles/fonts/CharisSIL-Regular.ttf")))
        assert epub.read("EPUB/styles/fonts/NotoSansMono-Regular.ttf")
    cmap = font.getBestCmap()
    assert ord("•") in cmap and ord("–") in cmap  # the markers of brochure.css
    assert ord("↑") in cmap and ord(".") in cmap  # the back link, the contents' leader
