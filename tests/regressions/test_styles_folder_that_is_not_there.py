"""`--styles nostyles` (a folder that does not exist) printed a warning and exited 0 with an
unstyled book: system fonts, no title page, notes numbered twice. A styles folder that does not
exist, or holds no stylesheet, fails the build and names the folder."""

from __future__ import annotations

from click.testing import CliRunner

from brochure.cli import main


def _build(project, out, styles) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", str(project), "--out", str(out),
                                       "--styles", str(styles), "--format", "epub"])
    return result.exit_code, result.output


def test_a_missing_styles_folder_is_an_error(project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, output = _build(project, tmp_path / "out", "nostyles")
    assert status == 1
    assert "error: the styles folder 'nostyles' does not exist" in output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_styles_folder_without_css_is_an_error(project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "notes.txt").write_text("not a stylesheet")
    status, output = _build(project, tmp_path / "out", "bare")
    assert status == 1
    assert "error: no stylesheet (*.css) in the styles folder 'bare'" in output
