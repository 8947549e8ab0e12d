"""Books built on a Dask cluster (``--cluster tcp://HOST:8786``, the ``brochure[cluster]`` extra).

Each book goes through ``build`` as on one machine: its output folder's lock, and the cache key
computed here, so that an unchanged book never leaves this machine. Only a book that must be
built is read here, checked as a local build checks it, and sent as bytes (job.py); the worker
builds it from those bytes (remote.py) and sends the outputs' bytes back, which are written here
all at once as a local build writes them. A worker that dies while building is replaced by
another (Dask runs its tasks again); nothing is written until the outputs have arrived whole.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import threading
from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brochure.core.diagnostics import BrochureError, Location, Report, error
from brochure.core.fingerprint import code_digest, default_styles_dir
from brochure.core.settings import Format
from brochure.manuscript.read import project_folders
from brochure.manuscript.resolver import Resolver
from brochure.runtime.build import BuildOptions, BuildResult, read
from brochure.runtime.publish import publish
from brochure.shelf.books import BookRun, Plan, build_one
from brochure.shelf.job import BookJob, Bundle, JobOutcome, bundle, moved
from brochure.shelf.remote import run_job

# Tasks that raised (a builder that died with its job) are run again so many times; a worker
# that dies has its tasks run elsewhere by the scheduler itself (its allowed-failures).
RETRIES = 2
CONNECT_SECONDS = 10
WORKERS_SECONDS = 30  # for a first worker to join a scheduler that has none yet


@dataclass
class Cluster:
    """A connection to a Dask scheduler, and the stylesheets already sent to its workers."""

    client: Any
    sent_styles: dict[Path, Any] = field(default_factory=dict)  # folder -> future of its Bundle
    lock: threading.Lock = field(default_factory=threading.Lock)
    running: set[Any] = field(default_factory=set)  # futures of the books being built
    built_on: dict[Path, str] = field(default_factory=dict)  # output folder -> worker

    def threads(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def close(self) -> None:
        with self.lock:
            self.client.cancel(list(self.running))
        self.client.close()

    def recipe(self, options: BuildOptions, report: Report) -> BuildResult:
        """``make`` on a worker: the book sent, built there, its outputs published here."""
        scratch = Report()  # the worker says the same warnings again
        try:
            read(options, scratch)  # the same checks as a local build's, before sending anything
        except BrochureError:
            report.diagnostics.extend(scratch.diagnostics)
            raise
        folder, styles = (path.resolve() for path in project_folders(options.manuscript,
                                                                      options.styles_dir))
        resolver = Resolver.for_roots(folder, styles)
        job = BookJob(bundle(folder, resolver, options.out_dir),
                      options.manuscript.name if options.manuscript.is_file() else None,
                      options.settings, options.defaults, options.check, options.limits,
                      options.cores, os.environ.get("SOURCE_DATE_EPOCH"), code_digest())
        outcome = self._built(job, self._styles(styles, resolver), options.manuscript)
        said = moved(outcome.diagnostics, {outcome.roots[0]: str(folder),
                                           outcome.roots[1]: str(styles)})
        report.diagnostics.extend(d for d in said if not outcome.failed or d.level != "error")
        if outcome.failed:
            raise BrochureError([d for d in said if d.level == "error"])
        paths = {Format(fmt): options.out_dir / name for fmt, name, _ in outcome.outputs}
        _refuse_inputs(paths, folder, job.manuscript)
        publish({paths[Format(fmt)]: data for fmt, _, data in outcome.outputs})
        with self.lock:
            self.built_on[options.out_dir] = outcome.host
        # The build's own time, on the worker: the wait for a free worker is the shelf's.
        return BuildResult(paths, {Format(fmt): len(data) for fmt, _, data in outcome.outputs},
                           outcome.pages, outcome.notes, outcome.stopwatch.total,
                           report.diagnostics, outcome.details, outcome.stopwatch,
                           recalled=outcome.recalled)

    def _built(self, job: BookJob, styles: Any, manuscript: Path) -> JobOutcome:
        """The job run on the cluster, Dask running it again where a worker died."""
        future = self.client.submit(run_job, job, styles, pure=False, retries=RETRIES,
                                    key=f"brochure-{job.manuscript.name}-{secrets.token_hex(4)}")
        with self.lock:
            self.running.add(future)
        try:
            outcome: JobOutcome = future.result()
        except Exception as exc:  # the cluster gave up: a task failed every time, or was cancelled
            raise error(f"the cluster did not build '{manuscript}': {type(exc).__name__}: {exc}",
                        Location(manuscript),
                        "see the workers' logs; build it on this machine to compare") from None
        finally:
            with self.lock:
                self.running.discard(future)
            future.release()
        return outcome

    def _styles(self, folder: Path, resolver: Resolver) -> Any:
        """The styles folder as sent once to the cluster; None for brochure's own, which every
        worker has (the same bytes: its brochure is the client's, see remote.py)."""
        if folder == default_styles_dir().resolve():
            return None
        with self.lock:
            if folder not in self.sent_styles:
                self.sent_styles[folder] = self.client.scatter(bundle(folder, resolver), hash=False)
            return self.sent_styles[folder]


def _refuse_inputs(paths: dict[Format, Path], folder: Path, files: Bundle) -> None:
    """As a local build: an output never lands on a file of the manuscript."""
    inputs = {(folder / relative).resolve() for relative, _ in files.files}
    for path in paths.values():
        if path.resolve() in inputs:
            raise error(f"output '{path}' would overwrite an input file", Location(path),
                        "choose another --out folder")


def connect(address: str) -> Cluster:
    """A connection to the scheduler at ``address``, whose workers run this brochure."""
    try:
        from distributed import Client
    except ImportError:
        raise error("--cluster needs Dask's distributed package, which is not installed",
                    hint="install it with: pip install 'brochure[cluster]'") from None
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise error(f"cannot reach the Dask scheduler at {address}: {exc}",
                    hint="start one with `dask scheduler`, and workers with `dask worker "
                         "ADDRESS`; give its address as tcp://HOST:8786") from None
    try:
        client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        _check_workers(client)
    except TimeoutError:
        client.close()
        raise error(f"no worker has joined the scheduler at {address} in {WORKERS_SECONDS} s",
                    hint=f"start workers with `dask worker {address}`") from None
    except BaseException:
        client.close()
        raise
    return Cluster(client)


def _check_workers(client: Any) -> None:
    ours = code_digest()
    others = sorted(worker for worker, theirs in client.run(code_digest).items() if theirs != ours)
    if others:
        raise error(f"the worker{'s' if len(others) > 1 else ''} {', '.join(others)} "
                    "run another brochure than this machine (another version, or other versions "
                    "of the libraries that make the bytes)",
                    hint="install the same brochure, with the same libraries, everywhere")


def build_there(plan: Plan, cluster: Cluster,
                in_flight: int | None = None) -> Generator[BookRun, None, None]:
    """The plan's books built on the cluster, as each ends: ``in_flight`` at a time (default:
    twice the cluster's threads, so that each worker has its next book waiting)."""
    at_once = in_flight or 2 * cluster.threads()
    with ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="brochure-book") as pool:
        futures = [pool.submit(build_one, book, cluster.recipe) for book in plan.books]
        try:
            for future in as_completed(futures):
                run = future.result()
                yield dataclasses.replace(run, where=cluster.built_on.get(run.book.options.out_dir))
        finally:
            for future in futures:
                future.cancel()
            cluster.close()

