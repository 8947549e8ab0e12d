"""A build refused by the lock once closed the holder's lock twice and removed its lock file,
so a third build could then start beside the first."""

from __future__ import annotations

import pytest

from brochure.core.diagnostics import BrochureError
from brochure.runtime.lock import LOCK_NAME, build_lock


def test_refused_build_leaves_the_holders_lock_in_place(tmp_path):
    with build_lock(tmp_path):
        with pytest.raises(BrochureError, match="another brochure build"), build_lock(tmp_path):
            pass
        assert (tmp_path / LOCK_NAME).exists()
        with pytest.raises(BrochureError, match="another brochure build"), build_lock(tmp_path):
            pass
    assert not (tmp_path / LOCK_NAME).exists()
