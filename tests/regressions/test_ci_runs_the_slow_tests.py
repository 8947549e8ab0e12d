"""Regression: .ci/run said (and the README says) it runs the slow tests too, but ran only the
default suite, so the corpus books and the real Dask cluster were never built in CI."""

from __future__ import annotations

from conftest import ROOT


def commands(script: str) -> list[str]:
    """The commands of a shell script, comments left out."""
    lines = (line.split("#", 1)[0].strip() for line in (ROOT / script).read_text().splitlines())
    return [line for line in lines if line]


def test_ci_runs_the_default_suite_then_the_slow_tests():
    assert commands(".ci/run")[-2:] == ["scripts/test", "scripts/test -m slow"]
    # The README's test command ends in pytest, with the arguments it was given.
    assert commands("scripts/test")[-1] == 'exec .venv/bin/pytest "$@"'
