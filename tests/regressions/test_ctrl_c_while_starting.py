"""Ctrl-C in the first 0.3 s of a build printed Python's traceback (KeyboardInterrupt while
the command was importing its libraries). From the first line of brochure's own code (the
interpreter starts before it), an interruption says that nothing was changed and exits 130."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import FIXTURES
from test_interrupted import COMMAND, environment, wait_for


def catches_sigterm(pid: int) -> bool:
    """Whether the process handles SIGTERM: brochure's first lines make it, Python does not."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(next(line for line in status.splitlines() if line.startswith("SigCgt:"))
                 .split()[1], 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


@pytest.mark.parametrize("after", [0, 0.05, 0.1, 0.2, 0.3])
def test_ctrl_c_while_starting_prints_no_traceback(tmp_path, after):
    build = subprocess.Popen([*COMMAND, str(FIXTURES / "two-chapters"), "--out",
                              str(tmp_path / "out"), "--no-cache"], env=environment(tmp_path),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: catches_sigterm(build.pid), 30)
    time.sleep(after)
    build.send_signal(signal.SIGINT)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 130, stderr
    assert "Traceback" not in stderr and stderr.strip() == "interrupted; no output was changed"
