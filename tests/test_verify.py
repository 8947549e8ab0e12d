"""The outputs are checked before they are published: each broken promise is found, and a
build whose outputs break one fails, as a bug of brochure's, without changing anything."""

from __future__ import annotations

import io
import zipfile

import pikepdf
import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from brochure.book.text_check import missing, missing_text, paragraphs, words
from brochure.cli import main
from brochure.core.diagnostics import Report, shown
from brochure.core.model import SourceText, Written
from brochure.epub.verify import verify_epub
from brochure.pdf.verify import verify_pdf
from brochure.runtime import build as build_module
from brochure.runtime.build import BuildOptions, book_of, read


@pytest.fixture(scope="module")
def made(two_chapters):
    """The two-chapter book (as the build saw it) and its outputs."""
    report = Report()
    manuscript = read(BuildOptions(FIXTURES / "two-chapters"), report)
    return (book_of(manuscript, report), manuscript.sources, two_chapters.epub.read_bytes(),
            two_chapters.pdf.read_bytes())


def edited(epub: bytes, name: str, change) -> bytes:
    """The EPUB with entry ``name`` changed by ``change(text) -> text``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(epub)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == name:
                data = change(data.decode()).encode()
            target.writestr(info, data)
    return out.getvalue()


def messages(findings) -> list[str]:
    return [d.message for d in (*findings.errors, *findings.bugs)]


def test_the_books_brochure_makes_keep_their_promises(made):
    book, sources, epub, pdf = made
    assert messages(verify_epub(epub, book, sources)) == []
    assert messages(verify_pdf(pdf, book)) == []


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace("</p>", '<a href="#nowhere">x</a></p>', 1),
     'EPUB/chapter-1.xhtml: <a href="#nowhere"> refers to a place the book does not have'),
    (lambda t: t.replace("</p>", '<a href="other.xhtml">x</a></p>', 1),
     'EPUB/chapter-1.xhtml: <a href="other.xhtml"> refers to a file the book does not have'),
    (lambda t: t.replace("</p>", '<img src="http://127.0.0.1:9/i.png" alt=""/></p>', 1),
     'EPUB/chapter-1.xhtml: <img src="http://127.0.0.1:9/i.png"> refers to something outside '
     'the book'),
], ids=["fragment", "file", "remote-image"])
def test_a_broken_link_or_a_remote_reference_is_found(made, change, expected):
    book, sources, epub, _ = made
    found = messages(verify_epub(edited(epub, "EPUB/chapter-1.xhtml", change), book, sources))
    assert f"the book brochure made is broken: {expected}" in found


def test_a_remote_reference_in_a_stylesheet_is_found(made):
    book, sources, epub, _ = made
    broken = edited(epub, "EPUB/styles/brochure.css",
                    lambda css: css + '\n@import "http://127.0.0.1:9/t.css";\n')
    [found] = messages(verify_epub(broken, book, sources))
    assert "EPUB/styles/brochure.css:" in found
    assert "'http://127.0.0.1:9/t.css' refers to something outside the book" in found


def test_a_note_nobody_calls_and_a_call_without_its_note_are_found(made):
    book, sources, epub, _ = made
    uncalled = edited(epub, "EPUB/chapter-1.xhtml",
                      lambda t: t.replace('class="noteref"', 'class="plain"'))
    assert "the book brochure made is broken: note 1 is in the EPUB but nothing calls it" in \
        messages(verify_epub(uncalled, book, sources))
    noteless = edited(epub, "EPUB/notes.xhtml", lambda t: t.replace('id="note-1"', 'id="n"'))
    found = messages(verify_epub(noteless, book, sources))
    assert "the book brochure made is broken: note 1 is missing from the EPUB" in found


def test_a_lost_paragraph_is_found_at_its_line(made):
    book, sources, epub, _ = made
    lost = edited(epub, "EPUB/chapter-1.xhtml",
                  lambda t: t.replace("A later paragraph calls the first note again", ""))
    findings = verify_epub(lost, book, sources)
    [bug] = findings.bugs
    assert str(bug).startswith(f"{shown(FIXTURES / 'two-chapters' / 'one.md')}:5: error: the book "
                               "brochure made is broken: the text of this paragraph ('a later "
                               "paragraph calls the first note again') is missing")


def test_a_paragraph_lost_after_raw_html_is_the_inputs_error(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\nlang: en\n")
    (tmp_path / "a.md").write_text("Kept.\n\n<div>x</div>\n\nLost words here.\n")
    (tmp_path / "b.md").write_text("Kept too.\n\nLost again.\n")
    report = Report()
    manuscript = read(BuildOptions(tmp_path), report)
    book = book_of(manuscript, report)
    found = missing_text(book, manuscript.sources,
                         {"chapter-1": words("Kept. x"), "chapter-2": words("Kept too.")}, {})
    assert [str(d).split("\n")[0] for d in found.errors] == [
        f"{tmp_path / 'a.md'}:5: error: the text of this paragraph ('lost words here') is "
        "missing from the book"]
    assert [str(d).split("\n")[0] for d in found.bugs] == [
        f"{tmp_path / 'b.md'}:3: error: the book brochure made is broken: the text of this "
        "paragraph ('lost again') is missing from the book"]


def test_typography_and_notes_do_not_count_as_losses():
    source = SourceText(__import__("pathlib").Path("a.md"),
                        "Au XXIème siècle, le 2ème[^a] **vo**lontaire, « dit-il »…\n\n"
                        "[^a]: Une note.\n")
    body, note = paragraphs(source)
    assert missing([body], words("Au XXIe siècle, le 2e 1 volontaire, « dit-il »…")) == []
    assert missing([note], words("1. Une note. ↑")) == []


def test_a_link_to_a_missing_destination_or_a_script_in_the_pdf_is_found(made):
    book, _, _, pdf = made
    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        page.Annots = document.make_indirect(pikepdf.Array([*page.get("/Annots", []),
            pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                               Rect=[0, 0, 10, 10], Dest=pikepdf.String("nowhere"))]))
        document.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                      JS=pikepdf.String("app.alert(1)"))
        out = io.BytesIO()
        document.save(out)
    found = messages(verify_pdf(out.getvalue(), book))
    assert "the PDF brochure made is broken: the document runs an action when opened " \
        "(/OpenAction)" in found
    assert "the PDF brochure made is broken: a link on page 1 leads to 'nowhere', which the " \
        "PDF does not have" in found


def test_a_build_whose_output_is_broken_fails_as_a_bug(project, tmp_path, monkeypatch, epoch_env):
    real = build_module.WRITERS["epub"]

    def losing_a_note(rendering, built) -> Written:
        written = real(rendering, built)
        return Written(edited(written.data, "EPUB/notes.xhtml",
                              lambda t: t.replace('id="note-2"', 'id="gone"')))

    monkeypatch.setitem(build_module.WRITERS, "epub", losing_a_note)
    out = tmp_path / "out"
    done = CliRunner().invoke(main, ["build", str(project), "--out", str(out), "--format", "epub"])
    assert done.exit_code == 70, done.output
    assert "error: the book brochure made is broken: note 2 is missing from the EPUB" in done.output
    assert "hint: this is a bug of brochure's" in done.output
    assert not out.exists()
