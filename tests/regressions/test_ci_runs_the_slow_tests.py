"""Regression: .ci/run said (and the README says) it runs the slow tests too, but ran only the
default suite, so the corpus books and the real Dask cluster were never built in CI."""

from __future__ import annotations

from conftest import ROOT


def test_ci_runs_the_default_suite_then_the_slow_tests():
    commands = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-2:] == ["scripts/test", "scripts/test -m slow"]
