"""Many books in one command: a shelf folder with its catalogue.yaml, or manuscripts named one by
one, built side by side into a folder each, with the shelf's catalogues and page; one failing book
never stops the others; the cache works per book."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote

import feedparser
import pytest
from conftest import ROOT
from lxml import html
from PIL import Image
from shelf_books import brochure, build_in_process, files_of, write_book
from test_shelf_feeds import opds2_validator  # noqa: F401 - the fixture, with its schemas

from brochure.core.diagnostics import BrochureError, Report
from brochure.core.settings import Format, NoteNumbering
from brochure.runtime.build import BuildOptions
from brochure.shelf import apart, books
from brochure.shelf.catalogue import read_catalogue
from brochure.shelf.covers import THUMBNAIL

CATALOGUE = """\
title: Étagère des amis
publisher: Éditions du Pré
lang: fr
base-url: https://livres.example.org/etagere
defaults:
  formats: [epub]
  note-numbering: chapter
"""


@pytest.fixture(scope="module")
def shelf(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("shelf") / "etagere"
    folder.mkdir()
    (folder / "catalogue.yaml").write_text(CATALOGUE, encoding="utf-8")
    shutil.copytree(ROOT / "styles", folder / "styles")
    write_book(folder / "premier", "Le premier livre", "fr", author="Louise Michel")
    write_book(folder / "second", "The Second Book", "en",
               extra_yaml="formats: [epub, pdf, booklet]\n")
    write_book(folder / "troisieme", "Troisième livre", "fr", chapters=1, author="Élisée Reclus")
    (folder / "brouillon").mkdir()
    (folder / "brouillon" / "draft.md").write_text("# Not yet a book\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(shelf, tmp_path_factory):
    site = tmp_path_factory.mktemp("site") / "site"
    done = brochure("build", shelf, "--out", site)
    assert done.returncode == 0, done.stderr
    return done, site


def test_one_line_per_book_then_the_site_and_a_summary(built):
    done, site = built
    lines = done.stdout.splitlines()
    assert sorted(line.split(":")[0] for line in lines[:3]) == [
        "built premier", "built second", "built troisieme"]
    assert "second: epub " in done.stdout and ", pdf " in done.stdout and " pages " in done.stdout
    assert lines[3] == f"shelf {site}/ (3 books): index.html, catalogue.xml, catalogue.json"
    assert lines[4].startswith("3 books: 3 built in ")
    assert "brouillon' holds Markdown files but no book.yaml: it is not built" in done.stderr


def test_each_book_in_its_folder_with_the_catalogues_defaults_under_its_own_settings(built):
    """A book's folder holds its outputs alone; the site's own files are beside the folders."""
    _, site = built
    assert sorted(p.name for p in (site / "premier").iterdir()) == ["le-premier-livre.epub"]
    assert sorted(p.name for p in (site / "second").iterdir()) == [
        "the-second-book-booklet.pdf", "the-second-book.epub", "the-second-book.pdf"]
    assert {p.name for p in site.iterdir()} == {
        "premier", "second", "troisieme", "index.html", "catalogue.xml", "catalogue.json",
        "shelf.css", "fonts", "covers", "thumbnails"}
    assert sorted(p.name for p in (site / "covers").iterdir()) == [
        "premier.png", "second.png", "troisieme.png"]
    assert sorted(p.name for p in (site / "thumbnails").iterdir()) == [
        "premier.png", "second.png", "troisieme.png"]


def test_the_catalogue_lists_every_book_with_its_files_as_they_are(built):
    _, site = built
    feed = feedparser.parse((site / "catalogue.xml").read_bytes())
    assert not feed.bozo
    assert feed.feed.title == "Étagère des amis"
    assert feed.feed.language == "fr"
    self_link = next(link for link in feed.feed.links if link.rel == "self")
    assert self_link.href == "https://livres.example.org/etagere/catalogue.xml"
    by_title = {entry.title: entry for entry in feed.entries}
    assert sorted(by_title) == ["Le premier livre", "The Second Book", "Troisième livre"]
    second = by_title["The Second Book"]
    assert [a.name for a in second.authors] == ["Ada Lovelace"]
    assert second.summary == "What The Second Book is about."
    assert [tag.term for tag in second.tags] == ["Politics", "Print"]
    downloads = [link for link in second.links if link.rel.endswith("/acquisition/open-access")]
    assert [link.type for link in downloads] == ["application/epub+zip", "application/pdf",
                                                 "application/pdf"]
    for entry in feed.entries:
        for link in entry.links:
            if link.rel.endswith(("/acquisition/open-access", "/image/thumbnail")):
                path = site / unquote(link.href)
                assert path.is_file(), link.href
                if "length" in link:
                    assert int(link.length) == path.stat().st_size


def test_the_json_catalogue_is_valid_opds2(built, request):
    """Against the OPDS 2.0 JSON Schemas, when they are there (tests/schemas/README.md)."""
    import json

    validator = request.getfixturevalue("opds2_validator")
    _, site = built
    feed = json.loads((site / "catalogue.json").read_bytes())
    assert [f"{e.json_path}: {e.message}" for e in validator.iter_errors(feed)] == []
    assert len(feed["publications"]) == 3


def test_each_book_shows_the_cover_of_its_epub_and_a_thumbnail_of_it(built):
    """The cover drawn from the metadata is the book's cover: the site shows the EPUB's, and a
    thumbnail of it in its own proportions (A5: 240 x 340), the same picture made small."""
    import io
    import zipfile

    from PIL import ImageChops, ImageStat

    _, site = built
    for slug, epub in (("premier", "le-premier-livre.epub"), ("second", "the-second-book.epub"),
                       ("troisieme", "troisieme-livre.epub")):
        with zipfile.ZipFile(site / slug / epub) as archive:
            drawn = archive.read("EPUB/images/cover.png")
        assert (site / "covers" / f"{slug}.png").read_bytes() == drawn
        with Image.open(io.BytesIO(drawn)) as cover, \
                Image.open(site / "thumbnails" / f"{slug}.png") as thumbnail:
            assert thumbnail.format == "PNG" and thumbnail.size == (240, 340)
            assert thumbnail.width <= THUMBNAIL[0] and thumbnail.height <= THUMBNAIL[1]
            assert abs(thumbnail.width / thumbnail.height - cover.width / cover.height) < 0.01
            small = cover.convert("RGB").resize(thumbnail.size, Image.Resampling.BOX)
            difference = ImageStat.Stat(ImageChops.difference(small, thumbnail.convert("RGB")))
            assert max(difference.mean) < 4, slug  # the cover's picture, not a card


def test_the_page_is_in_the_shelfs_language_and_links_each_books_files(built):
    _, site = built
    page = html.fromstring((site / "index.html").read_bytes())
    assert page.get("lang") == "fr"
    assert [h.text_content() for h in page.iter("h2")] == [
        "Le premier livre", "The Second Book", "Troisième livre"]
    assert page.find(".//article[@id='second']//h2").get("lang") == "en"
    for element in page.iter("a", "img"):
        target = element.get("href") or element.get("src")
        if not target.startswith("#"):
            assert (site / unquote(target.split("#")[0])).is_file(), target


# -- the cache per book, a failing book ---------------------------------------------------------------


@pytest.fixture
def small_shelf(tmp_path, monkeypatch, epoch_env) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "shelf"
    shutil.copytree(ROOT / "styles", folder / "styles")
    (folder / "catalogue.yaml").write_text("title: Small\ndefaults:\n  formats: [epub]\n",
                                           encoding="utf-8")
    write_book(folder / "one", "One")
    write_book(folder / "two", "Two")
    return folder


def _verbs(done) -> dict[str, str]:
    """book -> built | kept | failed, from the command's lines."""
    found = {}
    for line in done.stdout.splitlines():
        verb, _, rest = line.partition(" ")
        if verb in ("built", "kept", "failed"):
            found[rest.split(":")[0]] = verb
    return found


def test_only_the_book_that_changed_is_built_again_and_a_stylesheet_builds_them_all(
        small_shelf, tmp_path):
    site = tmp_path / "site"
    assert _verbs(build_in_process(small_shelf, out=site)) == {"one": "built", "two": "built"}
    assert _verbs(build_in_process(small_shelf, out=site)) == {"one": "kept", "two": "kept"}
    chapter = small_shelf / "two" / "01.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert _verbs(build_in_process(small_shelf, out=site)) == {"one": "kept", "two": "built"}
    css = small_shelf / "styles" / "brochure.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nh1 { letter-spacing: 0.01em; }\n",
                   encoding="utf-8")
    assert _verbs(build_in_process(small_shelf, out=site)) == {"one": "built", "two": "built"}


def test_a_failing_book_stops_no_other_and_loses_nothing(small_shelf, tmp_path):
    site = tmp_path / "site"
    assert build_in_process(small_shelf, out=site).status == 0
    before = files_of(site / "two")
    listed_before = _entries(site)["Two"]
    chapter = small_shelf / "two" / "02.md"
    chapter.write_text("# Broken\n\nA call to a note never written.[^missing]\n", encoding="utf-8")
    (small_shelf / "one" / "01.md").write_text("# Changed\n\nNew text.\n", encoding="utf-8")
    new = write_book(small_shelf / "three", "Three")
    (new / "01.md").write_text("# Three\n\n[^x]\n", encoding="utf-8")
    done = build_in_process(small_shelf, out=site)
    assert done.status == 1
    assert _verbs(done) == {"one": "built", "two": "failed", "three": "failed"}
    assert f"{chapter.resolve()}:3: error: note [^missing] is referenced but never defined" in done.stderr
    assert done.stderr.rstrip().endswith("failed: three, two (their outputs were left as they were)")
    assert f"shelf {site}/ (2 books, 1 left out, 1 as last published)" in done.stdout
    assert files_of(site / "two") == before
    # Listed as last published, with the files it still has; the book never built is not listed.
    entries = _entries(site)
    assert sorted(entries) == ["One", "Two"]
    assert entries["Two"] == listed_before


def _entries(site: Path) -> dict[str, list[tuple[str, str]]]:
    """Each entry's title -> its links (rel, href, length) in the OPDS feed."""
    feed = feedparser.parse((site / "catalogue.xml").read_bytes())
    return {entry.title: [(link.rel, link.href, link.get("length")) for link in entry.links]
            for entry in feed.entries}


def test_manuscripts_named_one_by_one_make_a_shelf_named_after_the_output_folder(tmp_path, epoch_env):
    one = write_book(tmp_path / "books" / "one", "One", extra_yaml="formats: [epub]\n")
    two = write_book(tmp_path / "elsewhere" / "two", "Two", extra_yaml="formats: [epub]\n")
    done = brochure("build", one, two, "--out", tmp_path / "Our books",
                    env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "Our books" / "one" / "one.epub").is_file()
    assert feedparser.parse((tmp_path / "Our books" / "catalogue.xml").read_bytes()).feed.title == \
        "Our books"


def test_two_books_with_one_identifier_are_refused(tmp_path, epoch_env):
    write_book(tmp_path / "shelf" / "a", "Same", extra_yaml="formats: [epub]\n")
    write_book(tmp_path / "shelf" / "b", "Same", extra_yaml="formats: [epub]\n")
    done = build_in_process(tmp_path / "shelf", out=tmp_path / "site")
    assert done.status == 1
    assert "error: the books a, b have one identifier" in done.stderr
    assert "give each book its own 'identifier:' in its book.yaml" in done.stderr
    assert not (tmp_path / "site" / "catalogue.xml").exists()


@pytest.mark.parametrize("name", ["covers", "Thumbnails", "fonts"])
def test_a_book_in_a_folder_the_site_keeps_for_itself_is_refused(tmp_path, name):
    write_book(tmp_path / "shelf" / "a", "A", extra_yaml="formats: [epub]\n")
    write_book(tmp_path / "shelf" / name, "B", extra_yaml="formats: [epub]\n")
    done = build_in_process(tmp_path / "shelf", out=tmp_path / "site")
    assert done.status == 1
    assert (f"{name}: error: this book would be built into '{tmp_path / 'site' / name.lower()}', "
            f"where the site keeps its {name.lower()}") in done.stderr
    assert "hint: rename the book's folder" in done.stderr
    assert not (tmp_path / "site").exists()  # refused before anything was built


# -- catalogue.yaml -----------------------------------------------------------------------------------


def _catalogue(tmp_path: Path, text: str):
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    report = Report()
    return read_catalogue(path, report), report, path


def test_catalogue_defaults_are_checked_settings(tmp_path):
    catalogue, report, _ = _catalogue(tmp_path, "title: T\ndefaults:\n  note-numbering: chapter\n"
                                                "  formats: [epub, booklet]\n")
    assert catalogue.defaults == {"note_numbering": NoteNumbering.CHAPTER,
                                  "formats": (Format.EPUB, Format.BOOKLET)}
    assert not report.diagnostics


@pytest.mark.parametrize(("text", "line", "message"), [
    ("title: T\ndefaults:\n  trm: A5\n", 3, "'trm' is not a setting"),
    ("title: T\ndefaults:\n  trim: B52\n", 3, "'trim' "),
    ("base-url: ftp://example.org/\n", 1, "'base-url' must be an http or https address"),
    ("lang: français\n", 1, "'lang' must be a language tag"),
    ("styles: ../elsewhere\n", 1, "'styles' must be a folder of the shelf"),
])
def test_a_bad_catalogue_is_an_error_at_its_line(tmp_path, text, line, message):
    with pytest.raises(BrochureError) as raised:
        _catalogue(tmp_path, text)
    diagnostic = raised.value.diagnostics[0]
    assert message in diagnostic.message
    assert diagnostic.location.path.name == "catalogue.yaml" and diagnostic.location.line == line


def test_an_unknown_catalogue_key_is_a_warning_with_a_guess(tmp_path):
    _, report, _ = _catalogue(tmp_path, "title: T\npublisehr: P\n")
    assert [(d.level, d.message, d.hint) for d in report.diagnostics] == [
        ("warning", "unknown key 'publisehr'", "did you mean 'publisher'?")]


# -- the machine shared, not oversubscribed -----------------------------------------------------------


def test_books_side_by_side_share_the_cores(tmp_path, monkeypatch):
    for name in ("a", "b", "c"):
        write_book(tmp_path / "shelf" / name, name.upper())
    monkeypatch.setattr(books, "usable_cores", lambda: 8)
    template = BuildOptions(out_dir=tmp_path / "site")
    plan = books.plan_books([tmp_path / "shelf"], template, None, Report())
    assert plan.at_once == 3 and {book.options.cores for book in plan.books} == {2}
    plan = books.plan_books([tmp_path / "shelf"], template, 8, Report())
    assert plan.at_once == 3 and {book.options.cores for book in plan.books} == {2}
    plan = books.plan_books([tmp_path / "shelf"], template, 1, Report())
    assert plan.at_once == 1 and {book.options.cores for book in plan.books} == {8}
    monkeypatch.setattr(books, "usable_cores", lambda: 2)
    plan = books.plan_books([tmp_path / "shelf"], template, None, Report())
    assert plan.at_once == 2 and {book.options.cores for book in plan.books} == {1}
    alone = books.plan_books([tmp_path / "shelf" / "a"], template, None, Report())
    assert alone.site is None and alone.books[0].options.out_dir == tmp_path / "site"
    assert alone.books[0].options.cores == 2


def test_a_book_told_its_cores_runs_that_many_markdown_processes_at_most(monkeypatch):
    from brochure.book import markdown
    from brochure.core.model import SourceText

    running, most = [0], [0]
    real = markdown.start_bounded

    def counted(*args, **kwargs):
        running[0] += 1
        most[0] = max(most[0], running[0])
        job = real(*args, **kwargs)
        result = job.result

        def done():
            running[0] -= 1
            return result()

        job.result = done
        return job

    monkeypatch.setattr(markdown, "start_bounded", counted)
    sources = [SourceText(Path(f"{n}.md"), f"Chapter {n}.\n") for n in range(4)]
    markdown._convert_all(sources, markdown.Limits().markdown, cores=1)
    assert most[0] == 1
    markdown._convert_all(sources, markdown.Limits().markdown, cores=3)
    assert most[0] == 3


def test_a_book_told_its_cores_lays_its_pdf_out_in_that_many_parts(monkeypatch):
    from brochure.pdf import parts

    asked = []
    monkeypatch.setattr(parts, "write_chunked", lambda *args: asked.append(args[-1]))
    source = b"x" * parts.MIN_SOURCE_BYTES
    parts.write_in_parts(source, None, None, None, cores=3)
    assert parts.write_in_parts(source, None, None, None, cores=1) is None
    assert asked == [3]


# -- side by side -------------------------------------------------------------------------------------


def _dies() -> None:
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def _square(n: int) -> int:
    return n * n


def test_a_task_whose_process_dies_is_told_apart_from_the_others():
    results = dict(apart.side_by_side([("a", _square, (3,)), ("b", _dies, ()), ("c", _square, (4,))],
                                      at_once=2))
    assert results == {"a": 9, "b": apart.Crashed("signal SIGKILL"), "c": 16}


# -- the catalogues' metadata -------------------------------------------------------------------------


@pytest.mark.parametrize("manuscript", ["manuscript", "tests/fixtures/two-chapters", "single.md"])
def test_the_catalogues_read_the_metadata_the_build_reads(manuscript, tmp_path):
    from brochure.book.assemble import typeset_book
    from brochure.runtime.build import read
    from brochure.shelf.metadata import metadata_of

    if manuscript == "single.md":
        path = tmp_path / "single.md"
        path.write_text("---\ntitle: \"L'été\"\nlang: fr\nauthor: [A, B]\ntypography: fr\n---\n\nText.\n",
                        encoding="utf-8")
    else:
        path = ROOT / manuscript
    options = BuildOptions(path, defaults={"note_numbering": NoteNumbering.CHAPTER})
    built = read(options, Report())
    assert metadata_of(options) == typeset_book([], [], built.metadata, built.settings.typography)
    if manuscript == "single.md":
        assert metadata_of(options).title == "L’été"


# -- the page in a browser ----------------------------------------------------------------------------

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser_on_site(built):
    """Headless Chromium, and the built site served on the loopback interface."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    if not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()):
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    _, site = built

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(CHROMEDRIVER))
    try:
        yield driver, f"http://127.0.0.1:{server.server_port}/index.html"
    finally:
        driver.quit()
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_site_in_a_browser_in_the_books_fonts(browser_on_site, width, tmp_path_factory):
    import base64

    driver, url = browser_on_site
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.get_log("browser")
    driver.get(url)
    driver.execute_async_script("const done = arguments[arguments.length - 1];"
                                "document.fonts.ready.then(() => Promise.all([...document.images]"
                                ".map(i => i.decode().catch(() => null)))).then(() => done());")
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    # For people to look at: the site at a phone's width and a desktop's.
    (tmp_path_factory.getbasetemp() / f"shelf-site-{width}.png").write_bytes(base64.b64decode(shot["data"]))
    errors = [entry for entry in driver.get_log("browser")
              if entry["level"] == "SEVERE" and "/favicon.ico " not in entry["message"]]
    assert not errors
    # The faces the page uses are loaded (its italic only styles subtitles, which these books lack).
    loaded = driver.execute_script("return [...document.fonts].filter(f => f.status === 'loaded')"
                                   ".map(f => f.family + ' ' + f.weight + ' ' + f.style).sort()")
    assert loaded == ["Charis SIL bold normal", "Charis SIL normal normal"]
    assert driver.execute_script("return [...document.images].every(i => i.naturalWidth === 240)")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= width
    assert driver.execute_script("return getComputedStyle(document.querySelector('h2')).fontFamily"
                                 ).startswith('"Charis SIL"')


# -- covers: the seam where a book's own cover comes in -----------------------------------------------


def _epub_with_cover(media_type: str, data: bytes, href: str = "images/cover.png") -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("META-INF/container.xml", (
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="EPUB/content.opf" media-type="application/oebps-package+xml"/>'
            '</rootfiles></container>'))
        archive.writestr("EPUB/content.opf", (
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            f'<manifest><item id="c" href="{href}" media-type="{media_type}" '
            'properties="cover-image"/></manifest></package>'))
        archive.writestr(f"EPUB/{href}", data)
    return out.getvalue()


def test_a_book_whose_epub_has_a_cover_shows_it_and_a_thumbnail_of_it():
    import io

    from brochure.core.diagnostics import Location
    from brochure.core.model import Metadata
    from brochure.shelf.covers import book_pictures

    picture = io.BytesIO()
    Image.new("RGB", (1600, 2560), (200, 30, 30)).save(picture, "PNG")
    metadata = Metadata("Covered", "en", Location(Path("book.yaml")))
    pictures = book_pictures(metadata, _epub_with_cover("image/png", picture.getvalue()))
    assert pictures.cover == (".png", picture.getvalue())
    with Image.open(io.BytesIO(pictures.thumbnail)) as thumbnail:
        assert thumbnail.format == "PNG" and thumbnail.size == (225, 360)
        assert thumbnail.convert("RGB").getpixel((100, 100)) == (200, 30, 30)
    # No EPUB: a typographic card of the thumbnail's size, its title drawn, and no cover.
    alone = book_pictures(metadata, None)
    with Image.open(io.BytesIO(alone.thumbnail)) as card:
        assert alone.cover is None and card.size == THUMBNAIL
        assert len(card.convert("L").getcolors(256) or []) > 8  # ink on paper, not a blank card
    # A cover OPDS cannot show (SVG): the typographic card, and no cover.
    svg = book_pictures(metadata, _epub_with_cover("image/svg+xml", b"<svg/>", "cover.svg"))
    assert svg.cover is None and svg.thumbnail == alone.thumbnail
