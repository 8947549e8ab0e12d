"""Ctrl-C pressed just after the outputs were renamed into place (while the cache record was
written) exited 130 with "no output was changed", though both outputs were new. The message
says what is true at that moment."""

from __future__ import annotations

from click.testing import CliRunner

from brochure.cli import main
from brochure.runtime import cache


def test_ctrl_c_once_the_outputs_are_in_place_says_so(project, tmp_path, monkeypatch, epoch_env):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "out"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cache, "store", interrupted)  # while the record is written
    done = CliRunner().invoke(main, ["build", str(project), "--out", str(out)])
    assert done.exit_code == 130, done.output
    assert "no output was changed" not in done.output
    outputs = sorted(out.glob("*.*"))
    assert [path.suffix for path in outputs] == [".epub", ".pdf"]
    assert (f"interrupted once the outputs were written: {out / outputs[0].name}, "
            f"{out / outputs[1].name} are new and whole") in done.output
