"""A cluster's builder (python -m brochure.shelf.remote) was left running after the test suite:
a test ran a job in its own thread and never stopped the builder that thread kept, which the
kernel ends only with the thread that started it (test_cluster.py now stops it, and checks that
no builder outlives its tests). A builder whose worker was already gone when it arranged to end
with it (its imports take a second) waited for jobs on a pipe other processes may still hold:
it now ends at once."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import ROOT


def test_a_builder_whose_worker_is_gone_ends_at_once():
    gone = subprocess.Popen(["true"])
    gone.wait()
    reader, writer = os.pipe()  # a job pipe still held open, as by a process forked meanwhile
    builder = subprocess.Popen([sys.executable, "-m", "brochure.shelf.remote", str(gone.pid)],
                               stdin=reader, stdout=subprocess.DEVNULL, cwd=ROOT)
    os.close(reader)
    try:
        assert builder.wait(timeout=60) == 1
    finally:
        builder.kill()
        builder.wait()
        os.close(writer)
