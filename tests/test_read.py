"""Read stage: metadata and manuscript files, with errors at the right file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from brochure.core.diagnostics import BrochureError, Report
from brochure.manuscript.read import read_manuscript


def read(path: Path) -> tuple:
    report = Report()
    return read_manuscript(path, report), report


def single(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "essay.md"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def error_of(path: Path) -> str:
    with pytest.raises(BrochureError) as caught:
        read(path)
    return str(caught.value)


def test_single_file_with_front_matter(tmp_path):
    path = single(tmp_path, "---\ntitle: An Essay\nauthor: [A, B]\nlang: de\ndate: 2020\n---\n\nText.\n")
    manuscript, report = read(path)
    meta = manuscript.metadata
    assert (meta.title, meta.authors, meta.lang, meta.date) == ("An Essay", ("A", "B"), "de", "2020")
    assert manuscript.sources[0].first_line == 7
    assert manuscript.sources[0].text.strip() == "Text."
    assert report.diagnostics == []


def test_byte_order_mark_and_crlf_are_accepted(tmp_path):
    path = single(tmp_path, b"\xef\xbb\xbf---\r\ntitle: T\r\nlang: en\r\n---\r\nLine one\r\nLine two\r\n")
    manuscript, _ = read(path)
    assert manuscript.metadata.title == "T"
    assert manuscript.sources[0].text == "Line one\nLine two\n"


@pytest.mark.parametrize(("front", "expected"), [
    ("title: [unclosed\nlang: en\n", "essay.md:3:5: error: invalid YAML"),
    ("lang: en\n", "essay.md:2: error: 'title' is missing"),
    ("title: ''\nlang: en\n", "essay.md:2: error: 'title' is empty"),
    ("title: 123\nlang: en\n", "essay.md:2: error: 'title' must be text, not int"),
    ("title: T\nlang: no\n", "essay.md:3: error: 'lang' must be text, not yes/no (a boolean)"),
    ("title: T\nlang: en\ndate: 2017-02-30\n", "essay.md:4: error: impossible date '2017-02-30'"),
    ("title: T\ntitle: U\nlang: en\n", "essay.md:3: error: duplicate key 'title' (first given on line 1)"),
    ("title: !!python/object:os.system x\nlang: en\n", "YAML tags that build objects are not allowed"),
])
def test_bad_metadata_is_an_error_at_its_line(tmp_path, front, expected):
    assert expected in error_of(single(tmp_path, f"---\n{front}---\nText\n"))


def test_unclosed_front_matter(tmp_path):
    assert "essay.md:1: error: the front matter opened on line 1 is never closed" in \
        error_of(single(tmp_path, "---\ntitle: T\n\nText\n"))


def test_missing_language_defaults_to_english_with_a_warning(tmp_path):
    manuscript, report = read(single(tmp_path, "---\ntitle: T\n---\nText\n"))
    assert manuscript.metadata.lang == "en"
    assert any("no 'lang' given" in str(d) for d in report.warnings)


def test_misspelt_key_is_a_warning(tmp_path):
    _, report = read(single(tmp_path, "---\ntitle: T\nlang: en\nautor: X\n---\nText\n"))
    assert "essay.md:4: warning: unknown key 'autor'" in str(report.warnings[0])


def test_an_editor_is_told_how_to_be_listed_not_taken_for_an_edition(tmp_path):
    _, report = read(single(tmp_path, "---\ntitle: T\nlang: en\neditor: H. B. Wheatley\n---\nText\n"))
    warning = str(report.warnings[0])
    assert "essay.md:4: warning: unknown key 'editor'" in warning
    assert "role: editor" in warning and "edition" not in warning


def test_not_utf8_names_line_and_byte(tmp_path):
    message = error_of(single(tmp_path, b"---\ntitle: T\nlang: fr\n---\nCaf" + b"\xe9\n"))
    assert "essay.md:5:4: error: not UTF-8: byte 0xe9 at byte offset" in message


def test_control_character_names_line_and_column(tmp_path):
    assert "essay.md:5:3: error: control character U+0000" in \
        error_of(single(tmp_path, "---\ntitle: T\nlang: fr\n---\nab\x00c\n"))


def test_folder_reads_chapters_in_listed_order(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\nlang: en\nchapters: [b.md, a.md]\n")
    (tmp_path / "a.md").write_text("A")
    (tmp_path / "b.md").write_text("B")
    manuscript, _ = read(tmp_path)
    assert [s.path.name for s in manuscript.sources] == ["b.md", "a.md"]


def test_folder_without_chapter_list_reads_files_in_name_order(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\nlang: en\n")
    for name in ("02-b.md", "01-a.md", "README.md"):
        (tmp_path / name).write_text(name)
    manuscript, _ = read(tmp_path)
    assert [s.path.name for s in manuscript.sources] == ["01-a.md", "02-b.md"]


def test_chapter_outside_the_manuscript_is_refused(tmp_path):
    folder = tmp_path / "book"
    folder.mkdir()
    (tmp_path / "secret.md").write_text("secret")
    (folder / "book.yaml").write_text("title: T\nlang: en\nchapters: [../secret.md]\n")
    assert "is outside the project and is not read" in error_of(folder)


def test_same_metadata_gives_the_same_derived_identifier(tmp_path):
    a, _ = read(single(tmp_path, "---\ntitle: T\nlang: en\n---\nText\n"))
    b, _ = read(single(tmp_path, "---\ntitle: T\nlang: en\n---\nOther text\n"))
    assert a.metadata.identifier == b.metadata.identifier
    assert a.metadata.identifier.startswith("urn:uuid:")
