"""On a cluster's worker: one book built from the bytes of its job.

The Dask task (``run_job``) hands the job to a builder: a ``python -m brochure.shelf.remote``
process that has imported brochure once and is kept for the next job, one per worker thread. A
Dask worker has threads and is often a daemonic process, where forking is unsafe and
multiprocessing refused; the builder is neither, so it forks a child for each job (a crash
takes only that job, and the memory goes back when it ends). The child writes the job's files
into a private temporary folder, builds there with the client's settings, cores and
SOURCE_DATE_EPOCH, and sends the outputs' bytes back; the folder is removed whatever happens.
The builder ends with the worker thread that started it (or with ``stop_builder``), and a job's
child with its builder.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

from brochure.core import memo
from brochure.core.diagnostics import BrochureError, Report, error
from brochure.core.fingerprint import code_digest, default_styles_dir
from brochure.runtime.build import BuildOptions, make
from brochure.runtime.stopwatch import Stopwatch
from brochure.shelf.books import warm_up
from brochure.shelf.job import BookJob, Bundle, JobOutcome, unpack

_HEADER = struct.Struct(">Q")
_builders = threading.local()  # the builder of each worker thread


class BuilderLost(RuntimeError):
    """The builder or the job's process ended before sending a result (killed, out of memory):
    Dask runs the task again, here or on another worker."""


# -- the Dask task, in the worker process ----------------------------------------------------------


def run_job(job: BookJob, styles: Bundle | None) -> JobOutcome:
    """Build ``job`` (with ``styles``, or brochure's own stylesheets when None) in this
    thread's builder; its outcome, failed or not. Raises ``BuilderLost`` to be retried."""
    builder: _Builder | None = getattr(_builders, "builder", None)
    if builder is None or not builder.alive():
        builder = _builders.builder = _Builder.start()
    try:
        outcome = builder.run(job, styles)
        return dataclasses.replace(outcome, host=_worker_name() or outcome.host)
    except BaseException:
        stop_builder()
        raise


def stop_builder() -> None:
    """End this thread's builder process, if it has one: a thread that builds no more books."""
    builder: _Builder | None = getattr(_builders, "builder", None)
    _builders.builder = None
    if builder is not None:
        builder.stop()


def _worker_name() -> str | None:
    """The Dask worker's name (``dask worker --name``), when this runs in one."""
    try:
        from distributed import get_worker

        return str(get_worker().name)
    except (ImportError, ValueError):
        return None


class _Builder:
    """A builder process, from the worker's side: jobs in on its stdin, outcomes out on its stdout."""

    def __init__(self, process: subprocess.Popen[bytes]):
        self.process = process

    @classmethod
    def start(cls) -> _Builder:
        return cls(subprocess.Popen([sys.executable, "-m", "brochure.shelf.remote", str(os.getpid())],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE))

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, job: BookJob, styles: Bundle | None) -> JobOutcome:
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            _send(self.process.stdin, pickle.dumps((job, styles), protocol=pickle.HIGHEST_PROTOCOL))
            reply = _receive(self.process.stdout)
        except OSError as exc:
            raise BuilderLost(f"the builder process ended: {exc}") from None
        if reply is None:
            raise BuilderLost(f"the builder process ended ({self.process.poll()})")
        outcome = pickle.loads(reply)
        if isinstance(outcome, str):
            raise BuilderLost(outcome)
        return outcome

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


def _send(stream: IO[bytes], data: bytes) -> None:
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> bytes | None:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    size = _HEADER.unpack(header)[0]
    data = stream.read(size)
    return data if len(data) == size else None


# -- the builder process ------------------------------------------------------------------------------


def serve(inbox: IO[bytes], outbox: IO[bytes]) -> None:
    """Take jobs until the worker closes the pipe; build each in a child process of its own."""
    while (request := _receive(inbox)) is not None:
        job, styles = pickle.loads(request)
        _send(outbox, pickle.dumps(_in_child(job, styles), protocol=pickle.HIGHEST_PROTOCOL))


def _in_child(job: BookJob, styles: Bundle | None) -> JobOutcome | str:
    """The job's outcome from a forked child, or why the child gave none."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, job, styles))
    child.start()
    send.close()
    try:
        data = receive.recv_bytes()
    except EOFError:
        data = b""
    finally:
        receive.close()
        child.join()
    if not data:
        code = child.exitcode or 0
        cause = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
        return f"the build of the book stopped abnormally ({cause})"
    outcome: JobOutcome = pickle.loads(data)
    return outcome


def _child(send: Any, job: BookJob, styles: Bundle | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the client stops the work, not a terminal
    _end_with_parent()
    outcome = build_from_bytes(job, styles)
    send.send_bytes(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    send.close()


def build_from_bytes(job: BookJob, styles: Bundle | None) -> JobOutcome:
    """The book of ``job``, built in a temporary folder from its bytes alone (in this process:
    it sets SOURCE_DATE_EPOCH to the client's)."""
    host = socket.gethostname()
    if job.code != code_digest():
        refusal = error(f"the worker {host} runs another brochure than the client (another "
                        "version, or other versions of the libraries that make the bytes)",
                        hint="install the same brochure, with the same libraries, on the client "
                             "and on every worker")
        return JobOutcome((), None, 0, tuple(refusal.diagnostics), {}, Stopwatch(), ("", ""), host,
                          failed=True)
    if job.source_date_epoch is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = job.source_date_epoch
    with tempfile.TemporaryDirectory(prefix="brochure-job-") as folder:
        root = Path(folder).resolve()
        manuscript = unpack(job.manuscript, root / "manuscript")
        styles_dir = unpack(styles, root / "styles") if styles is not None else default_styles_dir()
        roots = (str(manuscript), str(styles_dir.resolve()))
        options = BuildOptions(manuscript / job.entry if job.entry else manuscript, root / "out",
                               styles_dir, job.check, job.settings, job.limits, cache=False,
                               defaults=job.defaults, cores=job.cores)
        report = Report()
        try:
            with memo.active() as kept:  # the worker's own: results of its earlier builds
                result = make(options, report)
        except BrochureError as exc:
            said = [*report.diagnostics, *(d for d in exc.diagnostics if d not in report.diagnostics)]
            return JobOutcome((), None, 0, tuple(said), {}, Stopwatch(), roots, host, failed=True)
        outputs = tuple((fmt.value, path.name, path.read_bytes())
                        for fmt, path in result.outputs.items())
        recalled = {kind: (kept.reused[kind], kept.reused[kind] + kept.computed[kind])
                    for kind in sorted(kept.reused | kept.computed)}
        return JobOutcome(outputs, result.pages, result.notes, tuple(result.diagnostics),
                          result.details, result.stopwatch, roots, host, recalled=recalled)


def _end_with_parent() -> None:
    """Linux: this process is killed when the one that started it ends."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def main() -> None:
    """The builder: the pipe to the worker is a copy of stdout; anything printed goes to stderr.
    Its argument is the worker's process id: a worker gone before the builder could arrange to
    end with it (its imports take a second) leaves the builder alone, which then ends at once."""
    _end_with_parent()
    if sys.argv[1:] and os.getppid() != int(sys.argv[1]):
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    outbox = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    code_digest()  # once, for every job: their processes are forked from this one
    warm_up()
    serve(sys.stdin.buffer, outbox)


if __name__ == "__main__":
    main()
