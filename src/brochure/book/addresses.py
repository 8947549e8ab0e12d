"""Web and mail addresses, marked so that the stylesheet can set them right on paper.

Every address written in the text (bare, or as a link's text) is wrapped in
``<span class="url">`` (a link whose text is its address without the scheme, ``example.org``,
gets the class itself): the stylesheet never hyphenates it (a hyphen at a line's end would read
as part of the address) and lets it break after a ``/``. A link whose text does not show its
address carries it in ``data-address``, so that the printed page can give it after the text
(``@media print``): a reader of paper cannot follow a link. Internal links are left alone.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from lxml import etree

from brochure.book.typography import VERBATIM
from brochure.book.typography.rules import URL
from brochure.core.xhtml import local_name, plain_text, q

URL_CLASS = "url"
ADDRESS_ATTRIBUTE = "data-address"
_SCHEMES = {"http", "https", "mailto"}


def mark_addresses(root: etree._Element) -> None:
    """Wrap the addresses in the text of ``root`` and note the address of each link whose
    text hides it, in place."""
    _wrap_bare_addresses(root)
    for link in root.iter(q("a")):
        href = (link.get("href") or "").strip()
        scheme = urlsplit(href).scheme.lower()
        if scheme not in _SCHEMES:
            continue
        address = href[len("mailto:"):] if scheme == "mailto" else href
        if _bare(address) not in _bare(plain_text(link)):
            link.set(ADDRESS_ATTRIBUTE, unquote(address) if scheme == "mailto" else address)
        elif link.find(f".//{q('span')}[@class='{URL_CLASS}']") is None:
            link.set("class", " ".join(filter(None, [link.get("class"), URL_CLASS])))


def _bare(address: str) -> str:
    """An address as a reader would recognise it in a text: no scheme, no 'www.', no final
    slash, no case."""
    text = unquote(address).strip().lower()
    for prefix in ("https://", "http://", "mailto:", "www."):
        text = text.removeprefix(prefix)
    return text.rstrip("/")


def _wrap_bare_addresses(root: etree._Element) -> None:
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.text and not _skipped(element):
            element.text = _wrapped(element.text, lambda span, at, e=element: e.insert(at, span),
                                    0)
        parent = element.getparent()
        if element.tail and parent is not None and not _skipped(parent):
            after = parent.index(element) + 1
            element.tail = _wrapped(element.tail,
                                    lambda span, at, p=parent: p.insert(at, span), after)


def _skipped(element: etree._Element) -> bool:
    """Code is set as typed; an address already wrapped is not wrapped again."""
    for node in (element, *element.iterancestors()):
        if local_name(node) in VERBATIM or URL_CLASS in (node.get("class") or "").split():
            return True
    return False


def _wrapped(text: str, insert, first: int) -> str:
    """The text before the first address of ``text``; each address becomes a span inserted
    (at ``first``, ``first + 1``...) with the text after it as its tail."""
    matches = list(URL.finditer(text))
    if not matches:
        return text
    for offset, match in enumerate(matches):
        span = etree.Element(q("span"), {"class": URL_CLASS})
        span.text = match.group()
        end = matches[offset + 1].start() if offset + 1 < len(matches) else len(text)
        span.tail = text[match.end():end] or None
        insert(span, first + offset)
    return text[:matches[0].start()]
