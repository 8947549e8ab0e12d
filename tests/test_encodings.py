"""Encodings and writing direction: line ends never change the output; RTL books say so."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import NS, Epub

from brochure.core.diagnostics import Report
from brochure.runtime.build import BuildOptions, build

TEXT = "Line one of a paragraph\nline two[^n].\n\n> Quoted\n> still quoted\n\n[^n]: The note\n    goes on.\n"


def build_epub(folder: Path, out: Path) -> bytes:
    result = build(BuildOptions(folder, out, settings={"formats": ("epub",)}), Report())
    return result.outputs["epub"].read_bytes()


def write_book(folder: Path, text: bytes, lang: str = "en") -> Path:
    folder.mkdir()
    (folder / "book.yaml").write_bytes(f"title: T\nlang: {lang}\n".encode())
    (folder / "a.md").write_bytes(text)
    return folder


def test_mixed_line_ends_give_the_same_bytes_as_lf(tmp_path, epoch_env):
    lines = TEXT.encode().split(b"\n")
    mixed = b"".join(line + (b"\r\n", b"\r", b"\n")[i % 3] for i, line in enumerate(lines[:-1]))
    lf = build_epub(write_book(tmp_path / "lf", TEXT.encode()), tmp_path / "out-lf")
    crlf = build_epub(write_book(tmp_path / "mixed", mixed), tmp_path / "out-mixed")
    assert b"\r" in mixed and crlf == lf


@pytest.mark.parametrize(("lang", "rtl"), [("ar", True), ("he", True), ("fa-IR", True),
                                           ("fr", False)])
def test_right_to_left_books_declare_their_direction(tmp_path, epoch_env, lang, rtl):
    folder = write_book(tmp_path / "book", "שלום עולם[^n].\n\n[^n]: הערה.\n".encode(), lang)
    build_epub(folder, tmp_path / "out")
    epub = Epub.open(tmp_path / "out" / "t.epub")
    spine = epub.opf.find(".//opf:spine", NS)
    assert spine.get("page-progression-direction") == ("rtl" if rtl else None)
    for name, document in epub.documents.items():
        body = document.find("h:body", NS)
        assert (document.get("dir") or body.get("dir")) == ("rtl" if rtl else None), name


def test_a_character_no_font_can_draw_is_a_warning(tmp_path, epoch_env):
    folder = write_book(tmp_path / "book", "Drawn, then \U0010fffd, and \U0010fffd again.\n".encode())
    report = Report()
    result = build(BuildOptions(folder, tmp_path / "out", settings={"formats": ("pdf",)}), report)
    assert result.pages >= 1
    missing = [str(w) for w in report.warnings if "no font can draw the character U+10FFFD" in str(w)]
    assert len(missing) == 1  # once, however often the character appears
    assert "warning: PDF: no font can draw the character U+10FFFD" in missing[0]
    assert "@font-face" in missing[0]
