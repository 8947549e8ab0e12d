"""Both formats at once: the EPUB is written while the PDF renders in its child process, and
the outputs are the bytes that building each format alone gives."""

from __future__ import annotations

import multiprocessing
import time
import zipfile

import pytest
from conftest import FIXTURES, build_fixture
from helpers import pdf_text
from lxml import etree

from brochure.core.diagnostics import BrochureError, error
from brochure.runtime.build import WRITERS


def test_the_epubs_fonts_are_cut_while_the_pdf_renders(tmp_path, monkeypatch, epoch_env):
    """The EPUB waits for the PDF's pages (its page-list), but its costly part, the fonts cut
    down, is made while the PDF renders; the PDF is the one a build of the PDF alone makes,
    and the EPUB the one a build of the EPUB alone makes but for the page-list."""
    from brochure.runtime import build as build_module

    cut = tmp_path / "fonts-cut"
    render_pdf, fonts_of = WRITERS["pdf"], build_module.epub_assets

    def pdf_once_the_fonts_are_cut(rendering, built):
        # In the child: waits for the parent's fonts. Done one after the other, this never ends.
        deadline = time.monotonic() + 120
        while not cut.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("the EPUB's fonts were not cut while the PDF rendered")
            time.sleep(0.05)
        return render_pdf(rendering, built)

    def fonts_then_mark(rendering):
        result = fonts_of(rendering)
        cut.touch()
        return result

    monkeypatch.setitem(WRITERS, "pdf", pdf_once_the_fonts_are_cut)
    monkeypatch.setattr(build_module, "epub_assets", fonts_then_mark)
    both = build_fixture(FIXTURES / "two-chapters", tmp_path / "both", cache=False)
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pdf = build_fixture(FIXTURES / "two-chapters", tmp_path / "pdf", cache=False, formats=("pdf",))
    epub = build_fixture(FIXTURES / "two-chapters", tmp_path / "epub", cache=False,
                         formats=("epub",))
    assert both.pdf.read_bytes() == pdf.pdf.read_bytes()
    assert both.result.pages == pdf.result.pages
    assert both.result.stopwatch.seconds["pdf"] > 0 and both.result.stopwatch.seconds["epub"] > 0
    alone, with_pages = (zipfile.ZipFile(path) for path in (epub.epub, both.epub))
    assert alone.namelist() == with_pages.namelist()
    for name in alone.namelist():
        if name.endswith(".xhtml"):  # the same text; the markers and the page-list hold none
            texts = ["".join(etree.fromstring(archive.read(name)).itertext())
                     for archive in (alone, with_pages)]
            if name != "EPUB/nav.xhtml":
                assert texts[0] == texts[1], name
        elif name != "EPUB/content.opf":  # which names the page-list among the features
            assert alone.read(name) == with_pages.read(name), name


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
    # What earlier tests of this process keep (session fixtures) is the baseline.
    render_pdf = WRITERS["pdf"]

    def model_objects() -> tuple[int, int]:
        import gc

        from brochure.core.model import Chapter, Note

        objects = gc.get_objects()
        return (sum(isinstance(o, Chapter) for o in objects),
                sum(isinstance(o, Note) and bool(o.blocks) for o in objects))

    before = model_objects()

    def pdf_counting_chapters(rendering, built):
        chapters, note_texts = model_objects()
        if (chapters, note_texts) != before or rendering.book.chapters:
            raise RuntimeError(f"the PDF worker holds {chapters} chapters, {note_texts} notes "
                               f"(the test process held {before} before the build)")
        return render_pdf(rendering, built)

    monkeypatch.setitem(WRITERS, "pdf", pdf_counting_chapters)
    built = build_fixture(FIXTURES / "two-chapters", tmp_path / "out", cache=False)
    text = pdf_text(built.pdf)
    assert "The Second Chapter" in text and "The note that is called twice." in text
