"""Same input, same bytes: whatever the time zone, the umask or the working directory."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import EPOCH, ROOT


def build_in(out, cwd, tz: str, umask: int) -> dict[str, bytes]:
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, TZ=tz)
    done = subprocess.run(
        [sys.executable, "-m", "brochure", "build", str(ROOT / "manuscript"), "--out", str(out)],
        cwd=cwd, env=env, capture_output=True, text=True, preexec_fn=lambda: os.umask(umask))
    assert done.returncode == 0, done.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_time_zone_umask_and_working_directory_do_not_change_the_outputs(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    first = build_in(tmp_path / "a", ROOT, "UTC", 0o022)
    second = build_in(tmp_path / "b", elsewhere, "Pacific/Kiritimati", 0o077)
    assert sorted(first) == [f"le-client-moderne-comme-employe-a-titre-gratuit.{f}"
                             for f in ("epub", "pdf")]
    assert first == second
    for path in (tmp_path / "b").iterdir():
        assert path.stat().st_mode & 0o777 == 0o644  # readable by all, whatever the umask
