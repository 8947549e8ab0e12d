"""The preview's HTTP side: the page, its events, and the built book's files.

What it serves is a closed list: the preview's own page, script and stylesheet (by name),
the events (server-sent), and the EPUB's files and the PDF's pages of the builds it holds in
memory (views.py), looked up by exact name. No path is ever joined to a folder, so nothing
else can be reached; a path with ``..`` or ``.`` segments, a backslash or a NUL, decoded or
not, is refused before any look-up. Bound to a loopback address, it answers only requests
whose Host names one (a web page elsewhere cannot reach it through DNS rebinding).
"""

from __future__ import annotations

import asyncio
import json
from importlib import resources
from typing import Any
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from brochure.preview.state import Preview

OWN_FILES = {"": ("index.html", "text/html; charset=utf-8"),
             "preview.js": ("preview.js", "text/javascript; charset=utf-8"),
             "preview.css": ("preview.css", "text/css; charset=utf-8")}
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"]
KEEP_ALIVE_SECONDS = 15
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
               "frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'")
BOOK_POLICY = ("default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'")


def safe_path(path: str) -> bool:
    """Whether a path inside the book names a file plainly: no empty, '.' or '..' segment,
    no backslash or NUL, even once decoded again (``%2e%2e``)."""
    for candidate in (path, unquote(path)):
        if "\\" in candidate or "\0" in candidate:
            return False
        if any(segment in ("", ".", "..") for segment in candidate.split("/")):
            return False
    return True


def _response(data: bytes, media_type: str, policy: str) -> Response:
    return Response(data, media_type=media_type, headers={
        "Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})


NOT_FOUND = PlainTextResponse("not found", status_code=404)


def app(preview: Preview, loopback: bool = True) -> Starlette:
    """The preview's web application for one book."""

    async def own(request: Request) -> Response:
        name = request.path_params.get("name", "")
        if name not in OWN_FILES:
            return NOT_FOUND
        file_name, media_type = OWN_FILES[name]
        data = (resources.files("brochure.preview") / "static" / file_name).read_bytes()
        return _response(data, media_type, PAGE_POLICY)

    async def epub_file(request: Request) -> Response:
        path = request.path_params["path"]
        view = preview.epub_view(request.path_params["version"])
        found = view.file(path) if view is not None and safe_path(path) else None
        if found is None:
            return NOT_FOUND
        return _response(found[0], found[1], BOOK_POLICY)

    async def whole_file(request: Request) -> Response:
        version, kind = request.path_params["version"], request.path_params["kind"]
        if kind not in ("epub", "pdf"):
            return NOT_FOUND
        view: Any = preview.epub_view(version) if kind == "epub" else preview.pdf_view(version)
        if view is None:
            return NOT_FOUND
        media_type = "application/epub+zip" if kind == "epub" else "application/pdf"
        return _response(view.data, media_type, BOOK_POLICY)

    async def page_image(request: Request) -> Response:
        view = preview.pdf_view(request.path_params["version"])
        image = None
        if view is not None:
            image = await asyncio.to_thread(view.image, request.path_params["page"])
        return NOT_FOUND if image is None else _response(image, "image/png", BOOK_POLICY)

    async def events(request: Request) -> Response:
        return StreamingResponse(_stream(preview, request), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    routes = [
        Route("/", own),
        Route("/static/{name}", own),
        Route("/events", events),
        Route("/book/{version:int}/epub/{path:path}", epub_file),
        Route("/book/{version:int}/book.{kind:str}", whole_file),
        Route("/book/{version:int}/pdf/{page:int}.png", page_image),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_HOSTS)] if loopback else []
    return Starlette(routes=routes, middleware=middleware)


async def _stream(preview: Preview, request: Request):
    """The preview's state now, then again each time it changes, until the client leaves or
    the server stops."""
    queue = preview.listen()
    try:
        yield _event(preview.state())
        while not preview.stopping.is_set():
            try:
                state = await asyncio.wait_for(queue.get(), KEEP_ALIVE_SECONDS)
            except TimeoutError:
                if await request.is_disconnected():
                    return
                yield ": still here\n\n"
                continue
            if state is None:  # the server stops
                return
            yield _event(state)
    finally:
        preview.forget(queue)


def _event(state: dict[str, Any]) -> str:
    return f"event: state\ndata: {json.dumps(state, ensure_ascii=False)}\n\n"
