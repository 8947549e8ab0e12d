"""A shelf's catalogues (OPDS 1.2 Atom, OPDS 2.0 JSON) and its web page, from a typed model.

Each output is a function of the model alone: times come from the model (the build time), never from
the clock, and books come in title order, so the same shelf gives the same bytes however its books
were built. The three files sit at the site root and every link in them is relative to it, so the
folder can be served from anywhere; only the self links, which OPDS wants absolute, use the shelf's
base URL when it has one.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
import uuid
from dataclasses import dataclass
from posixpath import splitext
from typing import Any
from urllib.parse import quote

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.units import format_unit
from lxml import etree, html
from lxml.html import builder as E

FEED_XML = "catalogue.xml"
FEED_JSON = "catalogue.json"
INDEX_HTML = "index.html"

ATOM = "http://www.w3.org/2005/Atom"
DCTERMS = "http://purl.org/dc/terms/"
OPDS = "http://opds-spec.org/2010/catalog"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

ACQUISITION_FEED = "application/atom+xml;profile=opds-catalog;kind=acquisition"
OPDS_CATALOG = "application/atom+xml;profile=opds-catalog"  # the type HTML discovery links use
OPDS2_FEED = "application/opds+json"
OPEN_ACCESS = "http://opds-spec.org/acquisition/open-access"  # OPDS 2's alias: "download"
IMAGE = "http://opds-spec.org/image"
THUMBNAIL = "http://opds-spec.org/image/thumbnail"
SCHEMA_BOOK = "http://schema.org/Book"

KINDS = ("epub", "pdf", "booklet")  # also the order a book's files are listed in
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}


@dataclass(frozen=True)
class ShelfFile:
    """One downloadable output of a book."""

    href: str  # relative to the site root, e.g. "le-client/le-client.epub"
    media_type: str  # application/epub+zip, application/pdf
    kind: str  # "epub" | "pdf" | "booklet" (a PDF imposed for folding, labelled for printing)
    size: int  # bytes

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.href}: kind {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.size < 0:
            raise ValueError(f"{self.href}: size {self.size} is negative")


@dataclass(frozen=True)
class ShelfBook:
    """One book of the shelf, as the catalogues and the page show it."""

    id: str  # the book's identifier (urn:isbn:..., urn:uuid:...)
    slug: str
    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    lang: str
    summary: str | None
    subjects: tuple[str, ...]
    publisher: str | None
    issued: str | None  # ISO date of the book: YYYY, YYYY-MM or YYYY-MM-DD
    updated: dt.datetime  # from the build time (SOURCE_DATE_EPOCH), never the clock
    cover: str | None  # relative hrefs of PNG or JPEG (or GIF) images
    thumbnail: str | None
    files: tuple[ShelfFile, ...]


@dataclass(frozen=True)
class Shelf:
    """The whole site: its books and what the catalogues say of themselves."""

    title: str
    publisher: str | None
    lang: str
    base_url: str | None  # absolute base URL of the site, if given
    updated: dt.datetime
    id: str
    books: tuple[ShelfBook, ...]

    def __post_init__(self) -> None:
        # A slug is an anchor of the page and an id a catalogue entry: two books cannot share one.
        for field in ("slug", "id"):
            values = [getattr(book, field) for book in self.books]
            twice = sorted({value for value in values if values.count(value) > 1})
            if twice:
                raise ValueError(f"two books of the shelf have the {field} {', '.join(twice)}")


_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "skip": "Skip to the books",
        "cover": "Cover of “{title}”",
        "download": "Download",
        "epub": "EPUB",
        "epub_note": "for e-readers, phones and tablets",
        "pdf": "PDF",
        "pdf_note": "to read on screen or print page by page",
        "booklet": "PDF booklet",
        "booklet_note": "to print and fold",
        "catalogue": "OPDS catalogue",
        "catalogue_json": "OPDS 2.0",
        "catalogue_note": "for reading apps: add its address to follow these books",
        "updated": "Updated {date}",
    },
    "fr": {
        "skip": "Aller aux livres",
        "cover": "Couverture de «\u00a0{title}\u00a0»",
        "download": "Télécharger",
        "epub": "EPUB",
        "epub_note": "pour liseuses, téléphones et tablettes",
        "pdf": "PDF",
        "pdf_note": "à lire à l’écran ou à imprimer page à page",
        "booklet": "Livret PDF",
        "booklet_note": "à imprimer et plier",
        "catalogue": "Catalogue OPDS",
        "catalogue_json": "OPDS 2.0",
        "catalogue_note": "pour les applications de lecture\u00a0: ajoutez son adresse pour suivre "
                          "ces livres",
        "updated": "Mis à jour le {date}",
    },
    "de": {
        "skip": "Zu den Büchern springen",
        "cover": "Umschlag von „{title}“",
        "download": "Herunterladen",
        "epub": "EPUB",
        "epub_note": "für E-Reader, Smartphones und Tablets",
        "pdf": "PDF",
        "pdf_note": "zum Lesen am Bildschirm oder seitenweisen Drucken",
        "booklet": "PDF-Broschüre",
        "booklet_note": "zum Ausdrucken und Falten",
        "catalogue": "OPDS-Katalog",
        "catalogue_json": "OPDS 2.0",
        "catalogue_note": "für Lese-Apps: Adresse hinzufügen, um diesen Büchern zu folgen",
        "updated": "Aktualisiert am {date}",
    },
    "es": {
        "skip": "Saltar a los libros",
        "cover": "Cubierta de «{title}»",
        "download": "Descargar",
        "epub": "EPUB",
        "epub_note": "para lectores electrónicos, teléfonos y tabletas",
        "pdf": "PDF",
        "pdf_note": "para leer en pantalla o imprimir página a página",
        "booklet": "Folleto PDF",
        "booklet_note": "para imprimir y plegar",
        "catalogue": "Catálogo OPDS",
        "catalogue_json": "OPDS 2.0",
        "catalogue_note": "para aplicaciones de lectura: añada su dirección para seguir estos libros",
        "updated": "Actualizado el {date}",
    },
    "it": {
        "skip": "Vai ai libri",
        "cover": "Copertina di «{title}»",
        "download": "Scarica",
        "epub": "EPUB",
        "epub_note": "per e-reader, telefoni e tablet",
        "pdf": "PDF",
        "pdf_note": "da leggere sullo schermo o stampare pagina per pagina",
        "booklet": "Opuscolo PDF",
        "booklet_note": "da stampare e piegare",
        "catalogue": "Catalogo OPDS",
        "catalogue_json": "OPDS 2.0",
        "catalogue_note": "per le app di lettura: aggiungi il suo indirizzo per seguire questi libri",
        "updated": "Aggiornato il {date}",
    },
}

# Small, so the page needs no other request; one column at phone widths, several on a desktop.
_CSS = """
:root{color-scheme:light dark;--ink:#1d1d1b;--paper:#fbfaf7;--muted:#575757;--link:#0a57a4;--rule:#d8d4cc}
@media (prefers-color-scheme:dark){
:root{--ink:#ecebe8;--paper:#171717;--muted:#b4b4b4;--link:#8ec5ff;--rule:#3b3b3b}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--paper);color:var(--ink);overflow-wrap:anywhere;
font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
header,main,footer{max-width:74rem;margin:0 auto;padding:1.25rem}
h1{font-size:clamp(1.6rem,6vw,2.5rem);line-height:1.15;margin:.5rem 0 0}
.publisher{margin:.3rem 0 0;color:var(--muted)}
main{display:grid;gap:2.5rem 2rem;grid-template-columns:repeat(auto-fill,minmax(min(100%,27rem),1fr))}
article{display:flex;gap:1rem;align-items:flex-start}
article img,.nocover{flex:none;width:6.5rem;height:auto;border:1px solid var(--rule)}
.nocover{aspect-ratio:2/3;background:var(--rule)}
.about{flex:1;min-width:0}
h2{font-size:1.3rem;line-height:1.2;margin:0}
.subtitle{margin:.2rem 0 0;font-style:italic}
.authors{margin:.35rem 0 0;color:var(--muted)}
.summary{margin:.6rem 0 0}
h3{font-size:.8rem;letter-spacing:.06em;text-transform:uppercase;color:var(--muted);margin:1rem 0 .2rem}
.files{list-style:none;margin:0;padding:0}
.files li{margin:.4rem 0}
.files a{font-weight:600}
.size{color:var(--muted);font-variant-numeric:tabular-nums}
.note{display:block;font-size:.92rem;color:var(--muted)}
a{color:var(--link);text-underline-offset:.15em}
a:focus-visible{outline:3px solid var(--link);outline-offset:2px}
.skip{position:absolute;left:.5rem;top:-4rem;padding:.5rem .75rem;background:var(--paper);z-index:1}
.skip:focus{top:.5rem}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
footer{border-top:1px solid var(--rule);color:var(--muted);font-size:.95rem}
@media (max-width:22.5rem){article img,.nocover{width:5rem}}
"""

# Elements after which the page source breaks its line, for people reading it; never inline ones,
# where a line break would show as a space.
_BLOCKS = frozenset({
    "html", "head", "body", "meta", "title", "link", "style",
    "header", "main", "footer", "article", "div", "h1", "h2", "h3", "p", "ul", "li",
})


# -- shared -------------------------------------------------------------------------------------------


def _words(lang: str) -> dict[str, str]:
    """The page's words in ``lang`` (by primary subtag), English where the language is unknown."""
    return _WORDS.get(lang.replace("_", "-").split("-")[0].lower(), _WORDS["en"])


def _locale(lang: str) -> Locale:
    """The locale numbers, dates and lists are written in; English where Babel does not know it."""
    try:
        return Locale.parse(lang.replace("_", "-"), sep="-")
    except (ValueError, UnknownLocaleError):
        return Locale("en")


def _in_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC; a naive time is taken as UTC, as build times are."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _utc(moment: dt.datetime) -> str:
    """RFC 3339, in UTC."""
    return _in_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _url(href: str) -> str:
    """``href`` as a URI reference: spaces and other characters a URI cannot hold percent-encoded."""
    return quote(href, safe="/:@!$&'()*+,;=-._~%#?")


def _absolute(shelf: Shelf, name: str) -> str:
    """``name`` under the shelf's base URL, or relative to the site root when it has none."""
    if not shelf.base_url:
        return name
    return f"{shelf.base_url.rstrip('/')}/{_url(name)}"


def _anchor(book: ShelfBook) -> str:
    """The book's place on the web page."""
    return f"{INDEX_HTML}#{quote(book.slug, safe='')}"


def _title_key(book: ShelfBook) -> tuple[str, str, str]:
    """Title order, ignoring case and accents ("Élan" with the E's)."""
    folded = unicodedata.normalize("NFKD", book.title.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c)), book.title, book.id


def _books(shelf: Shelf) -> list[ShelfBook]:
    return sorted(shelf.books, key=_title_key)


def _files(book: ShelfBook) -> list[ShelfFile]:
    return sorted(book.files, key=lambda file: (KINDS.index(file.kind), file.href))


def _image_type(href: str) -> str:
    """The media type of a cover, which OPDS wants as GIF, JPEG or PNG."""
    media_type = IMAGE_TYPES.get(splitext(href)[1].lower())
    if media_type is None:
        raise ValueError(f"{href}: a cover must be a PNG, JPEG or GIF image")
    return media_type


def _file_title(file: ShelfFile, words: dict[str, str]) -> str:
    """The label a catalogue gives a file; the booklet's says what it is for, as its type is the PDF's."""
    label = words[file.kind]
    return f"{label} ({words['booklet_note']})" if file.kind == "booklet" else label


def _images(book: ShelfBook) -> list[tuple[str, str]]:
    """(OPDS 1 relation, href) of the cover and thumbnail the book has."""
    return [(rel, href) for rel, href in ((IMAGE, book.cover), (THUMBNAIL, book.thumbnail)) if href]


# -- OPDS 1.2 -----------------------------------------------------------------------------------------


def _atom(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
    element.text = text
    return element


def _dc(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, f"{{{DCTERMS}}}{name}").text = text


def _person(parent: etree._Element, name: str) -> None:
    _atom(_atom(parent, "author"), "name", name)


def _entry_id(book: ShelfBook) -> str:
    """The entry's atom:id: stable, made from the book's identifier, yet not it, since OPDS keeps
    dc:identifier for the publication and atom:id for the catalogue entry."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'opds-entry:{book.id}')}"


def _entry(feed: etree._Element, book: ShelfBook, words: dict[str, str]) -> None:
    entry = _atom(feed, "entry")
    entry.set(XML_LANG, book.lang)
    _atom(entry, "title", book.title)
    _atom(entry, "id", _entry_id(book))
    _atom(entry, "updated", _utc(book.updated))
    for name in book.authors:
        _person(entry, name)
    _dc(entry, "identifier", book.id)
    _dc(entry, "language", book.lang)
    if book.issued:
        _dc(entry, "issued", book.issued)
    if book.publisher:
        _dc(entry, "publisher", book.publisher)
    for subject in book.subjects:
        _atom(entry, "category", term=subject, label=subject)
    if book.summary:
        _atom(entry, "summary", book.summary, type="text")
    for rel, href in _images(book):
        _atom(entry, "link", rel=rel, href=_url(href), type=_image_type(href))
    # Atom wants an alternate link in an entry without content: the book on the web page.
    _atom(entry, "link", rel="alternate", href=_anchor(book), type="text/html", title=book.title)
    for file in _files(book):
        _atom(entry, "link", rel=OPEN_ACCESS, href=_url(file.href), type=file.media_type,
              title=_file_title(file, words), length=str(file.size))


def opds_v1(shelf: Shelf) -> bytes:
    """The OPDS 1.2 acquisition feed (Atom) of the shelf, ``catalogue.xml``."""
    words = _words(shelf.lang)
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM, "dc": DCTERMS, "opds": OPDS})
    feed.set(XML_LANG, shelf.lang)
    _atom(feed, "id", shelf.id)
    _atom(feed, "title", shelf.title)
    _atom(feed, "updated", _utc(shelf.updated))
    _person(feed, shelf.publisher or shelf.title)  # Atom wants one, for the books without authors
    for rel in ("self", "start"):
        _atom(feed, "link", rel=rel, href=_absolute(shelf, FEED_XML), type=ACQUISITION_FEED)
    _atom(feed, "link", rel="alternate", href=FEED_JSON, type=OPDS2_FEED)
    _atom(feed, "link", rel="alternate", href=INDEX_HTML, type="text/html")
    for book in _books(shelf):
        _entry(feed, book, words)
    data: bytes = etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data


# -- OPDS 2.0 -----------------------------------------------------------------------------------------


def _filled(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` without blank values, which OPDS 2 metadata should not carry."""
    return {key: value for key, value in fields.items() if value not in (None, "", [], {})}


def _full_date(issued: str | None) -> str | None:
    """A full date for OPDS 2's ``published``, which takes no bare year: YYYY and YYYY-MM start their
    year or month."""
    if not issued:
        return None
    parts = issued.split("-")
    return "-".join(parts + ["01"] * (3 - len(parts))) if len(parts) < 3 else issued


def _publication(book: ShelfBook, words: dict[str, str]) -> dict[str, Any]:
    metadata = {
        "@type": SCHEMA_BOOK,
        "identifier": book.id,
        "title": book.title,
        "subtitle": book.subtitle,
        "author": list(book.authors),
        "language": book.lang,
        "modified": _utc(book.updated),
        "published": _full_date(book.issued),
        "description": book.summary,
        "subject": list(book.subjects),
        "publisher": book.publisher,
    }
    links = [
        _filled({"rel": OPEN_ACCESS, "href": _url(file.href), "type": file.media_type,
                 "title": _file_title(file, words), "size": file.size or None})
        for file in _files(book)
    ]
    links.append({"rel": "alternate", "href": _anchor(book), "type": "text/html", "title": book.title})
    images = [{"href": _url(href), "type": _image_type(href)} for _, href in _images(book)]
    return _filled({"metadata": _filled(metadata), "links": links, "images": images})


def opds_v2(shelf: Shelf) -> bytes:
    """The OPDS 2.0 feed (JSON) of the shelf, ``catalogue.json``."""
    words = _words(shelf.lang)
    feed = {
        "metadata": _filled({"title": shelf.title, "identifier": shelf.id, "modified": _utc(shelf.updated),
                             "numberOfItems": len(shelf.books)}),
        "links": [
            {"rel": "self", "href": _absolute(shelf, FEED_JSON), "type": OPDS2_FEED},
            {"rel": "alternate", "href": FEED_XML, "type": ACQUISITION_FEED},
            {"rel": "alternate", "href": INDEX_HTML, "type": "text/html"},
        ],
        "publications": [_publication(book, words) for book in _books(shelf)],
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


# -- the web page -------------------------------------------------------------------------------------


def _size(size: int, locale: Locale) -> str:
    """A file size in decimal units, as file managers show them: 340 kB, 1.2 MB, 12 MB."""
    for unit, scale in (("digital-megabyte", 1_000_000), ("digital-kilobyte", 1_000)):
        if size >= scale:
            amount = size / scale
            return format_unit(round(amount, 1) if amount < 10 else round(amount), unit,
                               length="short", locale=locale)
    return format_unit(size, "digital-byte", length="short", locale=locale)


def _with(template: str, marker: str, element: html.HtmlElement) -> list[Any]:
    """``template`` around ``element``, put where ``marker`` (e.g. "{date}") stands."""
    before, _, after = template.partition(marker)
    return [before, element, after]


def _download(file: ShelfFile, book: ShelfBook, words: dict[str, str], locale: Locale) -> html.HtmlElement:
    # The book's title, hidden on screen, tells each "EPUB" link apart in a screen reader's list of links.
    link = E.A(words[file.kind], E.SPAN(f", {book.title}", E.CLASS("vh")),
               href=_url(file.href), type=file.media_type)
    size = E.SPAN(f"({_size(file.size, locale)})", E.CLASS("size"))
    return E.LI(link, " ", size, " ", E.SPAN(words[f"{file.kind}_note"], E.CLASS("note")))


def _article(book: ShelfBook, words: dict[str, str], page_lang: str, locale: Locale) -> html.HtmlElement:
    # The book's own words in its language, when it is not the page's, for screen readers' voices.
    lang = {"lang": book.lang} if book.lang != page_lang else {}
    title_id = f"{book.slug}-title"
    about = E.DIV(E.CLASS("about"), E.H2(book.title, id=title_id, **lang))
    if book.subtitle:
        about.append(E.P(book.subtitle, E.CLASS("subtitle"), **lang))
    if book.authors:
        about.append(E.P(format_list(list(book.authors), locale=locale), E.CLASS("authors")))
    for paragraph in (book.summary or "").split("\n\n"):
        if paragraph.strip():
            about.append(E.P(paragraph.strip(), E.CLASS("summary"), **lang))
    about.append(E.H3(words["download"]))
    about.append(E.UL(E.CLASS("files"), *(_download(f, book, words, locale) for f in _files(book))))
    article = E.ARTICLE(id=book.slug, **{"aria-labelledby": title_id})
    image = book.thumbnail or book.cover  # the small one: the page shows covers small
    if image:
        article.append(E.IMG(src=_url(image), alt=words["cover"].format(title=book.title),
                             loading="lazy", decoding="async"))
    else:  # a blank of a cover's size, so that every book's text starts at the same place
        article.append(E.DIV(E.CLASS("nocover"), **{"aria-hidden": "true"}))
    article.append(about)
    return article


def _footer(shelf: Shelf, words: dict[str, str], locale: Locale) -> html.HtmlElement:
    day = format_date(_in_utc(shelf.updated).date(), "long", locale=locale)
    when = E.TIME(day, datetime=_utc(shelf.updated))
    feeds = E.P(
        E.A(words["catalogue"], href=FEED_XML, type=ACQUISITION_FEED), " · ",
        E.A(words["catalogue_json"], href=FEED_JSON, type=OPDS2_FEED), f" – {words['catalogue_note']}",
    )
    return E.FOOTER(feeds, E.P(*_with(words["updated"], "{date}", when)))


def _head(shelf: Shelf, words: dict[str, str], stylesheet_href: str | None) -> html.HtmlElement:
    style = E.LINK(rel="stylesheet", href=_url(stylesheet_href)) if stylesheet_href else E.STYLE(_CSS)
    return E.HEAD(
        E.META(charset="utf-8"),
        E.META(name="viewport", content="width=device-width, initial-scale=1"),
        E.TITLE(shelf.title),
        style,
        E.LINK(rel="alternate", type=OPDS_CATALOG, href=FEED_XML, title=words["catalogue"]),
        E.LINK(rel="alternate", type=OPDS2_FEED, href=FEED_JSON, title=words["catalogue_json"]),
    )


def _break_lines(page: html.HtmlElement) -> None:
    for element in page.iter():
        if element.tag in _BLOCKS and not element.tail:
            element.tail = "\n"


def index_html(shelf: Shelf, stylesheet_href: str | None = None) -> bytes:
    """The web page of the shelf, ``index.html``: its inline style, or ``stylesheet_href`` instead."""
    words, locale = _words(shelf.lang), _locale(shelf.lang)
    header = E.HEADER(E.H1(shelf.title))
    if shelf.publisher:
        header.append(E.P(shelf.publisher, E.CLASS("publisher")))
    body = E.BODY(
        E.A(words["skip"], E.CLASS("skip"), href="#books"),
        header,
        E.MAIN(*(_article(book, words, shelf.lang, locale) for book in _books(shelf)), id="books"),
        _footer(shelf, words, locale),
    )
    page = E.HTML(_head(shelf, words, stylesheet_href), body, lang=shelf.lang)
    _break_lines(page)
    data: bytes = html.tostring(page, doctype="<!DOCTYPE html>", encoding="utf-8")
    return data


def site_files(shelf: Shelf) -> dict[str, bytes]:
    """The catalogues and the page, by their file names at the site root."""
    return {FEED_XML: opds_v1(shelf), FEED_JSON: opds_v2(shelf), INDEX_HTML: index_html(shelf)}
