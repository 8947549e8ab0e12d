"""``brochure serve``: the warm builder, the watcher and the HTTP server, started and stopped
together.

The builder is forked first, while this process has no thread (it forks in turn). The
server binds its socket itself, so that the address is known (and said) before it serves;
Ctrl-C (or SIGTERM) stops the page streams, the watcher, the builder and the server, in that
order, at any moment: it is how the server is stopped, not an error (exit status 0).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import sys
from collections.abc import Callable

import uvicorn

from brochure.core.diagnostics import Diagnostic, error
from brochure.loop.findings import echo
from brochure.manuscript.read import project_folders
from brochure.preview.builder import Builder, Outcome
from brochure.preview.server import app
from brochure.preview.state import Preview
from brochure.runtime.build import BuildOptions


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(uvicorn.Server):
    """uvicorn's server, which also ends the page streams when told to stop (they would
    otherwise keep it waiting)."""

    def __init__(self, config: uvicorn.Config, preview: Preview):
        super().__init__(config)
        self.preview = preview

    def handle_exit(self, sig, frame) -> None:
        loop = asyncio.get_event_loop()
        loop.call_soon_threadsafe(self.preview.stop)
        super().handle_exit(sig, frame)


def log(outcome: Outcome) -> None:
    """What the terminal says of each build: its diagnostics and how it ended."""
    echo(list(outcome.diagnostics))
    ended = (f"built in {outcome.seconds:.1f} s" if outcome.ok
             else "build failed; the preview shows the last good version")
    print(f"build {outcome.version}: {ended}", file=sys.stderr, flush=True)


def serve(options: BuildOptions, host: str, port: int,
          say: Callable[[str], None] = lambda line: print(line, flush=True)) -> None:
    """Serve the preview of ``options.manuscript`` on ``host:port`` until Ctrl-C or SIGTERM
    (then say "stopped"); an error if it cannot listen there. Both signals must raise
    KeyboardInterrupt, not report an interrupted build (the command sees to it)."""
    if not is_loopback(host):
        echo([Diagnostic("warning", f"serving on {host}: anyone who can reach this machine "
                         "there can read the book",
                         hint="leave --host out to serve on 127.0.0.1, this machine only")])
    builder = Builder(options)
    try:
        _serve_with(builder, options, host, port, say)
    except KeyboardInterrupt:  # uvicorn raises again the Ctrl-C it handled: it is the stop
        pass
    finally:
        builder.stop()
    print("stopped", file=sys.stderr, flush=True)


def _serve_with(builder: Builder, options: BuildOptions, host: str, port: int,
                say: Callable[[str], None]) -> None:
    """Listen on ``host:port`` and serve until stopped; the caller stops the builder."""
    folders = tuple(folder.resolve() for folder in project_folders(options.manuscript,
                                                                   options.styles_dir))
    preview = Preview(builder, folders, log=log)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        raise error(f"cannot serve on {host}:{port}: {exc.strerror or exc}",
                    hint="choose another --port, or stop what uses this one") from None
    bound = listening.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(app(preview, loopback=is_loopback(host)), log_level="warning",
                            lifespan="off", timeout_graceful_shutdown=2)
    server = _Server(config, preview)
    say(f"preview at http://{shown}:{bound}/ (Ctrl-C to stop)")

    async def run() -> None:
        following = asyncio.create_task(preview.follow())
        try:
            await server.serve(sockets=[listening])
        finally:
            preview.stop()
            builder.stop()
            await following

    try:
        asyncio.run(run())
    finally:
        listening.close()
