"""The PDF's metadata from the book's ``Metadata``: the Info dictionary and an XMP packet with
Dublin Core, PRISM's identifiers and the series (calibre's property), written after WeasyPrint.

A print-shop PDF/X already has WeasyPrint's XMP packet with its PDF/X identification: its
descriptions are kept and only the properties written here are replaced, so the packet stays
what PDF/X asks for. Nothing here reads the clock: the same book gives the same bytes.
"""

from __future__ import annotations

import io

import pikepdf
from lxml import etree

from brochure.core.isbn import Isbn
from brochure.core.model import Metadata

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpidq": "http://ns.adobe.com/xmp/Identifier/qual/1.0/",
    "prism": "http://prismstandard.org/namespaces/basic/2.0/",
    "calibre": "http://calibre-ebook.com/xmp-namespace",
    "calibreSI": "http://calibre-ebook.com/xmp-namespace-series-index",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CREATOR_TOOL = "brochure"
_HEADER = b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
_FOOTER = b'\n<?xpacket end="w"?>'


def _tag(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _container(parent: etree._Element, name: str, kind: str, values: list[str],
               lang: str | None = None) -> None:
    holder = etree.SubElement(etree.SubElement(parent, _tag(name)), _tag(f"rdf:{kind}"))
    for value in values:
        item = etree.SubElement(holder, _tag("rdf:li"))
        if kind == "Alt":
            item.set(XML_LANG, "x-default")
        item.text = value
    if lang and kind == "Alt" and values:  # the same text again, in the book's language
        item = etree.SubElement(holder, _tag("rdf:li"))
        item.set(XML_LANG, lang)
        item.text = values[0]


def _simple(parent: etree._Element, name: str, value: str | None) -> None:
    if value:
        etree.SubElement(parent, _tag(name)).text = value


def description(meta: Metadata) -> etree._Element:
    """One rdf:Description with every property this module writes."""
    about = etree.Element(_tag("rdf:Description"), nsmap=NS)
    about.set(_tag("rdf:about"), "")
    lang = meta.lang
    _container(about, "dc:title", "Alt", [meta.title], lang)
    if meta.authors:
        _container(about, "dc:creator", "Seq", list(meta.authors))
    others = [p.name for p in (*meta.creators, *meta.contributors) if p.role != "aut"]
    if others:
        _container(about, "dc:contributor", "Bag", others)
    if meta.description:
        _container(about, "dc:description", "Alt", [meta.description], lang)
    if meta.subjects:
        _container(about, "dc:subject", "Bag", list(meta.subjects))
    if meta.publisher:
        _container(about, "dc:publisher", "Bag", [meta.publisher])
    if meta.rights:
        _container(about, "dc:rights", "Alt", [meta.rights], lang)
    if meta.date:
        _container(about, "dc:date", "Seq", [meta.date])
    _container(about, "dc:language", "Bag", [lang])
    _simple(about, "dc:identifier", meta.identifier)
    _simple(about, "dc:source", meta.source)
    _simple(about, "pdf:Keywords", ", ".join(meta.subjects))
    _simple(about, "xmp:CreatorTool", CREATOR_TOOL)
    _identifiers(about, meta)
    _simple(about, "prism:edition", meta.edition)
    if meta.collection:
        series = etree.SubElement(about, _tag("calibre:series"))
        series.set(_tag("rdf:parseType"), "Resource")
        _simple(series, "rdf:value", meta.collection.name)
        _simple(series, "calibreSI:series_index", meta.collection.position)
    return about


def _identifiers(about: etree._Element, meta: Metadata) -> None:
    """Every identifier as xmp:Identifier (scheme-qualified), and PRISM's ISBN and DOI."""
    holder = etree.SubElement(etree.SubElement(about, _tag("xmp:Identifier")), _tag("rdf:Bag"))
    for identifier in meta.identifiers:
        item = etree.SubElement(holder, _tag("rdf:li"))
        item.set(_tag("rdf:parseType"), "Resource")
        _simple(item, "xmpidq:Scheme", identifier.scheme)
        _simple(item, "rdf:value", identifier.value)
    for identifier in meta.identifiers:
        if identifier.scheme == "ISBN":
            _simple(about, "prism:isbn", Isbn(identifier.value).hyphenated)
        elif identifier.scheme == "DOI":
            _simple(about, "prism:doi", identifier.value)


def xmp_packet(meta: Metadata, existing: bytes | None) -> bytes:
    """An XMP packet: ``existing``'s descriptions (PDF/X's identification, dates) without the
    properties written here, and one description of the book."""
    ours = description(meta)
    written = {child.tag for child in ours}
    root = None
    if existing:
        start, end = existing.find(b"<x:xmpmeta"), existing.rfind(b"</x:xmpmeta>")
        if start >= 0 and end > start:
            root = etree.fromstring(existing[start:end + len(b"</x:xmpmeta>")])
    if root is None:
        root = etree.Element(_tag("x:xmpmeta"), nsmap={"x": NS["x"]})
        etree.SubElement(root, _tag("rdf:RDF"), nsmap={"rdf": NS["rdf"]})
    rdf = root.find(_tag("rdf:RDF"))
    assert rdf is not None
    for old in rdf.findall(_tag("rdf:Description")):
        for prop in list(old):
            if prop.tag in written:
                old.remove(prop)
        if len(old) == 0 and not [k for k in old.attrib if k != _tag("rdf:about")]:
            rdf.remove(old)
    rdf.append(ours)
    return _HEADER + etree.tostring(root, encoding="utf-8") + _FOOTER


def with_metadata(data: bytes, meta: Metadata) -> bytes:
    """The PDF ``data`` with the book's Info dictionary and XMP metadata."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        existing = pdf.Root.Metadata.read_bytes() if "/Metadata" in pdf.Root else None
        stream = pdf.make_stream(xmp_packet(meta, existing))
        stream.Type, stream.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
        pdf.Root.Metadata = stream
        info = pdf.docinfo
        info.Title = pikepdf.String(meta.title)
        for key, value in (("/Author", ", ".join(meta.authors)), ("/Subject", meta.description),
                           ("/Keywords", ", ".join(meta.subjects)), ("/Creator", CREATOR_TOOL)):
            if value:
                info[key] = pikepdf.String(value)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return out.getvalue()
