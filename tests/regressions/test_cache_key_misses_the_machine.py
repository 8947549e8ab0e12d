"""After libharfbuzz-subset0 was installed (as the build's own warning asked), the build kept
the old PDF and replayed the old warning, while --no-cache gave other bytes: the key did not
cover the machine. It covers what of it changes the PDF, and the build says why it rebuilt."""

from __future__ import annotations

import pytest
from conftest import build_fixture
from test_cache_inputs import SINGLE

from brochure.pdf import environment
from brochure.runtime import cache

pytestmark = pytest.mark.usefixtures("own_cache")  # conftest.py


@pytest.fixture
def crowded(tmp_path):
    (tmp_path / "essay.md").write_text(SINGLE)
    return tmp_path / "essay.md"


def test_what_of_the_machine_changes_the_pdf_is_part_of_the_key(crowded, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build_fixture(crowded, out, formats=("epub",))
    before = environment.describe()
    monkeypatch.setattr(cache, "machine", lambda: {**before, "harfbuzz-subset": "absent",
                                                   "subsetter": "fonttools"})
    again = build_fixture(crowded, out, formats=("epub",))
    assert not again.result.reused
    assert again.result.why == (
        "the PDF's libraries or fonts on this machine changed (harfbuzz-subset "
        f"{before['harfbuzz-subset']} -> absent, subsetter {before['subsetter']} -> fonttools)")
