"""A note called in an image's description dropped the note and left "pic2" as the alt text;
a call inside a raw HTML block stayed as the literal [^s]. Both are errors at their lines."""

from __future__ import annotations

import pytest

from brochure.book.markdown import parse_chapter
from brochure.core.diagnostics import BrochureError, Report
from brochure.core.model import SourceText
from brochure.manuscript.resolver import Resolver


def errors(tmp_path, text: str) -> str:
    (tmp_path / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    report = Report()
    parse_chapter(SourceText(tmp_path / "a.md", text), Resolver.for_roots(tmp_path), report)
    with pytest.raises(BrochureError) as caught:
        report.raise_if_errors()
    return str(caught.value)


def test_a_call_in_an_image_description(tmp_path):
    said = errors(tmp_path, "Text.\n\n![pic[^b]](img.png)\n\n[^b]: b.\n")
    assert f"{tmp_path / 'a.md'}:3: error: note [^b] is called where a call cannot stand" in said


def test_a_call_in_a_raw_html_block(tmp_path):
    said = errors(tmp_path, "Text.\n\n<div>raw [^s]</div>\n\n[^s]: s.\n")
    assert (f"{tmp_path / 'a.md'}:3: error: note [^s] is called inside raw HTML, where Markdown "
            "is not read") in said
