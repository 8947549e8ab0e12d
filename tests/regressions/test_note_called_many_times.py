"""Python-Markdown's footnotes extension gave each repeated call of a note its id by counting
up from 1 past every earlier call: a note called in each row of a 10,000-row table took
minutes (quadratic). The bound stopped it; now it builds."""

from __future__ import annotations

from brochure.book.markdown import parse_chapter
from brochure.core.diagnostics import Report
from brochure.core.model import SourceText
from brochure.core.sandbox import Bound, Limits
from brochure.manuscript.resolver import Resolver


def test_a_note_called_five_thousand_times_parses_within_a_small_bound(tmp_path):
    text = "".join(f"Call {i}[^n].\n\n" for i in range(5_000)) + "[^n]: The note.\n"
    source = SourceText(tmp_path / "a.md", text)
    limits = Limits(markdown=Bound(seconds=30, memory_mib=1024))
    parsed = parse_chapter(source, Resolver.for_roots(tmp_path), Report(), limits)
    assert len(parsed.references) == 5_000
    assert {label for _, label in parsed.references} == {"n"}
