"""Every note call's link in the PDF had a zero-height rectangle (`sup { line-height: 0 }`
flattened the box WeasyPrint links): nobody could tap a note call in a PDF viewer. The call's
link now covers its number, and a line with a call keeps the line spacing of the others."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import pdfplumber
from conftest import build_fixture
from helpers import glyphs_under, pdf_link_areas

WORDS = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed",
         "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna",
         "aliqua"] * 4


def _manuscript() -> str:
    words = list(WORDS)
    words[25] += "[^a]"
    words[60] += "[^b]"
    return ("---\ntitle: Calls\nlang: en\n---\n" + " ".join(words) + "\n\n"
            + "[^a]: The first note.\n\n[^b]: The second note.\n")


def test_a_note_call_can_be_tapped_and_keeps_the_line_spacing(tmp_path, epoch_env):
    (tmp_path / "calls.md").write_text(_manuscript())
    built = build_fixture(tmp_path / "calls.md", tmp_path / "out", formats=("pdf",), cache=False)
    calls = [area for area in pdf_link_areas(built.pdf) if area.target.startswith("note-")]
    assert [area.target for area in calls] == ["note-1", "note-2"]
    with pdfplumber.open(built.pdf) as pdf:
        page = calls[0].page
        chars = pdf.pages[page].chars
    assert [glyphs_under(area, chars) for area in calls] == ["1", "2"]
    body = max(char["size"] for char in chars)
    baselines: dict[float, list[str]] = defaultdict(list)
    for char in chars:
        if char["size"] == body:
            baselines[round(char["matrix"][5], 1)].append(char["text"])
    lines = sorted(baselines, reverse=True)
    assert len(lines) >= 6
    pitches = {round(upper - lower, 1) for upper, lower in pairwise(lines)}
    assert len(pitches) == 1, pitches  # the lines holding a call included
