"""The one place that decides which files a build may read.

Everything the book carries (chapters, stylesheets, fonts, images) is found through a
``Resolver``: only regular files inside its roots, after following symlinks; no other
scheme than a relative path (no ``file://``, no network). The EPUB packager and the PDF
renderer never touch the disk themselves: they get the files from the document model.

While a ``Journal`` is open (``recording()``), every file read and every folder listed
through a resolver is written in it: that is what the cache of whole builds keys on
(runtime/cache.py), and checks again through a resolver, so that no path is read by one part
of brochure and refused by another.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from brochure.core.diagnostics import Location, error, shown
from brochure.manuscript.font_check import check_font
from brochure.manuscript.images import check_image

MAX_FILE_BYTES = 64 * 1024 * 1024

MEDIA_TYPES = {
    ".css": "text/css",
    ".gif": "image/gif",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}

# First bytes of each binary type: a file must be what its name says.
_SIGNATURES = {
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "font/otf": (b"OTTO",),
    "font/ttf": (b"\x00\x01\x00\x00", b"true"),
    "font/woff": (b"wOFF",),
    "font/woff2": (b"wOF2",),
}


@dataclass
class Journal:
    """What a build read through resolvers: files (real path -> SHA-256 of the bytes read) and
    folder listings ((real folder, pattern) -> the names found, in order)."""

    files: dict[Path, str] = field(default_factory=dict)
    listings: dict[tuple[Path, str], tuple[str, ...]] = field(default_factory=dict)


_JOURNAL: contextvars.ContextVar[Journal | None] = contextvars.ContextVar("journal", default=None)


@contextlib.contextmanager
def recording() -> Iterator[Journal]:
    """Write what resolvers read, until the block ends, in the journal it gives."""
    journal = Journal()
    token = _JOURNAL.set(journal)
    try:
        yield journal
    finally:
        _JOURNAL.reset(token)


@dataclass(frozen=True)
class Resolver:
    roots: tuple[Path, ...]

    @classmethod
    def for_roots(cls, *roots: Path) -> Resolver:
        return cls(tuple(dict.fromkeys(root.resolve() for root in roots)))

    def file(self, path: Path, location: Location | None = None) -> Path:
        """Check that ``path`` is a regular file inside a root; return its real path."""
        real = path.resolve()
        if not any(real.is_relative_to(root) for root in self.roots):
            raise error(f"'{shown(path)}' is outside the project and is not read", location,
                        "keep every file the book uses inside the manuscript or styles folder")
        try:
            info = os.stat(real)
        except FileNotFoundError:
            raise error(f"'{shown(path)}' does not exist", location) from None
        except OSError as exc:
            raise error(f"'{shown(path)}' cannot be read: {exc.strerror}", location) from None
        if not stat.S_ISREG(info.st_mode):
            raise error(f"'{shown(path)}' is not a regular file", location)
        if info.st_size > MAX_FILE_BYTES:
            raise error(f"'{shown(path)}' is larger than {MAX_FILE_BYTES // 2**20} MiB", location)
        return real

    def reference(self, reference: str, base: Path, location: Location | None = None) -> Path:
        """Resolve a URL written in file ``base`` (Markdown image, CSS ``url()``)."""
        parts = urlsplit(reference)
        if parts.scheme in ("http", "https"):
            raise error(f"remote resource '{reference}' is not fetched", location,
                        "download the file into the manuscript folder and refer to it by a "
                        "relative path")
        if parts.scheme or parts.netloc:
            raise error(f"'{reference}': only relative paths to files of the project are read",
                        location)
        text = unquote(parts.path)
        if not text or PurePosixPath(text).is_absolute() or "\\" in text or "\x00" in text:
            raise error(f"'{reference}' is not a relative path", location,
                        "refer to files relative to the file that uses them")
        return self.file(base.parent / text, location)

    def read(self, path: Path, location: Location | None = None) -> bytes:
        """The bytes of a checked file. It is opened without blocking (a FIFO put in its place
        would otherwise wait forever) and checked again through the open descriptor."""
        real = self.file(path, location)
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)
        try:
            descriptor = os.open(real, flags)
        except OSError as exc:
            raise error(f"'{shown(path)}' cannot be read: {exc.strerror}", location) from None
        with os.fdopen(descriptor, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise error(f"'{shown(path)}' is not a regular file", location)
            data = stream.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise error(f"'{shown(path)}' is larger than {MAX_FILE_BYTES // 2**20} MiB", location)
        journal = _JOURNAL.get()
        if journal is not None:
            journal.files[real] = hashlib.sha256(data).hexdigest()
        return data

    def listing(self, folder: Path, pattern: str) -> list[Path]:
        """The files of ``folder`` (inside a root) whose names match ``pattern``, sorted; a
        folder outside the roots, or none, lists nothing."""
        real = folder.resolve()
        if not any(real.is_relative_to(root) for root in self.roots):
            return []
        try:
            found = sorted(path for path in folder.glob(pattern) if path.is_file())
        except OSError:
            found = []
        journal = _JOURNAL.get()
        if journal is not None:
            journal.listings[(real, pattern)] = tuple(path.name for path in found)
        return found


def media_type(path: Path | str, data: bytes, location: Location | None = None) -> str:
    """The media type of a resource, checked against its content."""
    suffix = PurePosixPath(str(path)).suffix.lower()
    kind = MEDIA_TYPES.get(suffix)
    if kind is None:
        raise error(f"'{path}': unsupported file type '{suffix}'", location,
                    "use PNG, JPEG, GIF, WebP or SVG images, and WOFF2, WOFF, TTF or OTF fonts")
    signatures = _SIGNATURES.get(kind)
    if signatures and not data.startswith(signatures):
        raise error(f"'{path}' is not a {suffix[1:].upper()} file", location)
    if kind == "image/webp" and data[8:12] != b"WEBP":
        raise error(f"'{path}' is not a WEBP file", location)
    if kind.startswith("font/"):
        check_font(str(path), data, location)
    else:
        check_image(str(path), kind, data, location)
    return kind
