"""Ctrl-C in the first 0.3 s of a build printed Python's traceback (KeyboardInterrupt while
the command was importing its libraries). From the first line of brochure's own code, an
interruption says that nothing was changed and exits 130."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest
from conftest import FIXTURES
from test_interrupted import COMMAND, environment


@pytest.mark.parametrize("after", [0.1, 0.15, 0.2, 0.3, 0.45])
def test_ctrl_c_while_starting_prints_no_traceback(tmp_path, after):
    """From the moment brochure's own code runs (Python itself starts first, in about 0.05 s)."""
    build = subprocess.Popen([*COMMAND, str(FIXTURES / "two-chapters"), "--out",
                              str(tmp_path / "out"), "--no-cache"], env=environment(tmp_path),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    build.send_signal(signal.SIGINT)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 130, stderr
    assert "Traceback" not in stderr and stderr.strip() == "interrupted; no output was changed"
