"""An ISBN with a wrong check digit was accepted and printed: a typo in the one number a
bookseller scans. Both ISBN-10 and ISBN-13 check digits are verified (an error at the line),
and the imprint prints the ISBN hyphenated by its registration group."""

from __future__ import annotations

import pytest

from brochure.core.diagnostics import BrochureError, Report
from brochure.manuscript.read import read_manuscript
from brochure.render.credits import identifier_text


@pytest.mark.parametrize(("isbn", "digit", "expected"), [
    ("978-2-07-036002-5", "5", "4"), ("2-07-036002-X", "X", "4"), ("9791032305691", "1", "0"),
])
def test_a_wrong_check_digit_is_an_error_at_its_line(tmp_path, isbn, digit, expected):
    (tmp_path / "book.yaml").write_text(f"title: T\nlang: fr\nidentifier: {isbn}\n")
    (tmp_path / "a.md").write_text("Texte.\n")
    with pytest.raises(BrochureError) as caught:
        read_manuscript(tmp_path, Report())
    message = str(caught.value)
    assert "book.yaml:3: error: 'identifier': ISBN-1" in message
    assert f"has the check digit {digit}, where its other digits give {expected}" in message


def test_the_imprint_prints_it_hyphenated(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\nlang: fr\nidentifier: '2070360024'\n")
    (tmp_path / "a.md").write_text("Texte.\n")
    meta = read_manuscript(tmp_path, Report()).metadata
    assert identifier_text(meta.identifiers[0]) == "ISBN 978-2-07-036002-4"
