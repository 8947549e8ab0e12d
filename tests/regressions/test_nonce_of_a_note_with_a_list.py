"""A note holding a list kept the per-run mark of genuine notes on its items: two builds of the
same manuscript gave two EPUBs, and the EPUB of footnote mode differed from the endnote one."""

from __future__ import annotations

import zipfile

from conftest import build_fixture

NOTE_WITH_A_LIST = """---
title: A list in a note
lang: en
---
Text[^a].

[^a]: A note with a list:

    - one
    - two
"""


def test_a_note_with_a_list_builds_the_same_bytes_every_time(tmp_path, epoch_env):
    source = tmp_path / "essay.md"
    source.write_text(NOTE_WITH_A_LIST)
    built = [build_fixture(source, tmp_path / name, formats=("epub",), cache=False,
                           settings=settings)
             for name, settings in (("a", {}), ("b", {}), ("footnotes", {"print_notes": "footnotes"}))]
    epubs = [b.epub.read_bytes() for b in built]
    assert epubs[0] == epubs[1] == epubs[2]
    with zipfile.ZipFile(built[0].epub) as epub:
        notes = epub.read("EPUB/notes.xhtml").decode()
    assert "<li>one</li>" in notes and "data-brochure" not in notes
