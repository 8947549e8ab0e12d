"""The EPUB's cover: the image, as the package's ``cover-image``, and ``cover.xhtml`` first
in the reading order, showing it whole on any screen (never cropped: the shared stylesheet
scales it down to fit the width and the height of the page, ``section.cover``)."""

from __future__ import annotations

from brochure.core.i18n import strings, text_direction
from brochure.core.model import Asset, Metadata
from brochure.core.xhtml import EPUB_TYPE, XML_LANG, element, serialize
from brochure.render.credits import names

COVER_FILE = "cover.xhtml"
COVER_ID = "cover"


def cover_alt(meta: Metadata) -> str:
    """What the cover shows, for readers who cannot see it: "Cover: Title, by A and B"."""
    words = strings(meta.lang)
    shown = meta.title
    if meta.authors:
        shown += f", {words['by']} {names(list(meta.authors), meta.lang)}"
    return words["cover_alt"].format(shown)


def cover_document(image: Asset, meta: Metadata, stylesheets: tuple[str, ...]) -> bytes:
    """The cover's page, with the stylesheets every page of the book has."""
    words = strings(meta.lang)
    html = element("html", {"lang": meta.lang, XML_LANG: meta.lang})
    if text_direction(meta.lang) == "rtl":
        html.set("dir", "rtl")
    head = element("head", parent=html)
    element("meta", {"charset": "utf-8"}, parent=head)
    element("title", text=words["cover"], parent=head)
    for href in stylesheets:
        element("link", {"rel": "stylesheet", "type": "text/css", "href": href}, parent=head)
    body = element("body", parent=html)
    section = element("section", {"id": COVER_ID, EPUB_TYPE: "cover", "aria-label": words["cover"]},
                      parent=body)
    element("img", {"src": image.href, "alt": cover_alt(meta), "role": "doc-cover"}, parent=section)
    return serialize(html)
