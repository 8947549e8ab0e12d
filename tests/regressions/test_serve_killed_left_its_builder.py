"""`brochure serve` killed outright (kill -9, or an exit that skipped its cleanup) left its
builder process running forever: the builder held both ends of its pipe to the server, so it
never saw the server go, and blocked on a message nobody would read. The builder now dies with
the server, and everything it started with it."""

from __future__ import annotations

import signal

from conftest import FIXTURES
from test_interrupted import alive, descendants, wait_for
from test_serve import start_serving


def test_the_builder_dies_with_a_server_killed_outright():
    served = start_serving(FIXTURES / "two-chapters")
    assert wait_for(lambda: len(descendants(served.process.pid)) >= 2, 30)  # building: the PDF's too
    below = descendants(served.process.pid)
    served.process.send_signal(signal.SIGKILL)
    served.process.wait(timeout=30)
    assert wait_for(lambda: not any(alive(pid) for pid in below), 10), \
        [pid for pid in below if alive(pid)]
