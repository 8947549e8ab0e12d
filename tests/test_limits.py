"""Resource exhaustion: pathological manuscripts build, or fail with brochure's own error.

Every build here runs with small bounds so that a missing defence shows up as a failure of
the test (another exception, or a hang stopped by the bound) rather than a slow suite.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from pathlib import Path

import pytest
from conftest import FIXTURES
from helpers import Epub, text_of
from test_build import run

from brochure.core.clock import build_time
from brochure.core.diagnostics import BrochureError, Report
from brochure.core.sandbox import Bound, Limits
from brochure.manuscript.read import read_manuscript
from brochure.pdf.write import write_pdf
from brochure.render.document import render_book
from brochure.runtime.build import BuildOptions, book_of, build

SMALL = Limits(markdown=Bound(seconds=30, memory_mib=1024), pdf=Bound(seconds=120, memory_mib=2048))


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test its own cache folder: a text another test converted would not be converted
    again (memo.py), and its bounds not reached."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def book(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "book.yaml").write_text("title: T\nlang: en\n")
    (folder / "a.md").write_text(text)
    return folder


def build_epub(folder: Path, limits: Limits = SMALL, formats=("epub",)):
    report = Report()
    return build(BuildOptions(folder, folder / "out", settings={"formats": formats}, limits=limits),
                 report)


def chapter_text(result) -> str:
    """The text of the chapter below its heading (the book's title)."""
    epub = Epub.open(result.outputs["epub"])
    return " ".join(text_of(p) for _, p in epub.find("//h:section[@epub:type='chapter']//h:p"))


# The full sizes run with -m slow; the default suite builds a tenth of each.
TENTH_OR_WHOLE = [1, pytest.param(10, marks=pytest.mark.slow)]


@pytest.mark.parametrize("tenths", TENTH_OR_WHOLE)
def test_five_megabyte_paragraph_builds_whole(tmp_path, epoch_env, tenths):
    count = 70_000 * tenths
    words = " ".join(f"w{i}" for i in range(count))  # about 5 MB in all
    result = build_epub(book(tmp_path, words + "\n"))
    text = chapter_text(result)
    assert text.startswith("w0 w1 w2") and text.endswith(f"w{count - 2} w{count - 1}")
    assert len(text) == len(words)


def test_one_megabyte_word_is_refused_at_its_line(tmp_path, epoch_env):
    """A word with no place to break cost the PDF minutes: refused where it starts."""
    with pytest.raises(BrochureError) as caught:
        build_epub(book(tmp_path, "start " + "a" * 1_000_000 + " end\n"))
    assert "a.md:1:7: error: a word of 1,000,000 characters with no space" in str(caught.value)


@pytest.mark.parametrize("text", [
    "> " * 2000 + "deep\n",
    "".join("> " * depth + "level\n\n" for depth in range(1, 2001, 100)),
    "<div> " * 2000 + "deep" + " </div>" * 2000 + "\n",
], ids=["quotes-one-line", "quotes-growing", "html"])
def test_two_thousand_nested_blocks_are_a_clear_error(tmp_path, epoch_env, text):
    with pytest.raises(BrochureError) as caught:
        build_epub(book(tmp_path, text))
    assert "a.md:1: error: the text is nested more than 100 levels deep" in str(caught.value)


def test_two_thousand_nested_lists_are_stopped_by_the_time_bound(tmp_path, epoch_env):
    nested = "".join("  " * depth + "- item\n" for depth in range(2000))
    limits = Limits(markdown=Bound(seconds=3, memory_mib=1024))
    with pytest.raises(BrochureError) as caught:
        build_epub(book(tmp_path, nested), limits)
    message = str(caught.value)
    assert "a.md:1: error: reading the Markdown of 'a.md'" in message
    assert "took longer than 3 s" in message or "nested too deeply" in message


def test_ninety_nested_quotes_still_build(tmp_path, epoch_env):
    result = build_epub(book(tmp_path, "> " * 90 + "deep text\n"))
    epub = Epub.open(result.outputs["epub"])
    assert len(epub.find("//h:blockquote")) == 90
    assert chapter_text(result) == "deep text"


def test_brackets_repeated_are_stopped_with_a_clear_error(tmp_path, epoch_env):
    limits = Limits(markdown=Bound(seconds=2, memory_mib=1024))
    # Brackets in runs short enough to pass as words (a longer run is refused as a word).
    folder = book(tmp_path, ("[" * 999 + " ") * 30 + "\n")
    with pytest.raises(BrochureError) as caught:
        build_epub(folder, limits)
    assert "a.md:1: error: reading the Markdown of 'a.md' took longer than 2 s" in str(caught.value)
    assert not (folder / "out").exists()


@pytest.mark.parametrize("tenths", TENTH_OR_WHOLE)
def test_ten_thousand_row_table_with_a_note_in_every_row(tmp_path, epoch_env, tenths):
    count = 1_000 * tenths
    rows = "".join(f"| r{i} | cell[^n] |\n" for i in range(count))
    result = build_epub(book(tmp_path, "| a | b |\n|---|---|\n" + rows + "\n[^n]: The note.\n"))
    epub = Epub.open(result.outputs["epub"])
    assert len(epub.find("//h:tbody/h:tr")) == count
    [(_, note)] = epub.find("//h:li[@class='note']")
    assert len(note.findall(".//{http://www.w3.org/1999/xhtml}a[@role='doc-backlink']")) == count


@pytest.mark.parametrize("tenths", TENTH_OR_WHOLE)
def test_ten_thousand_notes(tmp_path, epoch_env, tenths):
    count = 1_000 * tenths
    text = "".join(f"Paragraph {i}[^n{i}].\n\n" for i in range(count))
    text += "".join(f"[^n{i}]: Note {i}.\n" for i in range(count))
    result = build_epub(book(tmp_path, text))
    assert result.notes == count
    epub = Epub.open(result.outputs["epub"])
    notes = epub.find("//h:section[@epub:type='endnotes']//h:li[@class='note']")
    # Without the number each note starts with ("1. ") and without the link back.
    texts = [text_of(el).split(". ", 1)[1].split(".")[0] for _, el in notes]
    assert texts[:2] == ["Note 0", "Note 1"] and texts[-1] == f"Note {count - 1}"


def test_markdown_memory_bound_gives_a_clear_error(tmp_path):
    # A fresh process (the command), so that no free memory left over by other tests counts.
    folder = book(tmp_path, " ".join(f"w{i}" for i in range(700_000)) + "\n")
    done = run("build", str(folder), "--out", str(tmp_path / "out"), "--format", "epub",
               "--memory-limit", "16")
    assert done.returncode == 1
    assert f"{folder / 'a.md'}:1: error: reading the Markdown of 'a.md' needed more than the " \
        "16 MiB it may use" in done.stderr
    assert "--memory-limit" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_pdf_time_bound_gives_a_clear_error_and_writes_nothing(tmp_path, epoch_env):
    folder = book(tmp_path, "Some text.\n" * 50)
    limits = Limits(pdf=Bound(seconds=0.01, memory_mib=2048))
    with pytest.raises(BrochureError) as caught:
        build_epub(folder, limits, formats=("epub", "pdf"))
    assert "error: rendering the PDF took longer than 0.01 s" in str(caught.value)
    assert not (folder / "out").exists()


def test_a_long_books_pdf_may_take_longer_unless_the_user_gives_a_time():
    # Pepys's 3,600 pages took more than 600 s on two busy cores: the default grows with the
    # document, a time given on the command line does not.
    mib = 2**20
    assert Limits().pdf_for(200_000).seconds == 600
    assert Limits().pdf_for(21 * mib).seconds == 600 + 20 * 180
    assert Limits().pdf_for(21 * mib).memory_mib == Limits().pdf.memory_mib
    assert Limits.scaled(seconds=5).pdf_for(21 * mib).seconds == 5
    assert Limits.scaled(memory_mib=100).pdf_for(21 * mib).seconds == 600 + 20 * 180


def test_pdf_memory_bound_gives_a_clear_error(tmp_path):
    # A fresh process (the command), so that no free memory left over by other tests counts.
    folder = book(tmp_path, "Some text.\n" * 50)
    done = run("build", str(folder), "--out", str(tmp_path / "out"), "--format", "pdf",
               "--memory-limit", "16")
    assert done.returncode == 1
    assert "error: rendering the PDF" in done.stderr and "16 MiB" in done.stderr
    assert "Traceback" not in done.stderr and "Segmentation" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_pdf_from_the_child_process_is_identical_to_an_in_process_render(epoch_env):
    from brochure.runtime.build import _pdf_job, _pdf_worker, _timed_pdf

    report = Report()
    manuscript = read_manuscript(FIXTURES / "two-chapters", report)
    rendering = render_book(book_of(manuscript, report))
    built = build_time(rendering.book.metadata)
    in_child, covers, _, _ = _pdf_worker(Limits()).submit(
        _timed_pdf, (_pdf_job(rendering), built, None, Limits().pdf)).result()
    in_process = write_pdf(dataclasses.replace(rendering, covers=covers), built)
    assert in_child.data == in_process.data
    assert in_child.pages == in_process.pages >= 3
    assert in_child.diagnostics == in_process.diagnostics


def test_a_bug_in_the_child_is_an_internal_error_with_its_traceback_under_debug(tmp_path,
                                                                                 monkeypatch,
                                                                                 epoch_env):
    from click.testing import CliRunner

    from brochure.cli import main
    from brochure.runtime import build as build_module

    def broken(rendering, built):
        raise ZeroDivisionError("a bug")

    monkeypatch.setitem(build_module.WRITERS, "pdf", broken)
    folder = book(tmp_path, "Text.\n")
    done = CliRunner().invoke(main, ["build", str(folder), "--out", str(tmp_path / "out")])
    assert done.exit_code == 70
    assert "internal error: RuntimeError: rendering the PDF: ZeroDivisionError: a bug" in done.output
    assert "Traceback" not in done.output
    assert not (tmp_path / "out").exists()


def test_a_worker_stopped_before_its_job_leaves_no_process():
    from brochure.core.sandbox import start_worker

    worker = start_worker(Bound(seconds=30, memory_mib=256), "a stage", preload=("json",))
    assert worker.process.is_alive()
    worker.stop()
    assert multiprocessing.active_children() == []


def test_a_worker_that_cannot_import_its_module_says_so_when_asked(tmp_path):
    from brochure.core.sandbox import start_worker

    worker = start_worker(Bound(seconds=30, memory_mib=256), "a stage",
                          preload=("brochure.no_such_module",))
    running = worker.submit(len, ("four",))
    with pytest.raises(RuntimeError, match="a stage: ModuleNotFoundError"):
        running.result()
    assert multiprocessing.active_children() == []


def test_a_worker_runs_its_job_within_its_bounds():
    from brochure.core.sandbox import start_worker

    worker = start_worker(Bound(seconds=30, memory_mib=256), "a stage", preload=("json",))
    assert worker.submit(len, ("four",)).result() == 4
    hungry = start_worker(Bound(seconds=30, memory_mib=64), "a hungry stage")
    with pytest.raises(BrochureError, match="a hungry stage needed more than the 64 MiB"):
        hungry.submit(bytearray, (512 * 2**20,)).result()
