"""The PDF brochure made is checked before it is published: its links and its notes.

Every link leads to a named destination the PDF has, or is a web link; no action loads or
runs anything (no JavaScript, launch, remote go-to, embedded file); every note is in the PDF,
and where the PDF carries links, every note is called by one and leads back to its calls.
(The text itself is checked on the EPUB, or on the rendering both formats are written from.)
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pikepdf

from brochure.core.diagnostics import Diagnostic, Findings, Location
from brochure.core.model import Book

HYPERLINK_SCHEMES = ("http:", "https:", "mailto:")
_FORBIDDEN = {"/JavaScript", "/Launch", "/GoToR", "/GoToE", "/ImportData", "/SubmitForm",
              "/Rendition", "/Movie", "/Sound", "/RichMediaExecute"}
_BUG_HINT = "this is a bug of brochure's: please report it with the manuscript"


def verify_pdf(data: bytes, book: Book) -> Findings:
    """What is wrong with a PDF made of ``book`` (nothing, when it keeps its promises)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        names = _destinations(pdf)
        links: list[str] = []
        bugs = [*_root_actions(pdf), *_page_links(pdf, names, links)]
        bugs.extend(_notes(book, names, set(links)))
    return Findings((), tuple(bugs))


def _destinations(pdf: pikepdf.Pdf) -> set[str]:
    found: set[str] = set()
    if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
        found.update(str(name) for name, _ in pikepdf.NameTree(pdf.Root.Names.Dests).items())
    if "/Dests" in pdf.Root:
        found.update(str(name)[1:] for name in pdf.Root.Dests)
    return found


def _root_actions(pdf: pikepdf.Pdf) -> Iterator[Diagnostic]:
    for key in ("/OpenAction", "/AA"):
        if key in pdf.Root and _forbidden(pdf.Root[key]):
            yield _broken(f"the document runs an action when opened ({key})")
    names = pdf.Root.get("/Names", pikepdf.Dictionary())
    for key in ("/JavaScript", "/EmbeddedFiles"):
        if isinstance(names, pikepdf.Dictionary) and key in names:
            yield _broken(f"the document carries {key[1:]}")


def _forbidden(action) -> bool:
    return isinstance(action, pikepdf.Dictionary) and str(action.get("/S", "")) in _FORBIDDEN


def _page_links(pdf: pikepdf.Pdf, names: set[str], links: list[str]) -> Iterator[Diagnostic]:
    """Each link leads somewhere the PDF has, or to the web; ``links`` gets the names led to."""
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.get("/Annots", []):
            subtype = str(annotation.get("/Subtype", ""))
            if subtype == "/FileAttachment":
                yield _broken(f"page {number} carries an attached file")
            if subtype != "/Link":
                continue
            action = annotation.get("/A")
            target = annotation.get("/Dest")
            if isinstance(action, pikepdf.Dictionary):
                kind = str(action.get("/S", ""))
                if kind == "/URI":
                    if not str(action.get("/URI", "")).lower().startswith(HYPERLINK_SCHEMES):
                        yield _broken(f"page {number} links to '{str(action.URI)[:80]}'")
                    continue
                if kind != "/GoTo":
                    yield _broken(f"page {number} has a link that runs {kind[1:]}")
                    continue
                target = action.get("/D")
            if isinstance(target, (pikepdf.String, pikepdf.Name)):
                name = str(target).lstrip("/") if isinstance(target, pikepdf.Name) else str(target)
                links.append(name)
                if name not in names:
                    yield _broken(f"a link on page {number} leads to '{name}', which the PDF "
                                  "does not have")


def _notes(book: Book, names: set[str], linked: set[str]) -> Iterator[Diagnostic]:
    if not names and not linked:
        return  # a PDF made to be printed, without links or destinations
    for note in book.notes:
        if note.id not in names:
            yield _broken(f"note {note.number} is missing from the PDF", note.location)
        elif linked and note.id not in linked:
            yield _broken(f"note {note.number} is in the PDF but no link calls it", note.location)
        elif linked and not any(ref in linked for ref in note.ref_ids):
            yield _broken(f"note {note.number} does not lead back to its call", note.location)


def _broken(message: str, location: Location | None = None) -> Diagnostic:
    return Diagnostic("error", f"the PDF brochure made is broken: {message}", location, _BUG_HINT)
