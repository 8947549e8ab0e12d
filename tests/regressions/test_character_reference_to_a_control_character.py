"""A character reference such as &#x1b; or &#xFFFE; went through the sanitiser as the
character itself, and lxml stopped with an XMLSyntaxError: an internal error."""

from __future__ import annotations

import pytest

from brochure.book.markdown import parse_chapter
from brochure.core.diagnostics import BrochureError, Report
from brochure.core.model import SourceText
from brochure.manuscript.resolver import Resolver


@pytest.mark.parametrize(("reference", "code"), [
    ("&#x1b;", "U+001B"), ("&#12;", "U+000C"), ("&#xFFFE;", "U+FFFE"),
    ('<img alt="&#x1;" src="x.png">', "U+0001"),
])
def test_reference_to_a_character_xhtml_cannot_hold_is_an_error_at_its_line(tmp_path, reference,
                                                                           code):
    source = SourceText(tmp_path / "a.md", f"Fine &#150; here.\n\nThen {reference} there.\n")
    with pytest.raises(BrochureError) as caught:
        parse_chapter(source, Resolver.for_roots(tmp_path), Report())
    assert f"a.md:3: error: character reference to {code}, a character XHTML cannot hold" \
        in str(caught.value)


def test_references_html_maps_to_printable_characters_are_kept(tmp_path):
    source = SourceText(tmp_path / "a.md", "Dash &#150; null &#0; surrogate &#xD800;.\n")
    parsed = parse_chapter(source, Resolver.for_roots(tmp_path), Report())
    assert "".join(parsed.body.itertext()) == "Dash \u2013 null \ufffd surrogate \ufffd."
