"""A long book's PDF after an edit: the chunks the edit did not touch are kept from the
build before (core/memo.py), and the PDF is the one a build from scratch makes."""

from __future__ import annotations

import shutil

from conftest import FIXTURES
from test_parallel_pdf import _job

from brochure.core import memo, progress
from brochure.core.model import NotesLayout
from brochure.pdf import parts


def laid_out(source, book, built, folder) -> tuple[bytes, list[str]]:
    """The PDF in chunks (one a chapter) with the memo in ``folder``, and the chunks that
    were laid out (the others were kept)."""
    told: list[dict] = []
    with progress.listen(told.append), memo.active(folder):
        written = parts.write_chunked(source, book, NotesLayout.BOOK_END, built, chunks=2)
    assert written is not None
    return written.data, [event["part"] for event in told if event["kind"] == "part"]


def test_an_edit_lays_out_its_chunk_again_and_keeps_the_others(tmp_path, epoch_env):
    book_folder = tmp_path / "book"
    shutil.copytree(FIXTURES / "two-chapters", book_folder)
    kept = tmp_path / "memo"
    first, laid = laid_out(*_job(book_folder), kept)
    assert sorted(laid) == ["front matter", "front matter", "notes", "part 1", "part 2"]
    again, laid = laid_out(*_job(book_folder), kept)
    assert (again, laid) == (first, [])  # nothing changed: every chunk kept
    chapter = book_folder / "two.md"
    chapter.write_text(chapter.read_text().replace("Plain text after the heading.",
                                                   "Plain text, edited, after the heading."))
    edited, laid = laid_out(*_job(book_folder), kept)
    assert laid == ["part 2"]  # the front matter and the notes did not move
    from_scratch, _ = laid_out(*_job(book_folder), tmp_path / "empty")
    assert edited == from_scratch != first
