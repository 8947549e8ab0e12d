"""kill -9 of a build left its PDF worker running, blocked on its pipe, holding the output
folder's lock (a forked child shares the lock): every later build failed with "another
brochure build is writing". Children now close the lock as they start."""

from __future__ import annotations

import multiprocessing
import time

from brochure.runtime.lock import build_lock


def _linger(seconds: float) -> None:
    time.sleep(seconds)


def test_a_child_outliving_the_build_does_not_hold_its_lock(tmp_path):
    child = None
    try:
        with build_lock(tmp_path):
            child = multiprocessing.get_context("fork").Process(target=_linger, args=(30,))
            child.start()
        taken_over: list[str] = []
        with build_lock(tmp_path, taken_over):  # would fail if the child held the lock
            assert child.is_alive()
    finally:
        if child is not None:
            child.kill()
            child.join()
