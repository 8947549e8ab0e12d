"""Messages name every file the same way: relative to where the user stands (or absolute when
nothing but the root is shared), whether the user named the file or the build found it."""

from __future__ import annotations

import shutil

from click.testing import CliRunner
from conftest import FIXTURES

from brochure.cli import main
from brochure.core.diagnostics import shown


def _broken_book(tmp_path):
    """Two chapters whose book.yaml has a misspelt key (a warning) and whose second chapter
    calls a note it never defines (an error)."""
    book = tmp_path / "work" / "k2" / "book"
    shutil.copytree(FIXTURES / "two-chapters", book)
    (book / "book.yaml").write_text((book / "book.yaml").read_text() + "subtitel: oops\n")
    (book / "two.md").write_text((book / "two.md").read_text() + "\nA call[^nowhere].\n")
    line = len((book / "two.md").read_text().splitlines())
    yaml_line = len((book / "book.yaml").read_text().splitlines())
    return book, line, yaml_line


def _stderr(args, cwd, monkeypatch) -> str:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(main, ["build", *args, "--format", "epub"])
    assert result.exit_code == 1, result.output
    return result.stderr if hasattr(result, "stderr") else result.output


def test_book_yaml_and_chapters_are_named_alike_from_anywhere(tmp_path, monkeypatch):
    book, line, yaml_line = _broken_book(tmp_path)
    above = _stderr(["k2/book", "--out", "out"], tmp_path / "work", monkeypatch)
    assert f"k2/book/book.yaml:{yaml_line}: warning: unknown key 'subtitel'" in above
    assert f"k2/book/two.md:{line}: error: note [^nowhere]" in above
    inside = _stderr([".", "--out", "out"], book, monkeypatch)
    assert f"\nbook.yaml:{yaml_line}: warning" in "\n" + inside
    assert f"\ntwo.md:{line}: error" in "\n" + inside
    beside = tmp_path / "work" / "k1"
    beside.mkdir()
    aside = _stderr([str(book), "--out", "out"], beside, monkeypatch)
    assert f"../k2/book/two.md:{line}: error" in aside
    assert f"../k2/book/book.yaml:{yaml_line}: warning" in aside
    assert str(tmp_path) not in above + inside + aside


def test_a_path_sharing_only_the_root_is_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert shown(tmp_path / "a" / "b.md") == "a/b.md"
    assert shown("/") == "/"
    assert shown(tmp_path.parent / "x.md") == "../x.md"
