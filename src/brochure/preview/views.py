"""The built book as the preview shows it: the EPUB's files, and the PDF's pages as images.

Both are held in memory, by the version of the build that made them; nothing is read from
the disk when a page asks for a file, so that the server can serve nothing but these.
"""

from __future__ import annotations

import io
import threading
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any

import pikepdf
import pypdfium2
from lxml import etree

OPF = "{http://www.idpf.org/2007/opf}"
PAGE_SCALE = 1.5  # a page image 1.5 times its size in points: 630 pixels wide for A5
MEDIA_TYPES = {".xhtml": "application/xhtml+xml", ".css": "text/css", ".ncx": "application/x-dtbncx+xml",
               ".opf": "application/oebps-package+xml", ".svg": "image/svg+xml",
               ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif", ".webp": "image/webp", ".woff2": "font/woff2",
               ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf"}


@dataclass(frozen=True)
class EpubView:
    """An EPUB's files by their name in the zip, and its reading order."""

    version: int
    data: bytes
    files: dict[str, bytes]
    spine: tuple[str, ...]  # the names of the XHTML documents, in reading order

    @classmethod
    def of(cls, version: int, data: bytes) -> EpubView:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {name: archive.read(name) for name in archive.namelist()
                     if not name.endswith("/")}
        opf_name = next(name for name in files if name.endswith(".opf"))
        opf = etree.fromstring(files[opf_name])
        folder = PurePosixPath(opf_name).parent
        hrefs = {item.get("id"): item.get("href") for item in opf.iter(f"{OPF}item")}
        spine = tuple(str(folder / hrefs[ref.get("idref")]) for ref in opf.iter(f"{OPF}itemref"))
        return cls(version, data, files, spine)

    def file(self, name: str) -> tuple[bytes, str] | None:
        """A file and its media type, if the EPUB holds one of this exact name."""
        data = self.files.get(name)
        if data is None:
            return None
        return data, MEDIA_TYPES.get(PurePosixPath(name).suffix.lower(), "application/octet-stream")


@dataclass
class PdfView:
    """A PDF, its pages as images made when first asked for, and where each chapter starts."""

    version: int
    data: bytes
    pages: int
    _images: dict[int, bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _document: pypdfium2.PdfDocument | None = None

    @cached_property
    def size(self) -> tuple[float, float]:
        """The first page's size, in points."""
        with pikepdf.open(io.BytesIO(self.data)) as pdf:
            box = [float(v) for v in pdf.pages[0].cropbox] if len(pdf.pages) else [0, 0, 1, 1]
        return abs(box[2] - box[0]), abs(box[3] - box[1])

    @cached_property
    def anchors(self) -> dict[str, int]:
        """The page (from 1) of each named destination: ``chapter-3`` -> 41."""
        found: dict[str, int] = {}
        with pikepdf.open(io.BytesIO(self.data)) as pdf:
            names = pdf.Root.get("/Names")
            if names is None or "/Dests" not in names:
                return found
            numbers: dict[Any, int] = {page.objgen: n for n, page in enumerate(pdf.pages, 1)}
            for name, destination in pikepdf.NameTree(names.Dests).items():
                target = destination.get("/D") if isinstance(destination, pikepdf.Dictionary) \
                    else destination
                if isinstance(target, pikepdf.Array) and len(target):
                    page = numbers.get(target[0].objgen)
                    if page is not None:
                        found[str(name)] = page
        return found

    def image(self, page: int) -> bytes | None:
        """Page ``page`` (from 1) as a PNG, or None if the PDF has no such page."""
        if not 1 <= page <= self.pages:
            return None
        with self._lock:  # PDFium is not to be used from two threads at once
            if page not in self._images:
                if self._document is None:
                    self._document = pypdfium2.PdfDocument(self.data)
                bitmap = self._document[page - 1].render(scale=PAGE_SCALE)
                out = io.BytesIO()
                bitmap.to_pil().save(out, format="PNG", compress_level=1)
                self._images[page] = out.getvalue()
            return self._images[page]
