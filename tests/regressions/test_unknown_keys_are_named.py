"""book.yaml accepted 'cover: cover.png', 'isbn: ...' and other keys brochure does not read
without a word unless they looked like a misspelt key: the user believed the book had a
cover and an ISBN. Every unknown key is now a warning at its line, and 'cover-image' naming a
file that is not there is an error at its line."""

from __future__ import annotations

import pytest

from brochure.core.diagnostics import BrochureError, Report
from brochure.manuscript.read import read_manuscript


def test_unknown_keys_are_warnings_at_their_lines(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\nlang: en\ncover: cover.png\nisbn: '978'\n"
                                        "keywords: [a]\nnotes-style: fancy\n")
    (tmp_path / "a.md").write_text("Text.\n")
    report = Report()
    read_manuscript(tmp_path, report)
    said = [str(d).replace(f"{tmp_path}/", "") for d in report.warnings]
    assert [line.split(" warning:")[0] for line in said] == \
        ["book.yaml:3:", "book.yaml:4:", "book.yaml:5:", "book.yaml:6:"]
    assert "give the cover's file as 'cover-image: cover.jpg'" in said[0]
    assert "pandoc knows 'keywords', which brochure does not use" in said[2]


def test_a_cover_image_that_is_not_there_is_an_error_at_its_line(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\nlang: en\ncover-image: cover.png\n")
    (tmp_path / "a.md").write_text("Text.\n")
    with pytest.raises(BrochureError) as caught:
        read_manuscript(tmp_path, Report())
    assert f"{tmp_path}/book.yaml:3: error:" in str(caught.value)
    assert "does not exist" in str(caught.value)
