"""Tasks side by side, each in a forked process of its own, at most so many at a time.

A task's process builds one book (its own Markdown and PDF processes below it), so a crash or a
leak of one book never reaches another, and its memory is returned when it ends. Results come
back through a pipe as each task ends, in the order they end. On Ctrl-C (or any exception in the
caller) the running tasks are told to stop as a terminal's Ctrl-C tells them, given a moment to
leave their outputs as they were, then killed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Generic, TypeVar

K = TypeVar("K")
T = TypeVar("T")
# A build interrupted by the terminal's Ctrl-C ends within moments, its outputs as they were; one
# that did not get it (only this process was interrupted) is sent it after a moment, so that it
# never gets it twice while it cleans up; then killed if it does not end.
CTRL_C_SECONDS = 2.0
STOP_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class Crashed:
    """A task's process ended without a result: killed (out of memory), or a crash in C code."""

    cause: str  # "signal SIGKILL", "exit status 1"


@dataclass
class _Running(Generic[K]):
    key: K
    process: Any
    receive: Any


def side_by_side(tasks: Iterable[tuple[K, Callable[..., T], tuple[Any, ...]]],
                 at_once: int) -> Iterator[tuple[K, T | Crashed]]:
    """(key, result) of each (key, function, args), the function run in a forked process."""
    pending = iter(tasks)
    running: list[_Running[K]] = []
    context = multiprocessing.get_context("fork")
    try:
        while True:
            while len(running) < at_once and (task := next(pending, None)) is not None:
                running.append(_start(context, *task))
            if not running:
                return
            ready = set(wait([job.receive for job in running]))
            for job in [job for job in running if job.receive in ready]:
                running.remove(job)
                yield job.key, _finish(job)
    finally:
        _stop(running)


def _start(context: Any, key: K, function: Callable[..., Any], args: tuple[Any, ...]) -> _Running[K]:
    receive, send = context.Pipe(duplex=False)
    # Not a daemon: a book's build starts processes of its own.
    process = context.Process(target=_child, args=(send, function, args))
    process.start()
    send.close()
    return _Running(key, process, receive)


def _child(send: Any, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    result = function(*args)
    send.send_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    send.close()


def _finish(job: _Running[K]) -> Any:
    try:
        data = job.receive.recv_bytes()
    except (EOFError, OSError):
        data = b""
    job.receive.close()
    job.process.join()
    if data:
        return pickle.loads(data)
    code = job.process.exitcode or 0
    return Crashed(f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}")


def _stop(running: list[_Running[K]]) -> None:
    """The tasks still running end: on the terminal's Ctrl-C, else on one sent to them, else
    killed."""
    _wait(running, CTRL_C_SECONDS)
    for job in running:
        with contextlib.suppress(OSError):
            if job.process.is_alive() and job.process.pid is not None:
                os.kill(job.process.pid, signal.SIGINT)
    _wait(running, STOP_GRACE_SECONDS)
    for job in running:
        if job.process.is_alive():
            job.process.kill()
            job.process.join()
        job.receive.close()


def _wait(running: list[_Running[K]], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    for job in running:
        job.process.join(max(0.0, deadline - time.monotonic()))
