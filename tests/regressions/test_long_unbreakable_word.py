"""An 80 KB word, or a 20 KB line of '*_', took the PDF more than five minutes before the time
limit stopped it. Such a word is refused as the manuscript is read, at its line and column."""

from __future__ import annotations

import time

import pytest

from brochure.core.diagnostics import BrochureError, Report
from brochure.manuscript.read import read_manuscript


@pytest.mark.parametrize("word", ["a" * 80_000, "*_" * 10_000])
def test_a_long_word_is_refused_at_once(tmp_path, word):
    (tmp_path / "essay.md").write_text(f"---\ntitle: T\nlang: en\n---\n\nStart.\n\n{word}\n")
    started = time.perf_counter()
    with pytest.raises(BrochureError) as caught:
        read_manuscript(tmp_path / "essay.md", Report())
    assert time.perf_counter() - started < 5
    assert (f"essay.md:8:1: error: a word of {len(word):,} characters with no space or other "
            "place to break a line (brochure sets words of up to 1,000)") in str(caught.value)


def test_text_without_spaces_in_a_script_written_so_is_read(tmp_path):
    (tmp_path / "essay.md").write_text("---\ntitle: T\nlang: zh\n---\n\n" + "中文字" * 2000 + "\n")
    assert read_manuscript(tmp_path / "essay.md", Report()).sources
