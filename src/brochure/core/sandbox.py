"""Run one stage of a build in a child process, bounded in time and memory.

Python-Markdown and WeasyPrint can take minutes or gigabytes on a hostile manuscript
(quadratic bracket matching, deeply nested blocks, enormous tables). Each such stage runs
in a forked child with an address-space limit (``resource.setrlimit``) and a deadline; the
parent gets the stage's result back through a pipe, or a clear error when a bound is hit.
The child is forked, so it starts from the parent's objects (nothing is pickled on the way
in) and returns a picklable result, which keeps the output identical to an in-process run.

The PDF's child is a ``Worker`` forked early, while the parent is still small: it imports
WeasyPrint while the parent parses the manuscript, then takes its one job through a pipe (so
the job must pickle). Its memory is then WeasyPrint's, not a copy of the parent's heap.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import importlib
import multiprocessing
import os
import pickle
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from brochure.core import scratch
from brochure.core.diagnostics import BrochureError, Location, error
from brochure.core.files import environment_error

T = TypeVar("T")
MiB = 2**20


@dataclass(frozen=True)
class Bound:
    """How long and how much memory (beyond what brochure already uses) a stage may take."""

    seconds: float
    memory_mib: int


@dataclass(frozen=True)
class Limits:
    markdown: Bound = Bound(seconds=60, memory_mib=1024)
    pdf: Bound = Bound(seconds=600, memory_mib=3072)
    # Unless a time is given, a long book's PDF may take longer: this many seconds for each
    # MiB of its document beyond the first. Pepys's 3,600 pages (8.4 MiB) took 5 minutes on
    # two quiet cores and over 10 on two busy ones; they may take 32. A runaway rule on a
    # pamphlet is still stopped after 10 minutes.
    pdf_seconds_per_mib: float | None = 180

    @classmethod
    def scaled(cls, seconds: float | None = None, memory_mib: int | None = None) -> Limits:
        """Limits with the given bounds for every stage (``None`` keeps the default); a time
        given holds whatever the size of the book."""
        base = cls()
        markdown, pdf = (Bound(seconds if seconds is not None else b.seconds,
                               memory_mib if memory_mib is not None else b.memory_mib)
                         for b in (base.markdown, base.pdf))
        return cls(markdown, pdf,
                   pdf_seconds_per_mib=base.pdf_seconds_per_mib if seconds is None else None)

    def pdf_for(self, document_bytes: int) -> Bound:
        """The PDF's bound for a document of this many bytes."""
        if self.pdf_seconds_per_mib is None or document_bytes <= MiB:
            return self.pdf
        extra = (document_bytes - MiB) / MiB * self.pdf_seconds_per_mib
        return Bound(self.pdf.seconds + extra, self.pdf.memory_mib)


class _Failure:
    """What the child sends back instead of a result."""

    def __init__(self, kind: str, detail: str = "", payload: Any = None):
        self.kind, self.detail, self.payload = kind, detail, payload


def _address_space() -> int:
    """Bytes of address space this process maps now (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as stream:
            return int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _child(connection, function: Callable[..., Any], args: tuple, memory: int,
           parents: tuple) -> None:
    quiet_child(*parents)
    _limit(memory)
    _run(connection, lambda: function(*args))


def _serve(jobs, connection, preload: tuple[str, ...], memory: int, parents: tuple) -> None:
    """A worker: import ``preload`` now, then run the one job the parent sends."""
    quiet_child(*parents)
    try:
        for module in preload:
            importlib.import_module(module)
    except BaseException as exc:  # reported by the parent when it asks for the result
        _reply(connection, _Failure("internal", f"{type(exc).__name__}: {exc}",
                                    traceback.format_exc()))
    try:
        received = [jobs.recv_bytes()]
    except EOFError:  # the parent stopped the worker before it had a job for it
        os._exit(0)
    jobs.close()
    _limit(memory)  # the job's own bytes count: a huge job is bounded too

    def job() -> Any:
        function, args = pickle.loads(received.pop())  # its bytes freed before it runs
        return function(*args)

    _run(connection, job)


def quiet_child(*parents) -> None:
    """In a child: Ctrl-C is the parent's to handle, and a crash the parent's to report; the
    child dies with its parent, closes the parent's ends of their pipes (``parents``), so that
    a read of its own end sees the parent go, and writes its temporary files (WeasyPrint's
    among them) into the build's folder, which the build removes however it ends."""
    parent = os.getppid()
    folder = scratch.current()
    if folder is not None:
        scratch.use_in_this_process(folder)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends the child
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    faulthandler.disable()  # a crash (out of memory in C code) is reported by the parent
    _end_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    for connection in parents:
        with contextlib.suppress(OSError):
            connection.close()


def _end_with_parent() -> None:
    """Linux: the kernel kills this process when its parent dies (kill -9 included): a child
    left alone would keep running, and keep what it holds."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _limit(memory: int) -> None:
    """At most ``memory`` bytes of address space beyond what this process maps now."""
    used = _address_space()
    if used:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (used + memory, resource.RLIM_INFINITY))


def _run(connection, job: Callable[[], Any]) -> None:
    try:
        outcome: Any = job()
    except BrochureError as exc:
        outcome = _Failure("brochure", payload=exc.diagnostics)
    except MemoryError:
        outcome = _Failure("memory")
    except OSError as exc:  # a full disk is the machine's problem, not a bug
        lack = environment_error(exc)
        outcome = (_Failure("brochure", payload=lack.diagnostics) if lack is not None else
                   _Failure("internal", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    except RecursionError:
        outcome = _Failure("recursion")
    except KeyboardInterrupt:
        outcome = _Failure("interrupt")
    except BaseException as exc:  # reported by the parent as an internal error
        outcome = _Failure("internal", f"{type(exc).__name__}: {exc}", traceback.format_exc())
    _reply(connection, outcome)


def _reply(connection, outcome: Any) -> None:
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps(_Failure("memory"))
    try:
        connection.send_bytes(data)
    finally:
        connection.close()
        sys.stdout.flush()
        os._exit(0)


def usable_cores() -> int:
    """The cores this process may run on (a container may allow fewer than the machine has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def run_bounded(function: Callable[..., T], args: tuple, bound: Bound, stage: str,
                location: Location | None = None, hint: str | None = None) -> T:
    """``function(*args)`` in a child process; a ``BrochureError`` if it breaks a bound."""
    return start_bounded(function, args, bound, stage, location, hint).result()


def start_bounded(function: Callable[..., T], args: tuple, bound: Bound, stage: str,
                  location: Location | None = None, hint: str | None = None) -> Running[T]:
    """Start ``function(*args)`` in a bounded child process and return at once, so that the
    parent can work meanwhile (it writes the EPUB while the PDF renders); ``result()`` waits."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, function, args, bound.memory_mib * MiB,
                                                   (receive,)), daemon=True)
    process.start()
    send.close()
    return Running(process, receive, time.monotonic() + bound.seconds, bound, stage, location,
                   hint)


def start_worker(bound: Bound, stage: str, preload: tuple[str, ...] = (),
                 location: Location | None = None, hint: str | None = None) -> Worker:
    """Fork a bounded worker now that imports ``preload`` and waits for ``Worker.submit``."""
    context = multiprocessing.get_context("fork")
    jobs_in, jobs_out = context.Pipe(duplex=False)
    receive, send = context.Pipe(duplex=False)
    # Not a daemon: a daemon may not have children, and a long book's PDF is laid out in
    # chunks by children of this worker (parallel_pdf.py). The build ends it in any case.
    process = context.Process(target=_serve, args=(jobs_in, send, preload, bound.memory_mib * MiB,
                                                   (jobs_out, receive)))
    process.start()
    jobs_in.close()
    send.close()
    return Worker(process, jobs_out, receive, bound, stage, location, hint)


def end_process(process, *connections) -> None:
    """Kill ``process`` if it still runs, reap it, and close its pipes (closing twice is safe)."""
    if process.is_alive():
        process.kill()
    process.join()
    for connection in connections:
        connection.close()


@dataclass
class Worker:
    """A child forked by ``start_worker``, waiting for its job."""

    process: Any
    jobs: Any
    receive: Any
    bound: Bound
    stage: str
    location: Location | None
    hint: str | None

    def submit(self, function: Callable[..., T], args: tuple,
               seconds: float | None = None) -> Running[T]:
        """Send the job (it must pickle); its deadline starts now, ``seconds`` (default: the
        worker's bound) from now."""
        data = pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError):  # a worker that died early: result() says why
            self.jobs.send_bytes(data)
        self.jobs.close()
        bound = self.bound if seconds is None else Bound(seconds, self.bound.memory_mib)
        return Running(self.process, self.receive, time.monotonic() + bound.seconds,
                       bound, self.stage, self.location, self.hint)

    def stop(self) -> None:
        """End the worker (the build failed before it had a job, or its result came)."""
        end_process(self.process, self.jobs, self.receive)


@dataclass
class Running(Generic[T]):
    """A stage running in a child process (see ``start_bounded``)."""

    process: Any
    receive: Any
    deadline: float  # time.monotonic() after which the child is stopped
    bound: Bound
    stage: str
    location: Location | None
    hint: str | None

    def stop(self) -> None:
        """End the child if it still runs (its result is no longer wanted, or it overran)."""
        end_process(self.process, self.receive)

    def result(self) -> T:
        """Wait for the child: its result, or a ``BrochureError`` if it broke a bound."""
        process, receive, deadline = self.process, self.receive, self.deadline
        bound, stage, location, hint = self.bound, self.stage, self.location, self.hint
        try:
            data = None
            while data is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise error(f"{stage} took longer than {bound.seconds:g} s and was stopped",
                                location, hint or "raise the limit with --time-limit if the book is "
                                "really that large")
                if receive.poll(min(remaining, 0.5)):
                    try:
                        data = receive.recv_bytes()
                    except EOFError:
                        data = b""
                elif not process.is_alive() and not receive.poll(0):
                    data = b""
        finally:
            self.stop()
        if not data:
            code = process.exitcode or 0
            cause = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
            raise error(f"{stage} stopped abnormally ({cause}); it probably ran out of the "
                        f"{bound.memory_mib} MiB it may use", location,
                        hint or "raise the limit with --memory-limit if the book is really that large")
        outcome = pickle.loads(data)
        if not isinstance(outcome, _Failure):
            return outcome
        if outcome.kind == "interrupt":
            raise KeyboardInterrupt
        if outcome.kind == "brochure":
            raise BrochureError(outcome.payload)
        if outcome.kind == "memory":
            raise error(f"{stage} needed more than the {bound.memory_mib} MiB it may use", location,
                        hint or "raise the limit with --memory-limit if the book is really that large")
        if outcome.kind == "recursion":
            raise error(f"{stage}: the text is nested too deeply", location,
                        hint or "reduce the nesting of block quotes and lists")
        failure = RuntimeError(f"{stage}: {outcome.detail}")
        failure.add_note(f"in the child process:\n{outcome.payload}")  # shown by --debug
        raise failure
