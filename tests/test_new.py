"""brochure new: a project that builds at once, explained in the book's language."""

from __future__ import annotations

import re

import yaml
from click.testing import CliRunner
from conftest import build_fixture

from brochure import cli
from brochure.core.settings import declarations
from brochure.manuscript.metadata import YamlDocument, parse_yaml, settings_from_yaml


def new(*args: str):
    return CliRunner().invoke(cli.main, ["new", *args])


def test_a_new_project_builds_at_once_and_checks_clean(tmp_path, epoch_env):
    done = new(str(tmp_path / "pamphlet"), "--styles")
    assert done.exit_code == 0, done.output
    project = tmp_path / "pamphlet"
    assert (project / "styles" / "brochure.css").is_file()
    built = build_fixture(project / "manuscript", tmp_path / "dist")
    assert [d for d in built.report.diagnostics] == []
    assert built.result.notes == 1  # one note, called twice
    assert built.result.pages and built.result.pages >= 3
    checked = CliRunner().invoke(cli.main, ["check", str(project / "manuscript"), "--strict"])
    assert checked.exit_code == 0, checked.stdout


def test_book_yaml_is_explained_in_the_books_language_with_every_setting(tmp_path):
    assert new(str(tmp_path / "livre"), "--lang", "fr", "--title", "L’atelier: «notes»").exit_code == 0
    text = (tmp_path / "livre" / "manuscript" / "book.yaml").read_text(encoding="utf-8")
    values = yaml.safe_load(text)
    assert values["title"] == "L’atelier: «notes»" and values["lang"] == "fr"
    assert "# le titre, obligatoire" in text
    assert "# où vont les notes" in text
    for declaration in declarations():
        assert f"# {declaration.key}: " in text, declaration.key
    chapter = (tmp_path / "livre" / "manuscript" / values["chapters"][0]).read_text("utf-8")
    assert chapter.startswith("# L’atelier: «notes»\n") and "Une note est appelée" in chapter


def test_every_setting_line_once_uncommented_is_a_valid_setting(tmp_path):
    assert new(str(tmp_path / "b")).exit_code == 0
    text = (tmp_path / "b" / "manuscript" / "book.yaml").read_text(encoding="utf-8")
    keys = {d.key for d in declarations()}
    lines = [line[2:] for line in text.splitlines()
             if re.match(r"# [a-z-]+: ", line) and line[2:].split(":")[0] in keys]
    assert len(lines) == len(keys)
    doc: YamlDocument = parse_yaml("\n".join(lines), tmp_path / "book.yaml")
    settings_from_yaml(doc)  # raises at a value brochure would refuse


def test_a_language_without_its_words_gets_english_ones(tmp_path):
    assert new(str(tmp_path / "it"), "--lang", "it").exit_code == 0
    text = (tmp_path / "it" / "manuscript" / "book.yaml").read_text(encoding="utf-8")
    assert "lang: it" in text and "# the title, required" in text


def test_a_folder_that_holds_anything_is_refused_and_left_alone(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    done = new(str(tmp_path))
    assert done.exit_code == 1
    assert "is not an empty folder; nothing was written" in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    assert new(str(tmp_path / "x"), "--lang", "not a tag").exit_code == 1
    assert not (tmp_path / "x").exists()
