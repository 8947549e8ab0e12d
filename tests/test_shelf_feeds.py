"""A shelf's catalogues and web page, checked as their readers would check them.

The OPDS 1.2 feed against the OPDS RelaxNG schema and with feedparser, the OPDS 2.0 feed against the
OPDS JSON Schemas, the page with lxml and in headless Chromium at a phone's and a desktop's width.
The schemas are not in the repository: they are read from $BROCHURE_SCHEMAS, else ../shared/schemas
(tests/schemas/README.md says what goes there and where it comes from); their tests skip without them.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import json
import os
import re
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
from lxml import etree, html
from PIL import Image

from brochure.shelf.feeds import (
    ACQUISITION_FEED,
    OPEN_ACCESS,
    Shelf,
    ShelfBook,
    ShelfFile,
    index_html,
    opds_v1,
    opds_v2,
    site_files,
)

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = Path(os.environ.get("BROCHURE_SCHEMAS") or ROOT.parent / "shared" / "schemas")
NS = {"a": "http://www.w3.org/2005/Atom", "dc": "http://purl.org/dc/terms/"}
BUILT = dt.datetime.fromtimestamp(1700000000, tz=dt.UTC)  # as SOURCE_DATE_EPOCH gives it
BUILT_TEXT = "2023-11-14T22:13:20Z"
TRICKY = 'Les <Mots> & les "Choses"'
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync")


def _book(slug: str, title: str, lang: str, **fields: Any) -> ShelfBook:
    values: dict[str, Any] = dict(
        id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, slug)}", slug=slug, title=title,
        subtitle=None, authors=(), lang=lang, summary=None, subjects=(), publisher=None, issued=None,
        updated=BUILT, cover=None, thumbnail=None,
        files=(ShelfFile(f"{slug}/{slug}.epub", "application/epub+zip", "epub", 98_765),),
    )
    values.update(fields)
    return ShelfBook(**values)


BOOKS = (
    _book(
        "les-mots", TRICKY, "fr", id="urn:isbn:9782070293353", subtitle="Une archéologie des <sciences>",
        authors=("Anne Dupont", "Jean Martin"), summary="Sur <rien> & tout.\n\nUn second paragraphe.",
        subjects=("Philosophie", "Histoire & société"), publisher="Éditions du Pré", issued="1966-04-02",
        cover="les-mots/cover.png", thumbnail="les-mots/thumbnail.jpg",
        files=(
            ShelfFile("les-mots/les-mots.pdf", "application/pdf", "pdf", 2_345_678),
            ShelfFile("les-mots/les-mots-booklet.pdf", "application/pdf", "booklet", 2_500_000),
            ShelfFile("les-mots/les-mots.epub", "application/epub+zip", "epub", 345_678),
        ),
    ),
    _book("manifesto", "The Communist Manifesto", "en", authors=("Karl Marx", "Friedrich Engels"),
          issued="1848-02", subjects=("Politics",)),
    _book(
        "elan", "Élan: Anticonstitutionnellementextraordinairementinterminablementlong", "fr",
        authors=("Claude Auteur-Avec-Un-Nom-Composé-Très-Long",), issued="1907",
        summary="Un résumé assez long pour passer à la ligne plusieurs fois sur un téléphone, "
                "afin de voir que rien ne déborde de la page, même à 360 pixels de large.",
        cover="elan/cover.jpg",
        files=(ShelfFile("elan/elan.epub", "application/epub+zip", "epub", 1_234),
               ShelfFile("elan/elan.pdf", "application/pdf", "pdf", 12_345_678)),
    ),
)
TITLE_ORDER = ["elan", "les-mots", "manifesto"]  # "Élan" files with the E's


def _shelf(lang: str = "fr", base_url: str | None = "https://books.example.org/shelf/") -> Shelf:
    return Shelf(title="Étagère <des> & « amis »", publisher="Éditions du Pré", lang=lang,
                 base_url=base_url, updated=BUILT, id="urn:uuid:0e7c1b8a-2222-4d3e-8f00-abcdefabcdef",
                 books=BOOKS)


def _targets(shelf: Shelf) -> set[str]:
    """Everything the site holds that its pages may link to."""
    files = {file.href for book in shelf.books for file in book.files}
    images = {href for book in shelf.books for href in (book.cover, book.thumbnail) if href}
    return files | images | {"catalogue.xml", "catalogue.json", "index.html"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shelf written out as a site: the three files, real cover images, stand-in book files."""
    root = tmp_path_factory.mktemp("site")
    shelf = _shelf()
    for name, data in site_files(shelf).items():
        (root / name).write_bytes(data)
    for book in shelf.books:
        for file in book.files:
            _write(root / file.href, b"\0" * file.size)
        for href, size in ((book.cover, (600, 900)), (book.thumbnail, (200, 300))):
            if href:
                picture = io.BytesIO()
                kind = "PNG" if href.endswith(".png") else "JPEG"
                Image.new("RGB", size, (150, 40, 30)).save(picture, kind)
                _write(root / href, picture.getvalue())
    return root


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# -- the model and the outputs together ---------------------------------------------------------------


def test_site_files_are_the_three_outputs():
    shelf = _shelf()
    assert site_files(shelf) == {
        "catalogue.xml": opds_v1(shelf), "catalogue.json": opds_v2(shelf), "index.html": index_html(shelf),
    }


def test_same_shelf_same_bytes_whatever_the_order_of_its_books():
    shelf = _shelf()
    shuffled = dataclasses.replace(shelf, books=tuple(reversed(shelf.books)))
    assert site_files(shelf) == site_files(shuffled)


def test_times_come_from_the_model_not_the_clock():
    older = dt.datetime(1999, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-2)))
    shelf = dataclasses.replace(_shelf(), updated=older)
    feed = etree.fromstring(opds_v1(shelf))
    assert feed.findtext("a:updated", namespaces=NS) == "2000-01-01T01:00:00Z"
    assert {e.text for e in feed.iterfind("a:entry/a:updated", NS)} == {BUILT_TEXT}
    assert json.loads(opds_v2(shelf))["metadata"]["modified"] == "2000-01-01T01:00:00Z"
    assert b'datetime="2000-01-01T01:00:00Z"' in index_html(shelf)


def test_a_file_of_an_unknown_kind_or_a_cover_of_another_format_is_refused():
    with pytest.raises(ValueError, match="kind"):
        ShelfFile("a/a.mobi", "application/x-mobipocket-ebook", "mobi", 1)
    svg = dataclasses.replace(_shelf(), books=(_book("svg", "SVG", "en", cover="svg/cover.svg"),))
    with pytest.raises(ValueError, match="PNG, JPEG or GIF"):
        opds_v1(svg)


def test_two_books_with_one_slug_or_one_identifier_are_refused():
    twin = dataclasses.replace(BOOKS[1], id="urn:uuid:another")
    with pytest.raises(ValueError, match="slug manifesto"):
        dataclasses.replace(_shelf(), books=(*BOOKS, twin))
    twin = dataclasses.replace(BOOKS[1], slug="another")
    with pytest.raises(ValueError, match="id urn:uuid:"):
        dataclasses.replace(_shelf(), books=(*BOOKS, twin))


def test_every_relative_link_of_the_site_reaches_one_of_its_files(site: Path):
    page = html.fromstring((site / "index.html").read_bytes())
    anchors = {element.get("id") for element in page.iter() if element.get("id")}
    feed = etree.parse(str(site / "catalogue.xml"))
    hrefs = [link.get("href") for link in feed.iterfind(".//a:link", NS)]
    hrefs += [link["href"] for link in _json_links(json.loads((site / "catalogue.json").read_bytes()))]
    hrefs += [element.get("href") or element.get("src") for element in page.iter("a", "img", "link")]
    for href in hrefs:
        if urlsplit(href).scheme:
            assert href.startswith("https://books.example.org/shelf/"), href
            continue
        path, fragment = urldefrag(href)
        assert not path or (site / unquote(path)).is_file(), href
        assert not fragment or fragment in anchors, href


def _json_links(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "href" in node:
            yield node
        for value in node.values():
            yield from _json_links(value)
    elif isinstance(node, list):
        for value in node:
            yield from _json_links(value)


# -- OPDS 1.2 -----------------------------------------------------------------------------------------


def test_opds1_feed_has_what_atom_and_opds_require():
    feed = etree.fromstring(opds_v1(_shelf()))
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert feed.findtext("a:id", namespaces=NS) == "urn:uuid:0e7c1b8a-2222-4d3e-8f00-abcdefabcdef"
    assert feed.findtext("a:title", namespaces=NS) == "Étagère <des> & « amis »"
    assert feed.findtext("a:updated", namespaces=NS) == BUILT_TEXT
    assert feed.findtext("a:author/a:name", namespaces=NS) == "Éditions du Pré"
    links = {link.get("rel"): link for link in feed.iterfind("a:link", NS)}
    for rel in ("self", "start"):
        assert links[rel].get("href") == "https://books.example.org/shelf/catalogue.xml"
        assert links[rel].get("type") == ACQUISITION_FEED


def test_opds1_self_link_is_relative_without_a_base_url():
    feed = etree.fromstring(opds_v1(_shelf(base_url=None)))
    assert feed.find("a:link[@rel='self']", NS).get("href") == "catalogue.xml"


def test_opds1_entries_carry_the_books():
    feed = etree.fromstring(opds_v1(_shelf()))
    entries = feed.findall("a:entry", NS)
    assert [e.find("a:link[@rel='alternate']", NS).get("href") for e in entries] == [
        f"index.html#{slug}" for slug in TITLE_ORDER]
    entry = entries[1]
    assert entry.findtext("a:title", namespaces=NS) == TRICKY
    assert entry.findtext("a:id", namespaces=NS).startswith("urn:uuid:")
    assert entry.findtext("dc:identifier", namespaces=NS) == "urn:isbn:9782070293353"
    assert entry.findtext("a:updated", namespaces=NS) == BUILT_TEXT
    assert [a.text for a in entry.iterfind("a:author/a:name", NS)] == ["Anne Dupont", "Jean Martin"]
    assert entry.findtext("dc:language", namespaces=NS) == "fr"
    assert entry.findtext("dc:issued", namespaces=NS) == "1966-04-02"
    assert entry.findtext("dc:publisher", namespaces=NS) == "Éditions du Pré"
    assert entry.find("a:summary", NS).get("type") == "text"
    assert entry.findtext("a:summary", namespaces=NS) == "Sur <rien> & tout.\n\nUn second paragraphe."
    assert [c.get("term") for c in entry.iterfind("a:category", NS)] == ["Philosophie", "Histoire & société"]
    links = [(link.get("rel"), link.get("href"), link.get("type"), link.get("length"))
             for link in entry.iterfind("a:link", NS)]
    assert ("http://opds-spec.org/image", "les-mots/cover.png", "image/png", None) in links
    assert ("http://opds-spec.org/image/thumbnail", "les-mots/thumbnail.jpg", "image/jpeg", None) in links
    assert [link[1:] for link in links if link[0] == OPEN_ACCESS] == [
        ("les-mots/les-mots.epub", "application/epub+zip", "345678"),
        ("les-mots/les-mots.pdf", "application/pdf", "2345678"),
        ("les-mots/les-mots-booklet.pdf", "application/pdf", "2500000"),
    ]
    booklet = entry.find("a:link[@href='les-mots/les-mots-booklet.pdf']", NS)
    assert booklet.get("title") == "Livret PDF (à imprimer et plier)"


def test_opds1_entry_ids_are_stable_and_not_the_books_identifiers():
    first = etree.fromstring(opds_v1(_shelf()))
    renamed = etree.fromstring(opds_v1(dataclasses.replace(_shelf(), title="Another", id="urn:uuid:1")))
    ids = [e.findtext("a:id", namespaces=NS) for e in first.iterfind("a:entry", NS)]
    assert ids == [e.findtext("a:id", namespaces=NS) for e in renamed.iterfind("a:entry", NS)]
    assert len(set(ids)) == len(ids)
    assert not set(ids) & {book.id for book in BOOKS}


def test_opds1_feed_reads_in_feedparser():
    feedparser = pytest.importorskip("feedparser")
    parsed = feedparser.parse(opds_v1(_shelf()))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Étagère <des> & « amis »"
    assert parsed.feed.id == "urn:uuid:0e7c1b8a-2222-4d3e-8f00-abcdefabcdef"
    assert parsed.feed.updated == BUILT_TEXT
    assert parsed.feed.author == "Éditions du Pré"
    assert {(link.rel, link.type) for link in parsed.feed.links} >= {
        ("self", ACQUISITION_FEED), ("start", ACQUISITION_FEED)}
    assert len(parsed.entries) == len(BOOKS)
    for entry, slug in zip(parsed.entries, TITLE_ORDER, strict=True):
        book = next(book for book in BOOKS if book.slug == slug)
        assert entry.title == book.title
        assert entry.id and entry.updated == BUILT_TEXT
        assert [author.name for author in entry.authors] == list(book.authors)
        assert entry.dcterms_language == book.lang
        assert entry.published == book.issued
        assert [tag.term for tag in entry.get("tags", [])] == list(book.subjects)
        assert entry.get("summary") == book.summary or (book.summary is None and "summary" not in entry)
        acquisitions = [link for link in entry.links if link.rel == OPEN_ACCESS]
        assert sorted((link.href, link.type, int(link.length)) for link in acquisitions) == sorted(
            (file.href, file.media_type, file.size) for file in book.files)
        images = {link.rel: link.href for link in entry.links if "opds-spec.org/image" in link.rel}
        assert images.get("http://opds-spec.org/image") == book.cover
        assert images.get("http://opds-spec.org/image/thumbnail") == book.thumbnail
    assert parsed.entries[1].dcterms_publisher == "Éditions du Pré"


@pytest.fixture(scope="session")
def opds_relaxng() -> etree.RelaxNG:
    path = SCHEMAS / "opds-1.2" / "opds.rng"
    if not path.is_file():
        pytest.skip(f"the OPDS 1.2 RelaxNG schema is not at {path} (see tests/schemas/README.md)")
    return etree.RelaxNG(etree.parse(str(path)))


@pytest.mark.parametrize("base_url", ["https://books.example.org/shelf/", None])
def test_opds1_feed_is_valid_against_the_opds_schema(opds_relaxng: etree.RelaxNG, base_url: str | None):
    feed = etree.fromstring(opds_v1(_shelf(base_url=base_url)))
    assert opds_relaxng.validate(feed), opds_relaxng.error_log


def test_the_opds_schema_does_refuse_what_opds_forbids(opds_relaxng: etree.RelaxNG):
    """The schema at hand checks OPDS, not only Atom: an HTML summary and a price-less purchase fail."""
    feed = etree.fromstring(opds_v1(_shelf()))
    feed.find(".//a:summary", NS).set("type", "html")
    assert not opds_relaxng.validate(feed)
    feed = etree.fromstring(opds_v1(_shelf()))
    feed.find(f".//a:link[@rel='{OPEN_ACCESS}']", NS).set("rel", "http://opds-spec.org/acquisition/buy")
    assert not opds_relaxng.validate(feed)


# -- OPDS 2.0 -----------------------------------------------------------------------------------------


def test_opds2_feed_has_what_opds2_requires():
    feed = json.loads(opds_v2(_shelf()))
    assert feed["metadata"]["title"] == "Étagère <des> & « amis »"
    assert feed["metadata"]["modified"] == BUILT_TEXT
    assert {"rel": "self", "href": "https://books.example.org/shelf/catalogue.json",
            "type": "application/opds+json"} in feed["links"]
    publications = feed["publications"]
    assert [p["metadata"]["title"] for p in publications] == [
        next(b.title for b in BOOKS if b.slug == slug) for slug in TITLE_ORDER]
    metadata = publications[1]["metadata"]
    assert metadata == {
        "@type": "http://schema.org/Book", "identifier": "urn:isbn:9782070293353", "title": TRICKY,
        "subtitle": "Une archéologie des <sciences>", "author": ["Anne Dupont", "Jean Martin"],
        "language": "fr", "modified": BUILT_TEXT, "published": "1966-04-02",
        "description": "Sur <rien> & tout.\n\nUn second paragraphe.",
        "subject": ["Philosophie", "Histoire & société"], "publisher": "Éditions du Pré",
    }
    acquisitions = [link for link in publications[1]["links"] if link["rel"] == OPEN_ACCESS]
    assert [(a["href"], a["type"], a["size"]) for a in acquisitions] == [
        ("les-mots/les-mots.epub", "application/epub+zip", 345_678),
        ("les-mots/les-mots.pdf", "application/pdf", 2_345_678),
        ("les-mots/les-mots-booklet.pdf", "application/pdf", 2_500_000),
    ]
    assert publications[1]["images"] == [{"href": "les-mots/cover.png", "type": "image/png"},
                                         {"href": "les-mots/thumbnail.jpg", "type": "image/jpeg"}]
    assert "images" not in publications[2]  # no blank values
    assert publications[2]["metadata"]["published"] == "1848-02-01"  # OPDS 2 takes full dates only


def test_opds2_feed_is_sorted_json():
    data = opds_v2(_shelf())
    again = json.dumps(json.loads(data), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    assert data == again.encode("utf-8")


@pytest.fixture(scope="session")
def opds2_validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    files = sorted(SCHEMAS.glob("**/*.schema.json"))
    if not (SCHEMAS / "opds-2.0" / "feed.schema.json").is_file():
        pytest.skip(f"the OPDS 2.0 JSON Schemas are not in {SCHEMAS} (see tests/schemas/README.md)")
    resources = []
    for path in files:
        # The schemas write named groups the ECMAScript way, (?<name>...); Python's re wants (?P<name>...).
        schema = json.loads(re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", path.read_text(encoding="utf-8")))
        resources.append((schema["$id"], referencing.Resource.from_contents(schema)))
    registry = referencing.Registry().with_resources(resources)
    feed = registry.contents("https://specs.opds.io/schema/feed.schema.json")
    return jsonschema.Draft7Validator(feed, registry=registry,
                                      format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("base_url", ["https://books.example.org/shelf/", None])
def test_opds2_feed_is_valid_against_the_opds2_schema(opds2_validator: Any, base_url: str | None):
    errors = [f"{e.json_path}: {e.message}" for e in opds2_validator.iter_errors(
        json.loads(opds_v2(_shelf(base_url=base_url))))]
    assert not errors


def test_the_opds2_schema_does_refuse_what_opds2_forbids(opds2_validator: Any):
    """A publication with no acquisition link, and a modified date that is no date, fail."""
    feed = json.loads(opds_v2(_shelf()))
    feed["publications"][0]["links"] = [link for link in feed["publications"][0]["links"]
                                        if link["rel"] != OPEN_ACCESS]
    assert list(opds2_validator.iter_errors(feed))
    feed = json.loads(opds_v2(_shelf()))
    feed["publications"][0]["metadata"]["modified"] = "yesterday"
    assert list(opds2_validator.iter_errors(feed))


# -- the web page -------------------------------------------------------------------------------------


def _page(shelf: Shelf, stylesheet_href: str | None = None) -> html.HtmlElement:
    return html.fromstring(index_html(shelf, stylesheet_href))


def test_page_is_in_the_shelfs_language_and_links_the_catalogues():
    page = _page(_shelf())
    assert page.get("lang") == "fr"
    assert page.findtext("head/title") == "Étagère <des> & « amis »"
    alternate = page.find("head/link[@rel='alternate'][@type='application/atom+xml;profile=opds-catalog']")
    assert alternate.get("href") == "catalogue.xml"
    assert page.find("head/link[@type='application/opds+json']").get("href") == "catalogue.json"
    assert page.find("head/meta[@name='viewport']") is not None
    assert page.find("head/meta[@charset='utf-8']") is not None


def test_page_starts_with_a_skip_link_to_the_books():
    body = _page(_shelf()).find("body")
    skip = body[0]
    assert skip.tag == "a" and skip.get("href") == "#books" and skip.text_content() == "Aller aux livres"
    assert body.find("main").get("id") == "books"


def test_page_shows_each_book_as_an_article():
    page = _page(_shelf())
    assert [h.text_content() for h in page.iter("h1")] == ["Étagère <des> & « amis »"]
    articles = page.findall(".//main/article")
    assert [a.get("id") for a in articles] == TITLE_ORDER
    for article, slug in zip(articles, TITLE_ORDER, strict=True):
        book = next(book for book in BOOKS if book.slug == slug)
        heading = article.find(".//h2")
        assert heading.text_content() == book.title
        assert article.get("aria-labelledby") == heading.get("id")
        assert [a.get("href") for a in article.iterfind(".//ul/li/a")] == [
            f.href for f in sorted(book.files, key=lambda f: ("epub", "pdf", "booklet").index(f.kind))]
    mots = articles[1]
    assert mots.find(".//h2").get("lang") is None  # the page's language already
    assert mots.find(".//p[@class='subtitle']").text_content() == "Une archéologie des <sciences>"
    assert mots.find(".//p[@class='authors']").text_content() == "Anne Dupont et Jean Martin"
    assert [p.text_content() for p in mots.iterfind(".//p[@class='summary']")] == [
        "Sur <rien> & tout.", "Un second paragraphe."]
    assert articles[2].find(".//h2").get("lang") == "en"


def test_page_labels_each_download_with_its_format_size_and_use():
    page = _page(_shelf())
    items = {li.find("a").get("href"): _spaced(li.text_content())
             for li in page.iterfind(".//ul[@class='files']/li")}
    epub = items["les-mots/les-mots.epub"]
    assert epub == f"EPUB, {TRICKY} (346 ko) pour liseuses, téléphones et tablettes"
    assert items["les-mots/les-mots.pdf"].startswith(f"PDF, {TRICKY} (2,3 Mo) à lire à l’écran")
    assert items["les-mots/les-mots-booklet.pdf"] == f"Livret PDF, {TRICKY} (2,5 Mo) à imprimer et plier"
    assert "(12 Mo)" in items["elan/elan.pdf"] and "(1,2 ko)" in items["elan/elan.epub"]
    english = _page(_shelf(lang="en"))
    booklet = english.find(".//a[@href='les-mots/les-mots-booklet.pdf']/..").text_content()
    assert _spaced(booklet) == f"PDF booklet, {TRICKY} (2.5 MB) to print and fold"
    assert english.get("lang") == "en"
    assert english.find("body/a").text_content() == "Skip to the books"


def _spaced(text: str) -> str:
    """``text`` with the no-break spaces of French typography (and Babel's numbers) as plain spaces."""
    return re.sub(r"[\u00a0\u202f]", " ", text)


def test_page_gives_every_cover_an_alternative_text():
    page = _page(_shelf())
    images = page.findall(".//img")
    assert [img.get("src") for img in images] == ["elan/cover.jpg", "les-mots/thumbnail.jpg"]
    assert [img.get("alt") for img in images] == [
        "Couverture de «\u00a0Élan: Anticonstitutionnellementextraordinairementinterminablementlong\u00a0»",
        f"Couverture de «\u00a0{TRICKY}\u00a0»",
    ]


def test_page_links_only_to_the_files_of_the_shelf():
    shelf = _shelf()
    page = _page(shelf)
    ids = {element.get("id") for element in page.iter() if element.get("id")}
    for element in page.iter("a", "link", "img"):
        target = element.get("href") or element.get("src")
        assert target, html.tostring(element)
        if target.startswith("#"):
            assert target[1:] in ids
        else:
            assert unquote(target) in _targets(shelf), target


def test_page_escapes_what_the_model_says():
    data = index_html(_shelf())
    for raw in (b"<Mots>", b"<des>", b"<rien>", b"<sciences>"):
        assert raw not in data
    assert _page(_shelf()).find(".//article[@id='les-mots']//h2").text_content() == TRICKY


def test_page_has_no_scripts():
    page = _page(_shelf())
    assert not page.findall(".//script")
    for element in page.iter():
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        assert not (element.get("href") or "").lower().startswith("javascript:")


def test_page_takes_the_given_stylesheet_instead_of_its_own():
    page = _page(_shelf(), stylesheet_href="styles/shelf.css")
    assert page.find("head/link[@rel='stylesheet']").get("href") == "styles/shelf.css"
    assert page.find("head/style") is None
    assert _page(_shelf()).find("head/style") is not None


# -- the web page in a browser ------------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The site, served over HTTP on the loopback interface, as a reader's browser would get it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()):
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    yield driver
    driver.quit()


def _open(browser: Any, url: str, width: int, height: int) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    browser.get_log("browser")  # forget what earlier pages said
    browser.get(url)
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.all([...document.images].map(i => i.decode().catch(() => null))).then(() => done());")


def _screenshot(browser: Any, path: Path) -> None:
    """The whole page, not only the window, to be looked at."""
    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize(("width", "height"), [(360, 800), (1280, 900)])
def test_page_in_a_browser(browser: Any, served: str, width: int, height: int):
    _open(browser, urljoin(served, "index.html"), width, height)
    # Screenshots for people to look at: /tmp/brochure-shelf-360.png and -1280.png
    _screenshot(browser, Path(tempfile.gettempdir()) / f"brochure-shelf-{width}.png")
    # The browser asks for /favicon.ico by itself, whatever the page says; that miss is the test
    # server's, not the page's.
    errors = [entry for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE" and "/favicon.ico " not in entry["message"]]
    assert not errors
    assert browser.execute_script("return [...document.images].every(i => i.naturalWidth > 0)")
    viewport = browser.execute_script("return document.documentElement.clientWidth")
    assert viewport == width
    assert browser.execute_script("return document.documentElement.scrollWidth") <= viewport
    wider = browser.execute_script(
        "return [...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > arguments[0] + 0.5 && !e.closest('.vh, .skip'))"
        ".map(e => e.outerHTML.slice(0, 80));", viewport)
    assert not wider
    tops = browser.execute_script(
        "return [...document.querySelectorAll('main > article')].map(a => a.getBoundingClientRect().top)")
    columns = sum(1 for top in tops if top == tops[0])
    assert columns == (1 if width == 360 else 2)
    size = browser.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector('.summary')).fontSize)")
    assert size >= 16  # readable without zooming


def test_skip_link_shows_when_focused(browser: Any, served: str):
    from selenium.webdriver.common.keys import Keys

    _open(browser, urljoin(served, "index.html"), 360, 800)
    hidden = browser.execute_script("return document.querySelector('.skip').getBoundingClientRect().bottom")
    assert hidden <= 0
    browser.find_element("tag name", "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class") == "skip"
    assert browser.execute_script("return document.activeElement.getBoundingClientRect().top") >= 0
    focused.send_keys(Keys.ENTER)
    assert browser.execute_script("return location.hash") == "#books"
