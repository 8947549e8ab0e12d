"""One quadratic step of WeasyPrint's, made linear for books with many notes.

As each page is laid out, WeasyPrint 70 calls ``TargetCollector.cache_target_page_counters``
for every anchor on it (every element with an id), and that looks through every
``target-counter()`` lookup of the document for the ones naming the anchor: anchors times
lookups. In a book each note's "↑ p. 12" is a lookup and each call and note an anchor, so the
step grows with the square of the notes: 0.02 s of layout for 150 notes, 0.18 s for 600,
10.3 s of 96 s for 2,960 (benchmarks/README.md). The replacement below does the same things
in the same order, but finds an anchor's lookups in an index built when pagination starts
(WeasyPrint collects lookups only before it). It is applied only to the WeasyPrint versions it
was checked against, and ``tests/test_pdf.py`` checks that the PDF's bytes do not change.
"""

from __future__ import annotations

import copy

from weasyprint import __version__
from weasyprint.css.targets import TargetCollector

CHECKED_VERSIONS = ("70.0",)
_ORIGINAL = TargetCollector.cache_target_page_counters


def _lookups_by_anchor(collector: TargetCollector) -> dict[str, list]:
    index = collector.__dict__.get("_lookups_by_anchor")
    if index is None:
        index = {}
        for (_, css_token), lookup in collector.counter_lookup_items.items():
            if css_token == "content":
                for anchor_name in lookup.missing_target_counters:
                    index.setdefault(anchor_name, []).append(lookup)
        collector._lookups_by_anchor = index
    return index


def cache_target_page_counters(self: TargetCollector, anchor_name, page_counter_values,
                               page_maker_index, page_maker) -> None:
    """WeasyPrint 70's method of the same name, with the lookups of the anchor indexed."""
    if self.collecting:
        return
    item = self.target_lookup_items.get(anchor_name)
    if not item or item.state != "up-to-date":
        return
    item.page_maker_index = page_maker_index
    if item.cached_page_counter_values == page_counter_values:
        return
    item.cached_page_counter_values = copy.deepcopy(page_counter_values)
    for lookup in _lookups_by_anchor(self).get(anchor_name, ()):
        if lookup.page_maker_index is None or lookup.page_maker_index >= len(page_maker):
            lookup.pending = True  # its page is not laid out yet: remade when it is
            continue
        for counter_name in lookup.missing_target_counters[anchor_name]:
            if page_counter_values.get(counter_name) is not None:
                page_maker[lookup.page_maker_index][-1]["content_changed"] = True
                lookup.parse_again(lookup.cached_page_counter_values)
                break


def apply(enabled: bool = True) -> None:
    """Use the indexed method (or WeasyPrint's own again, ``enabled=False``)."""
    use = enabled and __version__ in CHECKED_VERSIONS
    TargetCollector.cache_target_page_counters = cache_target_page_counters if use else _ORIGINAL
