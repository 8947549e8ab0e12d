"""Time and memory of each build stage, for the build's summary and the benchmarks.

Stages may overlap (the EPUB is written while the PDF renders in a child process), so the
build's total is the wall time from the first stage's start to the last one's end, not the
sum of the stages.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from brochure.core import progress


def peak_rss_kib() -> int:
    """Peak resident memory of this process and of the children it has waited for."""
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


@dataclass
class Stopwatch:
    seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_kib: dict[str, int] = field(default_factory=dict)  # process peak at the stage's end
    span: list[float] = field(default_factory=list)  # first start and last end, perf_counter()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        progress.tell("stage", name=name, state="start")
        try:
            yield
        finally:
            self.record(name, time.perf_counter() - started, started)
            progress.tell("stage", name=name, state="end")

    def record(self, name: str, seconds: float, started: float | None = None) -> None:
        """Add a stage timed elsewhere (in a child process) that began at ``started``."""
        ended = time.perf_counter()
        started = ended - seconds if started is None else started
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        self.peak_rss_kib[name] = peak_rss_kib()
        self.span[:] = [min(self.span[0], started) if self.span else started,
                        max(self.span[1], ended) if self.span else ended]

    @property
    def total(self) -> float:
        """Wall seconds from the first stage's start to the last stage's end."""
        return self.span[1] - self.span[0] if self.span else 0.0
