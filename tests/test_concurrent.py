"""Both formats at once: the EPUB is written while the PDF renders in its child process, and
the outputs are the bytes that building each format alone gives."""

from __future__ import annotations

import multiprocessing
import time

import pytest
from conftest import FIXTURES, build_fixture
from helpers import pdf_text

from brochure.core.diagnostics import BrochureError, error
from brochure.runtime.build import WRITERS


def test_epub_is_written_while_the_pdf_renders(tmp_path, monkeypatch, epoch_env):
    written = tmp_path / "epub-written"
    render_pdf, write_epub = WRITERS["pdf"], WRITERS["epub"]

    def pdf_once_the_epub_is_written(rendering, built):
        # In the child: waits for the parent's EPUB. Done one after the other, this never ends.
        deadline = time.monotonic() + 120
        while not written.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the EPUB was not written while the PDF rendered")
            time.sleep(0.05)
        return render_pdf(rendering, built)

    def epub_then_mark(rendering, built):
        result = write_epub(rendering, built)
        written.touch()
        return result

    monkeypatch.setitem(WRITERS, "pdf", pdf_once_the_epub_is_written)
    monkeypatch.setitem(WRITERS, "epub", epub_then_mark)
    both = build_fixture(FIXTURES / "two-chapters", tmp_path / "both", cache=False)
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pdf = build_fixture(FIXTURES / "two-chapters", tmp_path / "pdf", cache=False, formats=("pdf",))
    epub = build_fixture(FIXTURES / "two-chapters", tmp_path / "epub", cache=False,
                         formats=("epub",))
    assert both.pdf.read_bytes() == pdf.pdf.read_bytes()
    assert both.epub.read_bytes() == epub.epub.read_bytes()
    assert both.result.pages == pdf.result.pages
    assert both.result.stopwatch.seconds["pdf"] > 0 and both.result.stopwatch.seconds["epub"] > 0


def test_a_failed_epub_stops_the_pdf_child_and_writes_nothing(tmp_path, monkeypatch, epoch_env):
    def broken_epub(rendering, built):
        raise error("the EPUB writer failed on purpose")

    monkeypatch.setitem(WRITERS, "epub", broken_epub)
    with pytest.raises(BrochureError, match="on purpose"):
        build_fixture(FIXTURES / "two-chapters", tmp_path / "out", cache=False)
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_pdf_worker_holds_no_copy_of_the_parsed_book(tmp_path, monkeypatch, epoch_env):
    # The worker is forked before the manuscript is parsed and receives the document alone:
    # its memory is WeasyPrint's, not a copy of the parent's model (chapters, note texts).
    render_pdf = WRITERS["pdf"]

    def pdf_counting_chapters(rendering, built):
        import gc

        from brochure.core.model import Chapter, Note

        chapters = sum(isinstance(o, Chapter) for o in gc.get_objects())
        note_texts = sum(isinstance(o, Note) and bool(o.blocks) for o in gc.get_objects())
        if chapters or note_texts or rendering.book.chapters:
            raise RuntimeError(f"the PDF worker holds {chapters} chapters, {note_texts} notes")
        return render_pdf(rendering, built)

    monkeypatch.setitem(WRITERS, "pdf", pdf_counting_chapters)
    built = build_fixture(FIXTURES / "two-chapters", tmp_path / "out", cache=False)
    text = pdf_text(built.pdf)
    assert "The Second Chapter" in text and "The note that is called twice." in text
