"""The typography rules looked for URLs and e-mail addresses from every letter of a word: a
word of 1 MB without '://' or '@' took hours (quadratic backtracking). Found by the
resource-exhaustion test of a 1 MB word."""

from __future__ import annotations

from brochure.book.typography import RULES, decide
from brochure.core.sandbox import Bound, run_bounded


def test_a_long_word_is_read_once():
    # 200,000 letters: about 20 billion steps before (stopped by the bound), milliseconds now.
    text = "a" * 200_000 + " end."
    assert run_bounded(decide, (text, RULES["en"]), Bound(seconds=20, memory_mib=512),
                       "typography") == {}


def test_urls_and_addresses_are_still_protected():
    rules = RULES["fr"]
    text = "see https://example.org/a:b and x.y+z@example.co.uk: done"
    out = decide(text, rules)
    assert text.index("a:b") + 1 not in out  # the colon inside the URL gets no space
    assert out.get(text.index("uk:") + 2) == "\u00a0:"  # the colon after the address does
