"""The EPUB's cover: the image, as the package's ``cover-image``, and ``cover.xhtml`` first
in the reading order, showing it whole on any screen (never cropped: it is scaled down to fit
the width and the height of the page)."""

from __future__ import annotations

from brochure.core.i18n import strings
from brochure.core.model import Asset, Metadata
from brochure.core.xhtml import EPUB_TYPE, XML_LANG, element, serialize
from brochure.render.credits import names

COVER_FILE = "cover.xhtml"
COVER_ID = "cover"
# Scaled to fit, centred; the reading system's own margins are the page's.
STYLE = ("html, body { margin: 0; padding: 0; height: 100%; text-align: center; }\n"
         "img { max-width: 100%; max-height: 100vh; height: auto; width: auto; }\n")


def cover_alt(meta: Metadata) -> str:
    """What the cover shows, for readers who cannot see it: "Cover: Title, by A and B"."""
    words = strings(meta.lang)
    shown = meta.title
    if meta.authors:
        shown += f", {words['by']} {names(list(meta.authors), meta.lang)}"
    return words["cover_alt"].format(shown)


def cover_document(image: Asset, meta: Metadata) -> bytes:
    words = strings(meta.lang)
    html = element("html", {"lang": meta.lang, XML_LANG: meta.lang})
    head = element("head", parent=html)
    element("meta", {"charset": "utf-8"}, parent=head)
    element("title", text=words["cover"], parent=head)
    element("style", text=STYLE, parent=head)
    body = element("body", parent=html)
    section = element("section", {"id": COVER_ID, EPUB_TYPE: "cover", "aria-label": words["cover"]},
                      parent=body)
    element("img", {"src": image.href, "alt": cover_alt(meta), "role": "doc-cover"}, parent=section)
    return serialize(html)
