"""An HTML comment, CDATA section or <script> left open swallowed the rest of the chapter, its
notes included: the build said "0 notes" and a call's link pointed nowhere. Now each is an
error at the line where it opens."""

from __future__ import annotations

import pytest

from brochure.book.markdown import parse_chapter
from brochure.core.diagnostics import BrochureError, Report
from brochure.core.model import SourceText
from brochure.manuscript.resolver import Resolver


@pytest.mark.parametrize(("opening", "said"), [
    ("<div><!--", "an HTML comment '<!--' is never closed"),
    ("<div><![CDATA[", "a CDATA section '<![CDATA[' is never closed"),
    ("Text <script>x", "a <script> element is never closed"),
    ("<div><?x", "a '<?' processing instruction is never closed"),
    ("<template>", "a <template> element is never closed"),
])
def test_raw_html_left_open_is_an_error_where_it_opens(tmp_path, opening, said):
    text = f"Kept[^n].\n\n[^n]: note\n\n{opening}\n\nLost paragraph.\n"
    report = Report()
    with pytest.raises(BrochureError) as caught:
        parse_chapter(SourceText(tmp_path / "a.md", text), Resolver.for_roots(tmp_path), report)
        report.raise_if_errors()
    assert f"{tmp_path / 'a.md'}:5: error: {said}: it would hide the rest of the chapter" \
        in str(caught.value)


def test_raw_html_that_closes_loses_nothing(tmp_path):
    text = "Kept[^n].\n\n<!-- a <script> in a comment -->\n\n[^n]: note\n\nStill here.\n"
    report = Report()
    chapter = parse_chapter(SourceText(tmp_path / "a.md", text), Resolver.for_roots(tmp_path),
                            report)
    assert not report.errors
    assert "Still here." in "".join(chapter.body.itertext())
    assert list(chapter.definitions) == ["n"]
