"""Block quotes nested 300 deep made lxml stop at its depth limit of 256 with an
XMLSyntaxError: an internal error with a traceback instead of a message at the file."""

from __future__ import annotations

import pytest

from brochure.book.markdown import parse_chapter
from brochure.core.diagnostics import BrochureError, Report
from brochure.core.model import SourceText
from brochure.manuscript.resolver import Resolver


def test_300_nested_quotes_are_a_brochure_error(tmp_path):
    source = SourceText(tmp_path / "a.md", "> " * 300 + "deep\n", first_line=4)
    with pytest.raises(BrochureError) as caught:
        parse_chapter(source, Resolver.for_roots(tmp_path), Report())
    assert f"{tmp_path / 'a.md'}:4: error: the text is nested more than 100 levels deep" \
        in str(caught.value)
