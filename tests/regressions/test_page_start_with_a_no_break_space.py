"""A page whose first line holds a no-break space got no page-break marker in the EPUB: the
PDF's writer folded the line's spaces, no-break ones too, so the line was not found in the
text, where they stay (10 of the 3,596 pages of Pepys's diary: "Mr.\u00a0Wade and his friend
Capt.\u00a0Moyse")."""

from __future__ import annotations

import pikepdf
from conftest import build_fixture
from helpers import cover_pages
from test_page_list import first_texts, markers

NBSP = "\u00a0"


def test_every_page_is_in_the_page_list_when_lines_hold_no_break_spaces(tmp_path, epoch_env):
    # Every pair of words is held together, so every line's start holds a no-break space
    # within its first ten characters; the words are all different, so a start found is the
    # right one.
    pairs = " ".join(f"w{i}{NBSP}x{i}" for i in range(2500))
    source = tmp_path / "essay.md"
    source.write_text(f"---\ntitle: Held together\nlang: en\n---\n# One\n\n{pairs}\n")
    built = build_fixture(source, tmp_path / "out", formats=("epub", "pdf"))
    messages = [d.message for d in built.report.diagnostics]
    assert not [m for m in messages if "page-list" in m]
    with pikepdf.open(built.pdf) as pdf:
        numbered = len(pdf.pages) - cover_pages(built.pdf)
    found = markers(built.epub)
    assert numbered >= 6 and len(found) == numbered
    firsts = first_texts(built.pdf)  # the words each page starts with, as poppler reads them
    within = [label for label in found if firsts[int(label) - 1].startswith("w")]
    assert len(within) >= 4
    for label in within:  # the first word only: poppler reads these even words by columns
        assert found[label].split()[0] == firsts[int(label) - 1].split()[0], label
