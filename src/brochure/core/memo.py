"""Results of costly, pure steps kept across builds, so that an edit redoes only what it touches.

A build that changed (cache.py reuses a build that did not) still finds here the Markdown of
every chapter whose text is unchanged and the EPUB's font subsets when the text draws the same
characters. Entries are named by a hash of the step's input and of brochure's code and
libraries (``fingerprint.code_digest``), so a result is never reused across versions, and they
carry a hash of their value, so a damaged entry is computed again rather than trusted. They
live in the user's cache folder (``$XDG_CACHE_HOME/brochure/memo``), never in the project,
and the least recently used go once the folder passes ``LIMIT_BYTES``.

The memo is active only inside ``active()``, which ``build`` opens unless caching is off; a
step run outside it (a test, a benchmark of one stage) computes its result every time.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from brochure.core.files import write_atomically
from brochure.core.fingerprint import cache_home, code_digest

LIMIT_BYTES = 256 * 2**20
_DIGEST = 32  # bytes of SHA-256 after each value


@dataclass
class Memo:
    folder: Path
    reused: Counter[str] = field(default_factory=Counter)  # kind -> results found
    computed: Counter[str] = field(default_factory=Counter)  # kind -> results made

    def lookup(self, kind: str, key: bytes) -> bytes | None:
        """The stored result of ``kind`` for ``key``, if there is a sound one."""
        path = self.path(kind, key)
        try:
            stored = path.read_bytes()
        except OSError:
            return None
        value, digest = stored[:-_DIGEST], stored[-_DIGEST:]
        if len(stored) < _DIGEST or hashlib.sha256(value).digest() != digest:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: kept longest
        self.reused[kind] += 1
        return value

    def store(self, kind: str, key: bytes, value: bytes) -> bytes:
        """Keep ``value`` as the result of ``kind`` for ``key``; return it."""
        self.computed[kind] += 1
        path = self.path(kind, key)
        with contextlib.suppress(OSError):  # a full or read-only cache costs only the reuse
            write_atomically(path, value + hashlib.sha256(value).digest())
        return value

    def path(self, kind: str, key: bytes) -> Path:
        """Where the result of ``kind`` for ``key`` is kept."""
        name = hashlib.sha256(code_digest().encode() + b"\0" + kind.encode() + b"\0" + key)
        return self.folder / kind / name.hexdigest()

    def trim(self, limit: int = LIMIT_BYTES) -> None:
        """Remove the least recently used entries until the folder holds at most ``limit``."""
        entries = []
        with contextlib.suppress(OSError):
            for path in self.folder.glob("*/*"):
                info = path.stat()
                entries.append((info.st_mtime_ns, info.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= limit:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size


_ACTIVE: contextvars.ContextVar[Memo | None] = contextvars.ContextVar("memo", default=None)


@contextlib.contextmanager
def active(folder: Path | None = None) -> Iterator[Memo]:
    """Make a memo (in ``folder``, else the user's cache folder) the one ``recall`` uses."""
    memo = Memo(folder or cache_home() / "memo")
    token = _ACTIVE.set(memo)
    try:
        yield memo
    finally:
        _ACTIVE.reset(token)
        memo.trim()


def lookup(kind: str, key: bytes) -> bytes | None:
    """The result of ``kind`` for ``key`` from an earlier build, if a memo is active."""
    memo = _ACTIVE.get()
    return memo.lookup(kind, key) if memo is not None else None


def store(kind: str, key: bytes, value: bytes) -> bytes:
    """Keep ``value`` for later builds if a memo is active; return it."""
    memo = _ACTIVE.get()
    return memo.store(kind, key, value) if memo is not None else value


def recall(kind: str, key: bytes, compute: Callable[[], bytes]) -> bytes:
    """``compute()``, or its result from an earlier build if a memo is active."""
    found = lookup(kind, key)
    return found if found is not None else store(kind, key, compute())
