"""EPUB writer: the rendered document, split into one file per part, packaged with ebooklib.

Like pandoc's EPUB writer, it writes no HTML of its own: it splits the shared rendering,
points links that now cross files at the right file, and packages. The zip is then
rewritten so that the same input gives the same bytes (mimetype first and stored,
entries in a fixed order, dates from the build time).
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import io
import zipfile

from ebooklib import epub
from lxml import etree

from brochure.core.diagnostics import Diagnostic
from brochure.core.i18n import strings, text_direction
from brochure.core.model import Asset, Book, Part, Rendering, TocEntry, Written
from brochure.core.xhtml import XML_LANG, element, q, serialize
from brochure.epub.accessibility import assess
from brochure.epub.cover import COVER_FILE, COVER_ID, cover_document
from brochure.epub.fonts import subset_fonts
from brochure.epub.package import describe
from brochure.epub.page_list import Placed, mark_pages, page_list_nav
from brochure.render.faces import faces_of

FOLDER = "EPUB"
OPF_NS = "http://www.idpf.org/2007/opf"
XML_LANG_OPF = XML_LANG
IBOOKS_VOCABULARY = "http://vocabulary.itunes.apple.com/rdf/ibooks/vocabulary-extensions-1.0/"


def part_file(part: Part) -> str:
    return f"{part.id}.xhtml"


class _Document(epub.EpubItem):
    """An XHTML content document whose bytes brochure made (ebooklib would re-parse EpubHtml)."""

    def __init__(self, uid: str, file_name: str, content: bytes, properties: list[str]):
        super().__init__(uid=uid, file_name=file_name, media_type="application/xhtml+xml",
                         content=content)
        self.properties = properties


def split_documents(rendering: Rendering) -> dict[str, bytes]:
    """One XHTML document per part, with links that cross parts pointed at the right file."""
    root = rendering.root()
    head, body = root.find(q("head")), root.find(q("body"))
    sections = {section.get("id"): section for section in body}
    owner: dict[str, str] = {}
    for part in rendering.parts:
        for el in sections[part.id].iter():
            if el.get("id"):
                owner[el.get("id")] = part_file(part)

    documents = {}
    for part in rendering.parts:
        name = part_file(part)
        html = element("html", dict(root.attrib))
        page_head = element("head", parent=html)
        for child in head:
            if etree.QName(child).localname == "title":
                element("title", text=part.title, parent=page_head)
            elif etree.QName(child).localname == "link" or child.get("charset"):
                page_head.append(copy.deepcopy(child))
        page_body = element("body", parent=html)
        section = copy.deepcopy(sections[part.id])
        page_body.append(section)
        for link in section.iter(q("a")):
            href = link.get("href", "")
            if href.startswith("#") and owner.get(href[1:], name) != name:
                link.set("href", owner[href[1:]] + href)
        documents[name] = serialize(html)
    return documents


def _toc_links(entries: tuple[TocEntry, ...], owner: dict[str, str]) -> list:
    items = []
    for entry in entries:
        href = f"{owner[entry.target]}#{entry.target}"
        link = epub.Link(href, entry.title, entry.target)
        items.append((link, _toc_links(entry.children, owner)) if entry.children else link)
    return items


def book_text(rendering: Rendering, documents: dict[str, bytes] | None = None) -> str:
    """The characters the EPUB shows: its documents' text, the words brochure adds (the
    reader's own menus), and the stylesheets' own list markers and content strings."""
    documents = documents if documents is not None else split_documents(rendering)
    words = strings(rendering.book.metadata.lang)
    return "".join([*(t for content in documents.values() for t in etree.fromstring(content).itertext()),
                    *words.values(), faces_of(rendering.book).drawn_characters])


def epub_assets(rendering: Rendering, documents: dict[str, bytes] | None = None) -> tuple[Asset, ...]:
    """The files the EPUB carries besides its documents, fonts cut down to the characters of
    the book (and of the reader's own menus). Page-break markers add no character: this can
    be made while the PDF is still being laid out."""
    return subset_fonts(rendering.book.assets, book_text(rendering, documents))


def _package(rendering: Rendering, documents: dict[str, bytes], built: dt.datetime,
             assets: tuple[Asset, ...], pages: Placed | None, cover: Asset | None
             ) -> tuple[bytes, etree._Element | None]:
    """The EPUB as ebooklib writes it, and the page-list that its navigation document lacks."""
    book = rendering.book
    words = strings(book.metadata.lang)
    package = epub.EpubBook()
    package.FOLDER_NAME = FOLDER
    describe(package, book.metadata, assess(rendering, page_list=bool(pages and pages.markers),
                                            cover=cover is not None))
    cover_item = _add_cover(package, cover, book) if cover else None

    items = {}
    for part in rendering.parts:
        name = part_file(part)
        content = documents[name]
        properties = ["svg"] if b"<svg" in content else []
        items[part.id] = _Document(part.id, name, content, properties)
        package.add_item(items[part.id])
    if any(asset.media_type.startswith("font/") for asset in book.assets):
        # Apple Books otherwise sets the text in its own fonts, whatever the stylesheet says.
        package.add_prefix("ibooks", IBOOKS_VOCABULARY)
        package.add_metadata(None, "meta", "true", {"property": "ibooks:specified-fonts"})
    for index, asset in enumerate(assets, start=1):
        package.add_item(epub.EpubItem(uid=f"asset-{index}", file_name=asset.href,
                                       media_type=asset.media_type, content=asset.data))

    owner = {}
    for part in rendering.parts:
        for el in etree.fromstring(documents[part_file(part)]).iter():
            if el.get("id"):
                owner[el.get("id")] = part_file(part)
    package.toc = _toc_links(rendering.toc, owner)
    direction = text_direction(book.metadata.lang)
    if direction == "rtl":
        package.set_direction(direction)  # the spine's page-progression-direction
    nav = epub.EpubNav(title=words["toc"], direction=direction if direction == "rtl" else None)
    for href in book.stylesheets:
        nav.add_link(href=href, rel="stylesheet", type="text/css")
    package.add_item(nav)
    package.add_item(epub.EpubNcx())
    package.guide = [{"type": "toc", "href": "nav.xhtml", "title": words["toc"]}] + [
        {"type": kind, "href": owner[target], "title": _title(rendering, target)}
        for kind, target in rendering.landmarks.items()
    ]
    if cover_item is not None:
        package.guide.insert(0, {"type": "cover", "href": COVER_FILE, "title": words["cover"]})
    # The navigation document is reachable from every reader's menu; in the spine it stays
    # out of the reading order. The cover opens it.
    package.spine = ([cover_item] if cover_item else []) + \
        [items[part.id] for part in rendering.parts] + [(nav, "no")]

    page_list = page_list_nav(pages.markers, owner, words["pages"]) \
        if pages and pages.markers else None
    raw = io.BytesIO()
    epub.write_epub(raw, package, {
        "epub3_pages": False,  # otherwise every element with an id and epub:type is a "page"
        "epub2_guide": False,
        "raise_exceptions": True,
        "mtime": built.replace(tzinfo=None),
        "landmark_title": words["landmarks"],
    })
    return raw.getvalue(), page_list


def _add_cover(package: epub.EpubBook, cover: Asset, book: Book) -> _Document:
    """The cover image (the package's ``cover-image``) and the page that shows it."""
    image = epub.EpubItem(uid="cover-image", file_name=cover.href, media_type=cover.media_type,
                          content=cover.data)
    image.properties = ["cover-image"]
    package.add_item(image)
    # What reading systems of EPUB 2's time look for.
    package.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
    document = _Document(COVER_ID, COVER_FILE,
                         cover_document(cover, book.metadata, book.stylesheets), [])
    package.add_item(document)
    return document


def _title(rendering: Rendering, part_id: str) -> str:
    return next(part.title for part in rendering.parts if part.id == part_id)


def _finish_opf(data: bytes, lang: str) -> bytes:
    """Add what ebooklib leaves out of the package document: its language."""
    root = etree.fromstring(data)
    root.set(XML_LANG_OPF, lang)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _finish_nav(data: bytes, page_list: etree._Element) -> bytes:
    """Add the page-list to the navigation document ebooklib wrote."""
    root = etree.fromstring(data)
    root.find(q("body")).append(page_list)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


_COMPRESSED = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2")  # compressed already


def reproducible_zip(data: bytes, built: dt.datetime, lang: str,
                     page_list: etree._Element | None = None) -> bytes:
    """Rewrite an EPUB zip: mimetype first and stored, fixed order, dates and permissions;
    the package document's language and the navigation document's page-list added."""
    stamp = built.astimezone(dt.UTC).timetuple()[:6]
    stamp = max(stamp, (1980, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        names = [n for n in source.namelist() if n not in ("mimetype", "META-INF/container.xml")]
        opf = f"{FOLDER}/content.opf"
        order = ["mimetype", "META-INF/container.xml", opf, *sorted(n for n in names if n != opf)]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for name in order:
                content = source.read(name)
                if name == opf:
                    content = _finish_opf(content, lang)
                elif name == f"{FOLDER}/nav.xhtml" and page_list is not None:
                    content = _finish_nav(content, page_list)
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.external_attr = 0o644 << 16
                info.create_system = 3
                if name == "mimetype" or name.endswith(_COMPRESSED):
                    info.compress_type = zipfile.ZIP_STORED  # deflate would gain nothing
                    target.writestr(info, content)
                else:
                    info.compress_type = zipfile.ZIP_DEFLATED
                    target.writestr(info, content, compresslevel=6)
    return out.getvalue()


def write_epub(rendering: Rendering, built: dt.datetime) -> Written:
    """The EPUB 3 file of a rendering: with its covers, its cover; with the PDF's page starts,
    its page-break markers and page-list; with its fonts cut down already, those."""
    pages = None
    if rendering.page_starts:
        document = copy.deepcopy(rendering.document)
        assert isinstance(document, etree._ElementTree)
        pages = mark_pages(document.getroot(), rendering.page_starts)
        rendering = dataclasses.replace(rendering, document=document)
    documents = split_documents(rendering)
    assets = rendering.epub_fonts
    if assets is None:
        assets = epub_assets(rendering, documents)
    cover = rendering.covers.image if rendering.covers else None
    data, page_list = _package(rendering, documents, built, assets, pages, cover)
    missed = () if not pages or not pages.missed else (Diagnostic(
        "warning", f"EPUB: the page-list lacks {len(pages.missed)} of the PDF's pages "
        f"({', '.join(pages.missed[:10])}{', ...' if len(pages.missed) > 10 else ''}): their "
        "first words were not found in the ebook's text"),)
    return Written(reproducible_zip(data, built, rendering.book.metadata.lang, page_list),
                   diagnostics=missed)
