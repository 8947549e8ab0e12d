"""A YAML escape ("\\e") put a control character into the author's name; lxml refused it
with a ValueError while rendering: an internal error instead of a message at the line.
Found by the property test."""

from __future__ import annotations

import pytest

from brochure.core.diagnostics import BrochureError, Report
from brochure.manuscript.read import read_manuscript


@pytest.mark.parametrize(("line", "code"), [
    ('author: "\\e"', "the control character U+001B"),
    ('author: ["A", "\\x00"]', "the control character U+0000"),
    ('subtitle: "\\ud800"', "half of a UTF-16 surrogate pair U+D800"),
])
def test_control_character_in_metadata_is_an_error_at_its_line(tmp_path, line, code):
    (tmp_path / "book.yaml").write_text(f"title: T\nlang: en\n{line}\n")
    (tmp_path / "a.md").write_text("Text.\n")
    with pytest.raises(BrochureError) as caught:
        read_manuscript(tmp_path, Report())
    assert f"book.yaml:3: error: '{line.split(':')[0]}' holds {code}" in str(caught.value)
