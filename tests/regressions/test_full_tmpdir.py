"""A full $TMPDIR (ENOSPC) exited 2 as an internal error: it is the machine's problem, exit 1
with a hint, as for the output folder."""

from __future__ import annotations

import errno
import os

from click.testing import CliRunner

from brochure.cli import main
from brochure.runtime import build as build_module


def test_a_full_temporary_disk_is_the_machines_problem(project, tmp_path, monkeypatch,
                                                      epoch_env):
    """ENOSPC in the PDF's process is an error with a hint (exit 1), not an internal one."""
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setitem(build_module.WRITERS, "pdf", full)
    done = CliRunner().invoke(main, ["build", str(project), "--out", str(tmp_path / "out"),
                                     "--no-cache"])
    assert done.exit_code == 1, done.output
    assert "error: no space left on the disk" in done.output
    assert "set TMPDIR to use another disk" in done.output and "internal error" not in done.output
