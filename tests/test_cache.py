"""Incremental builds: an unchanged manuscript reuses its outputs; any change builds anew, and
what it builds equals a clean build of the changed manuscript."""

from __future__ import annotations

import os
import shutil

import pdfplumber
import pytest
from click.testing import CliRunner
from conftest import ROOT, build_fixture

from brochure.cli import main


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test its own cache folder: no record from another test or from the user."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def styled(project, epoch_env):
    """The two-chapter fixture with its own copy of the stylesheets beside it."""
    shutil.copytree(ROOT / "styles", project.parent / "styles")
    return project


def clean_build(manuscript, out, **options):
    return build_fixture(manuscript, out, cache=False, **options)


def outputs(built) -> dict[str, bytes]:
    return {fmt: path.read_bytes() for fmt, path in built.result.outputs.items()}


def test_unchanged_manuscript_reuses_verified_outputs(styled, tmp_path):
    out = tmp_path / "out"
    first = build_fixture(styled, out, formats=("epub",))
    assert not first.result.reused
    second = build_fixture(styled, out, formats=("epub",))
    assert second.result.reused
    assert outputs(second) == outputs(first)
    assert second.result.notes == first.result.notes
    assert [p.name for p in out.iterdir()] == [first.epub.name]  # the record is kept elsewhere


def test_the_command_says_what_it_kept(styled, tmp_path):
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(main, ["build", str(styled), "--out", str(out), "--format", "epub"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, ["build", str(styled), "--out", str(out), "--format", "epub"])
    assert again.exit_code == 0, again.output
    assert "kept" in again.output and "nothing changed since the previous build" in again.output
    forced = runner.invoke(main, ["build", str(styled), "--out", str(out), "--format", "epub",
                                  "--no-cache"])
    assert "wrote" in forced.output and "kept" not in forced.output


def test_a_damaged_or_missing_output_is_built_again(styled, tmp_path):
    out = tmp_path / "out"
    first = build_fixture(styled, out, formats=("epub",))
    good = first.epub.read_bytes()
    first.epub.write_bytes(good[:-10])
    again = build_fixture(styled, out, formats=("epub",))
    assert not again.result.reused and again.epub.read_bytes() == good
    again.epub.unlink()
    third = build_fixture(styled, out, formats=("epub",))
    assert not third.result.reused and third.epub.read_bytes() == good


def test_an_edited_chapter_builds_what_a_clean_build_makes(styled, tmp_path):
    out = tmp_path / "out"
    before = outputs(build_fixture(styled, out))
    chapter = styled / "two.md"
    chapter.write_text(chapter.read_text() + "\nA sentence added later.\n")
    after = build_fixture(styled, out)
    assert not after.result.reused
    # Only the edited chapter's Markdown is converted again; the text draws the same
    # characters, so the EPUB's six font subsets (text and code faces) are those of the first
    # build, and the metadata is the same, so are the covers.
    assert after.result.recalled == {"covers": (1, 1), "font-subset": (6, 6), "markdown": (1, 2)}
    assert outputs(after)["epub"] != before["epub"] and outputs(after)["pdf"] != before["pdf"]
    assert outputs(after) == outputs(clean_build(styled, tmp_path / "clean"))
    with pdfplumber.open(after.pdf) as pdf:
        assert "A sentence added later." in "".join(p.extract_text() or "" for p in pdf.pages)


def test_an_edited_stylesheet_builds_what_a_clean_build_makes(styled, tmp_path):
    out = tmp_path / "out"
    before = build_fixture(styled, out / "before", formats=("pdf",))
    build_fixture(styled, out, formats=("pdf",))
    sheet = styled.parent / "styles" / "brochure.css"
    sheet.write_text(sheet.read_text() + "\np { font-size: 33pt !important; }\n")
    after = build_fixture(styled, out, formats=("pdf",))
    assert not after.result.reused

    def sizes(built):
        with pdfplumber.open(built.pdf) as pdf:
            return {round(c["size"]) for page in pdf.pages for c in page.chars}

    assert 33 not in sizes(before) and 33 in sizes(after)  # the new rule is in the new PDF
    assert outputs(after) == outputs(clean_build(styled, tmp_path / "clean", formats=("pdf",)))


def test_a_changed_setting_builds_what_a_clean_build_makes(styled, tmp_path):
    out = tmp_path / "out"
    build_fixture(styled, out, formats=("pdf",))
    book = styled / "book.yaml"
    book.write_text(book.read_text() + "trim: A6\n")
    after = build_fixture(styled, out, formats=("pdf",))
    assert not after.result.reused
    with pdfplumber.open(after.pdf) as pdf:
        assert round(pdf.pages[0].width * 25.4 / 72) == 105  # A6 is 105 mm wide
    assert outputs(after) == outputs(clean_build(styled, tmp_path / "clean", formats=("pdf",)))
    # A command-line setting is part of the key too.
    shop = build_fixture(styled, out, formats=("pdf",), settings={"print_mode": "shop"})
    assert not shop.result.reused


def test_a_new_chapter_is_a_change_and_a_file_the_build_never_reads_is_not(styled, tmp_path):
    book = styled / "book.yaml"  # the chapters are the folder's *.md files, in order
    book.write_text(book.read_text().split("chapters:")[0])
    out = tmp_path / "out"
    build_fixture(styled, out, formats=("epub",))
    (styled / "notes.txt").write_text("not part of the book: the build never reads it")
    assert build_fixture(styled, out, formats=("epub",)).result.reused
    (styled / "three.md").write_text("# Three\n\nA new chapter.\n")
    again = build_fixture(styled, out, formats=("epub",))
    assert not again.result.reused and again.result.why == f"the *.md files of '{styled}' changed"
    assert outputs(again) == outputs(clean_build(styled, tmp_path / "clean", formats=("epub",)))


def test_source_date_epoch_is_part_of_the_key(styled, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = outputs(build_fixture(styled, out, formats=("epub",)))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    second = build_fixture(styled, out, formats=("epub",))
    assert not second.result.reused and outputs(second) != first


def test_a_fifo_in_the_folder_is_never_opened(styled, tmp_path):
    os.mkfifo(styled / "pipe")  # opening it to hash it would block the build for ever
    out = tmp_path / "out"
    build_fixture(styled, out, formats=("epub",))
    assert build_fixture(styled, out, formats=("epub",)).result.reused


def test_the_command_says_what_earlier_builds_gave(styled, tmp_path):
    runner = CliRunner()
    first = runner.invoke(main, ["build", str(styled), "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    assert "reused from earlier builds" not in first.output
    chapter = styled / "one.md"
    chapter.write_text(chapter.read_text() + "\nOne more line.\n")
    second = runner.invoke(main, ["build", str(styled), "--out", str(tmp_path / "a")])
    assert second.exit_code == 0, second.output
    assert ("reused from earlier builds: the covers, 6 of 6 font subsets of the EPUB, the "
            "Markdown of 1 of 2 chapters") in second.output


def test_a_damaged_memo_entry_is_made_again(styled, tmp_path):
    first = build_fixture(styled, tmp_path / "a", formats=("epub",))
    entries = sorted((tmp_path / "cache" / "brochure" / "memo").glob("*/*"))
    assert {path.parent.name for path in entries} == {"covers", "markdown", "font-subset"}
    for path in entries:  # one byte changed in each: its hash no longer matches
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
    second = build_fixture(styled, tmp_path / "b", formats=("epub",))
    assert second.result.recalled == {"covers": (0, 1), "font-subset": (0, 6), "markdown": (0, 2)}
    assert second.epub.read_bytes() == first.epub.read_bytes()


def test_the_memo_forgets_the_least_recently_used_first(tmp_path):
    from brochure.core.memo import Memo

    memo = Memo(tmp_path / "memo")
    for age, key in enumerate((b"old", b"recent", b"newest")):
        memo.store("kind", key, bytes(1000))
        os.utime(memo.path("kind", key), ns=(age * 10**9, age * 10**9))
    memo.trim(limit=2100)  # room for two entries (each is its value and a 32-byte hash)
    assert memo.lookup("kind", b"old") is None
    assert memo.lookup("kind", b"recent") == bytes(1000) == memo.lookup("kind", b"newest")
