"""Front matter after the title page: the imprint (colophon) page and, for a book of several
chapters, a printed table of contents whose page numbers the PDF fills in (``target-counter``).

Both are ordinary sections of the one rendering, so the EPUB has them too: there the imprint is
the copyright page and the contents a list of links (readers ignore the page numbers). This
module also names the running heads of each chapter for the stylesheet's ``string-set``.
"""

from __future__ import annotations

from lxml import etree

from brochure.core.i18n import strings
from brochure.core.model import Book, Metadata, Part
from brochure.core.xhtml import EPUB_TYPE, element, q
from brochure.render.credits import credits, identifier_text, names, print_details

IMPRINT_ID = "imprint"
CONTENTS_ID = "contents"

_IMPRINT = {"en": "Imprint", "fr": "Mentions légales", "de": "Impressum", "es": "Créditos",
            "it": "Colophon"}


def _words(lang: str) -> dict[str, str]:
    primary = lang.split("-")[0].lower()
    return {"imprint": _IMPRINT.get(primary, _IMPRINT["en"]), "toc": strings(lang)["toc"]}


def _imprint(meta: Metadata, date: str | None) -> etree._Element:
    section = element("section", {
        "id": IMPRINT_ID, "class": "imprint", EPUB_TYPE: "copyright-page",
        "aria-label": _words(meta.lang)["imprint"],
    })
    title = meta.title + (f". {meta.subtitle}" if meta.subtitle else "")
    element("p", {"class": "imprint-title"}, title, parent=section)
    if meta.authors:
        element("p", {"class": "imprint-authors"}, names(list(meta.authors), meta.lang),
                parent=section)
    for line in credits(meta):
        element("p", {"class": "imprint-credit"}, line, parent=section)
    if meta.collection:
        series = meta.collection.name + (f", {meta.collection.position}"
                                         if meta.collection.position else "")
        element("p", {"class": "imprint-series"}, series, parent=section)
    if meta.edition:
        element("p", {"class": "imprint-edition"}, meta.edition, parent=section)
    published = ", ".join(x for x in (meta.publisher, date) if x)
    if published:
        element("p", {"class": "imprint-publisher"}, published, parent=section)
    if meta.rights:
        element("p", {"class": "imprint-rights"}, meta.rights, parent=section)
    for identifier in meta.identifiers:
        text = identifier_text(identifier)
        if text:
            element("p", {"class": "imprint-identifier"}, text, parent=section)
    # The printer, the print run, the legal deposit: the stylesheet shows them on paper only.
    for line in print_details(meta):
        element("p", {"class": "imprint-print"}, line, parent=section)
    return section


def _contents(book: Book, entries: list[tuple[str, str]]) -> etree._Element:
    title = _words(book.metadata.lang)["toc"]
    section = element("section", {"id": CONTENTS_ID, "class": "contents", "aria-label": title})
    element("h1", {"class": "contents-title"}, title, parent=section)
    ol = element("ol", parent=section)
    for text, target in entries:
        li = element("li", parent=ol)
        element("a", {"href": f"#{target}"}, text, parent=li)
    return section


def add_front_matter(body: etree._Element, book: Book, notes_id: str | None,
                     date: str | None) -> list[Part]:
    """Insert the imprint (and contents) after the title page; return their parts, in order.
    ``date`` is the book's date as the title page shows it."""
    meta = book.metadata
    for section in body.iterchildren(q("section")):
        if section.get("class") in ("chapter", "endnotes"):
            chapter = next((c for c in book.chapters if c.id == section.get("id")), None)
            head = chapter.title if chapter else strings(meta.lang)["notes"]
            # On the section's first element, not the section: WeasyPrint assigns a
            # section's string again on every page it spans, and first-except then hides it.
            first = next(section.iterchildren(etree.Element), None)
            if first is not None:
                first.set("data-running-head", head)
                first.set("data-book-title", meta.title)

    words = _words(meta.lang)
    added = [(_imprint(meta, date), Part(IMPRINT_ID, "imprint", words["imprint"]))]
    if len(book.chapters) > 1:
        entries = [(c.title, c.id) for c in book.chapters]
        if notes_id:
            entries.append((strings(meta.lang)["notes"], notes_id))
        added.append((_contents(book, entries), Part(CONTENTS_ID, "contents", words["toc"])))
    for offset, (section, _) in enumerate(added, start=1):
        body.insert(offset, section)
    return [part for _, part in added]
