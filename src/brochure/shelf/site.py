"""The shelf online: its catalogues and its page (feeds.py) filled from the books as built.

Each book is described by its metadata as its reader sees it (read through the resolver, with
the typography of its language) and by its outputs as they are in their folder (names, sizes),
whether this build made them or kept them. A book that failed keeps its folder's earlier outputs,
and its place in the catalogues as they last listed it (record.py), or is left out when there is
none: the site's links always reach files that are there, with the sizes they give. A book's
folder holds its outputs alone, as a build of that book alone would; the site's own files are
beside the books' folders: the catalogues, the page, its style and fonts, and the books'
pictures (``covers/<book>.png``, ``thumbnails/<book>.png``). They are written all at once, each
only if its bytes changed. Times come from the books' build time, never the clock: the same
shelf gives the same site.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from brochure.core import memo
from brochure.core.clock import FALLBACK, build_time
from brochure.core.diagnostics import BrochureError, Diagnostic, Location, error
from brochure.core.model import Metadata
from brochure.core.settings import Format
from brochure.runtime.publish import publish
from brochure.shelf import record
from brochure.shelf.books import BookRun
from brochure.shelf.catalogue import COVERS, THUMBNAILS, Catalogue
from brochure.shelf.covers import book_pictures
from brochure.shelf.feeds import (
    FEED_JSON,
    FEED_XML,
    INDEX_HTML,
    Shelf,
    ShelfBook,
    ShelfFile,
    index_html,
    opds_v1,
    opds_v2,
)
from brochure.shelf.metadata import metadata_of
from brochure.shelf.page_fonts import STYLESHEET, page_files

MEDIA_TYPES = {Format.EPUB: "application/epub+zip", Format.PDF: "application/pdf",
               Format.BOOKLET: "application/pdf"}


@dataclass(frozen=True)
class Site:
    shelf: Shelf
    files: dict[Path, bytes]  # every file of the site but the books' own outputs
    written: tuple[Path, ...]  # those whose bytes changed
    diagnostics: tuple[Diagnostic, ...]


def shelf_book(run: BookRun, metadata: Metadata, pictures: dict[str, str]) -> ShelfBook:
    assert run.result is not None
    files = tuple(ShelfFile(f"{run.book.slug}/{path.name}", MEDIA_TYPES[fmt], fmt.value,
                            run.result.sizes[fmt])
                  for fmt, path in run.result.outputs.items())
    return ShelfBook(
        id=metadata.identifier or run.book.slug, slug=run.book.slug, title=metadata.title,
        subtitle=metadata.subtitle, authors=metadata.authors, lang=metadata.lang,
        summary=metadata.description, subjects=metadata.subjects, publisher=metadata.publisher,
        issued=metadata.date, updated=build_time(metadata), cover=pictures.get("cover"),
        thumbnail=pictures.get("thumbnail"), files=files)


def make_site(root: Path, catalogue: Catalogue, runs: Sequence[BookRun], reuse: bool = True) -> Site:
    """The site of the books that built (or were kept); written with ``write_site``. With
    ``reuse``, the books' pictures made by earlier builds are taken from the memo."""
    with memo.active() if reuse else contextlib.nullcontext():
        books, files, said = _books(root, runs)
        _refuse_twins(books, runs)
        shelf = Shelf(title=catalogue.title, publisher=catalogue.publisher,
                      lang=catalogue.lang or _most_common_lang(books), base_url=catalogue.base_url,
                      updated=_updated(books), id=catalogue.identifier, books=tuple(books))
        page = index_html(shelf, STYLESHEET)
        files.update({root / FEED_XML: opds_v1(shelf), root / FEED_JSON: opds_v2(shelf),
                      root / INDEX_HTML: page})
        files.update({root / name: data for name, data in page_files(page).items()})
    return Site(shelf, files, tuple(path for path, data in files.items() if not _same(path, data)),
                tuple(said))


def _books(root: Path, runs: Sequence[BookRun]
           ) -> tuple[list[ShelfBook], dict[Path, bytes], list[Diagnostic]]:
    """Each book as the catalogues list it, its pictures, and why a book is left out."""
    books, files, said = [], {}, []
    for run in sorted(runs, key=lambda run: run.book.slug):
        if not run.ok:
            earlier = record.published(root, run.book.slug)
            if earlier is not None:
                books.append(earlier)
            continue
        try:
            metadata = metadata_of(run.book.options)
        except (BrochureError, OSError) as exc:  # changed since it was built: left out this time
            said.append(Diagnostic("warning", f"'{run.book.slug}' is left out of the catalogue: "
                                   f"{exc}", Location(run.book.options.manuscript)))
            continue
        assert run.result is not None
        epub = run.result.outputs.get(Format.EPUB)
        pictures = book_pictures(metadata, epub.read_bytes() if epub is not None else None)
        placed = {"thumbnail": (f"{THUMBNAILS}/{run.book.slug}.png", pictures.thumbnail)}
        if pictures.cover is not None:
            suffix, data = pictures.cover
            placed["cover"] = (f"{COVERS}/{run.book.slug}{suffix}", data)
        files.update({root / href: data for href, data in placed.values()})
        books.append(shelf_book(run, metadata, {kind: href for kind, (href, _) in placed.items()}))
    return books, files, said


def write_site(root: Path, site: Site) -> None:
    """The site's changed files, all or none; what it lists, recorded."""
    publish({path: site.files[path] for path in site.written})
    record.store(root, site.shelf.books)


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _refuse_twins(books: list[ShelfBook], runs: Sequence[BookRun]) -> None:
    """Two books with one identifier would be one entry to a reading app: an error naming both."""
    by_id = collections.defaultdict(list)
    for book in books:
        by_id[book.id].append(book.slug)
    manuscripts = {run.book.slug: run.book.options.manuscript for run in runs}
    for identifier, slugs in sorted(by_id.items()):
        if len(slugs) > 1:
            raise error(f"the books {', '.join(slugs)} have one identifier, {identifier}",
                        Location(manuscripts[slugs[1]]),
                        "give each book its own 'identifier:' in its book.yaml")


def _most_common_lang(books: list[ShelfBook]) -> str:
    counts = collections.Counter(book.lang for book in books)
    return min(counts, key=lambda lang: (-counts[lang], lang)) if counts else "en"


def _updated(books: list[ShelfBook]) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (every book's build time then), else the latest book's."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return build_time(Metadata("", "en", Location(Path("."))))
    return max((book.updated for book in books), default=FALLBACK)
