"""What the catalogues said of each book when the site was last written, so that a book that
fails to build stays listed as it was published (its files are still there, unchanged).

The record lives in the user's cache folder, one per site folder, beside the records of whole
builds (runtime/cache.py); a book's entry is used again only if each of its files is still there
with the size the record gives. Anything else (no record, a damaged one, a changed file) leaves
the book out until it builds again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

from brochure.core.files import write_atomically
from brochure.core.fingerprint import cache_home
from brochure.shelf.feeds import ShelfBook, ShelfFile

_FORMAT = 1


def record_path(site: Path) -> Path:
    name = hashlib.sha256(str(site.resolve()).encode()).hexdigest()[:32]
    return cache_home() / "shelves" / f"{name}.json"


def store(site: Path, books: tuple[ShelfBook, ...]) -> None:
    """Record the books as the site now lists them; a failure only costs a later failed book its
    place in the catalogues."""
    entries = {book.slug: {**dataclasses.asdict(book), "updated": book.updated.isoformat()}
               for book in books}
    with contextlib.suppress(OSError):
        write_atomically(record_path(site), json.dumps({"format": _FORMAT, "books": entries},
                                                       ensure_ascii=False, indent=1).encode())


def published(site: Path, slug: str) -> ShelfBook | None:
    """The book as the site last listed it, if its files are still there as they were."""
    try:
        record = json.loads(record_path(site).read_text("utf-8"))
        if record.get("format") != _FORMAT or slug not in record["books"]:
            return None
        book = _book(record["books"][slug])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for file in book.files:
        try:
            if (site / file.href).stat().st_size != file.size:
                return None
        except OSError:
            return None
    return book


def _book(entry: dict[str, Any]) -> ShelfBook:
    return ShelfBook(**{**entry, "authors": tuple(entry["authors"]),
                        "subjects": tuple(entry["subjects"]),
                        "files": tuple(ShelfFile(**file) for file in entry["files"]),
                        "updated": dt.datetime.fromisoformat(entry["updated"])})
