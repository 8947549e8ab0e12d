"""Small helpers for building XHTML trees with lxml."""

from __future__ import annotations

import re

from lxml import etree

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NSMAP = {None: XHTML_NS, "epub": EPUB_NS}
EPUB_TYPE = f"{{{EPUB_NS}}}type"
XML_LANG = f"{{{XML_NS}}}lang"
NOTEREF_CLASS = "noteref"
_HTML_WHITESPACE = re.compile(r"[ \t\n\r\f]+")


def q(tag: str) -> str:
    """Qualified XHTML tag name."""
    return f"{{{XHTML_NS}}}{tag}"


def element(tag: str, attrib: dict[str, str] | None = None, text: str | None = None,
            parent: etree._Element | None = None) -> etree._Element:
    """An XHTML element, as a child of ``parent`` when given."""
    attributes = {k: v for k, v in (attrib or {}).items() if v is not None}
    if parent is None:
        el = etree.Element(q(tag), attributes, nsmap=NSMAP)
    else:
        el = etree.SubElement(parent, q(tag), attributes)
    if text is not None:
        el.text = text
    return el


def local_name(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def is_noteref(el: etree._Element) -> bool:
    return local_name(el) == "sup" and any(
        NOTEREF_CLASS in (a.get("class") or "").split() for a in el.iter(q("a"))
    )


def plain_text(el: etree._Element) -> str:
    """The text a reader sees in ``el``, without note reference numbers, whitespace folded."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if not is_noteref(child):
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return fold_whitespace("".join(parts))


def fold_whitespace(text: str) -> str:
    """``text`` as a line shows it: each run of the whitespace HTML folds made one space, none
    at the ends. No-break spaces are the text's own, and stay."""
    return _HTML_WHITESPACE.sub(" ", text).strip(" ")


def serialize(root: etree._Element | etree._ElementTree | bytes) -> bytes:
    """An XHTML document as UTF-8 bytes with an XML declaration and the HTML5 doctype (bytes
    are a document serialized already)."""
    if isinstance(root, bytes):
        return root
    tree = root if isinstance(root, etree._ElementTree) else root.getroottree()
    body = etree.tostring(tree.getroot(), encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + body + b"\n"
