"""`brochure serve` stopped with Ctrl-C said "interrupted; no output was changed" and exited 130,
as an interrupted build does: the handler that reports interruptions from the first moment
(__main__.py) was still in place when the server ended, and took the Ctrl-C uvicorn raises
again once it has stopped. To the server, Ctrl-C (or SIGTERM) is the stop, at any moment:
"stopped", exit status 0, no process left."""

from __future__ import annotations

import signal
import subprocess
import sys

from conftest import FIXTURES, ROOT
from test_ctrl_c_while_starting import catches_sigterm
from test_interrupted import alive, descendants, wait_for
from test_serve import start_serving


def test_sigterm_stops_the_server_and_everything_it_started(tmp_path):
    served = start_serving(FIXTURES / "two-chapters")
    below = descendants(served.process.pid)
    assert below  # the builder, at least
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=30) == 0, served.errors
    assert wait_for(lambda: served.errors and served.errors[-1].strip() == "stopped", 5), served.errors
    assert not any("interrupted" in line for line in served.errors)
    assert wait_for(lambda: not any(alive(pid) for pid in below), 10)


def test_ctrl_c_while_the_server_starts_is_its_stop(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "brochure", "serve",
                                str(FIXTURES / "two-chapters"), "--port", "0"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: catches_sigterm(process.pid), 30)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert stderr.strip() == "stopped"
