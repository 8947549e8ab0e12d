"""Read stage: a manuscript folder (book.yaml + chapters) or one Markdown file -> ``Manuscript``."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from brochure.core.diagnostics import BrochureError, Diagnostic, Location, Report, error, shown
from brochure.core.fingerprint import default_styles_dir
from brochure.core.model import Asset, CoverSources, Manuscript, Metadata, SourceText
from brochure.core.settings import Settings
from brochure.manuscript.css_urls import css_problems, css_references
from brochure.manuscript.images import check_data_url
from brochure.manuscript.metadata import (
    YamlDocument,
    build_metadata,
    parse_yaml,
    setting_keys,
    settings_from_yaml,
)
from brochure.manuscript.resolver import Resolver, media_type

METADATA_FILE = "book.yaml"
# C0/C1 controls other than tab and newline cannot appear in XHTML.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_FRONT_MATTER_END = re.compile(r"^(---|\.\.\.)[ \t]*$", re.MULTILINE)
# A line can break at a space, a hyphen, a soft hyphen or a zero-width space, and between any
# two characters of the scripts written without spaces (CJK, and Thai, Lao, Khmer, Myanmar,
# which Pango cuts into words). A longer run with no such place costs the PDF's line breaking
# time in its square: 10,000 characters take 20 s, 80,000 take more than ten minutes.
MAX_WORD = 1000
_UNBREAKABLE = re.compile(
    "[^\\s\\-\u00ad\u200b\u2010-\u2014\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
    "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]"
    f"{{{MAX_WORD + 1},}}")


def check_words(text: str, path: Path, first_line: int = 1) -> None:
    """Refuse a word too long to lay out in reasonable time, at its line and column."""
    long = next((m for m in _UNBREAKABLE.finditer(text) if "data:" not in m.group()), None)
    if long:  # (a data: URL is refused where it stands, with its own message)
        line = text.count("\n", 0, long.start()) + first_line
        column = long.start() - (text.rfind("\n", 0, long.start()) + 1) + 1
        raise error(f"a word of {len(long.group()):,} characters with no space or other place "
                    f"to break a line (brochure sets words of up to {MAX_WORD:,})",
                    Location(path, line, column), "put spaces in it, or shorten it")


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 text with LF newlines in NFC, or an error at the first bad byte or character."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(f"not UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start}",
                    Location(path, line, column),
                    "save the file as UTF-8 (most editors offer it under 'Save as')") from None
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    bad = _CONTROL_RE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise error(f"control character U+{ord(bad.group()):04X} is not allowed in text",
                    Location(path, line, column), "delete it (it is invisible in most editors)")
    return text


def split_front_matter(text: str, path: Path) -> tuple[str | None, str, int]:
    """Return (YAML text or None, Markdown body, line of the body in the file)."""
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return None, text, 1
    end = _FRONT_MATTER_END.search(text, 4)
    if end is None:
        raise error("the front matter opened on line 1 is never closed", Location(path, 1),
                    "end the metadata block with a line holding only '---'")
    body_line = text.count("\n", 0, end.end()) + 2
    return text[4:end.start()], text[end.end() + 1:], body_line


def _chapter_paths(folder: Path, doc: YamlDocument, resolver: Resolver) -> list[Path]:
    listed = doc.values.get("chapters")
    if listed is None:
        paths = [p for p in resolver.listing(folder, "*.md") if p.name.lower() != "readme.md"]
        if not paths:
            raise error(f"no chapter files (*.md) in '{shown(folder)}'", doc.location())
        return [resolver.file(p) for p in paths]
    location = doc.location("chapters")
    if not isinstance(listed, list) or not listed:
        raise error("'chapters' must be a list of Markdown file names", location)
    paths = []
    for name in listed:
        if not isinstance(name, str) or not name.strip():
            raise error("'chapters' must be a list of Markdown file names", location)
        paths.append(resolver.reference(name, folder / METADATA_FILE, location))
    seen: set[Path] = set()
    for path in paths:
        if path in seen:
            raise error(f"chapter '{path.name}' is listed twice", location)
        seen.add(path)
    return paths


def _stylesheet_assets(paths: list[Path], styles_dir: Path,
                       resolver: Resolver) -> tuple[list[Asset], list[Asset]]:
    """The stylesheets ``paths`` of ``styles_dir`` and the files (fonts, images) they name.
    Every way CSS names a URL counts (css_urls.py), and each that is not a file of the styles
    folder or a sound ``data:`` URL is an error at its line and column, whatever the format
    built."""
    sheets, used = [], {}
    problems: list[Diagnostic] = []
    for path in paths:
        data = resolver.read(path)
        css = decode_text(data, path)  # refuses non-UTF-8 stylesheets with a location
        sheets.append(Asset(f"styles/{path.name}", data, "text/css", path))
        for problem in css_problems(css):
            problems.append(Diagnostic(
                "error", f"brochure cannot check what this stylesheet loads: {problem.message}",
                Location(path, problem.line, problem.column),
                "name files with url(\"...\") and a plain relative path"))
        for reference in css_references(css):
            location = Location(path, reference.line, reference.column)
            try:
                href = _style_file(reference.url, path, styles_dir, resolver, location)
                if href is not None and href not in used:
                    target = styles_dir.resolve() / href.removeprefix("styles/")
                    content = resolver.read(target, location)
                    used[href] = Asset(href, content, media_type(href, content, location), target)
            except BrochureError as exc:
                problems.extend(exc.diagnostics)
    if problems:
        raise BrochureError(problems)
    return sheets, [used[href] for href in sorted(used)]


def _style_file(url: str, sheet: Path, styles_dir: Path, resolver: Resolver,
                location: Location) -> str | None:
    """The book's href of the file a stylesheet's URL names (None: a fragment or a data:
    URL, checked here), or an error."""
    url = url.strip(" \t\n\r\f")
    if url.startswith("#"):
        return None  # a place in the document (target-counter)
    if url[:5].lower() == "data:":
        check_data_url(url, location)
        return None
    target = resolver.reference(url, sheet, location)
    if not target.is_relative_to(styles_dir.resolve()):
        raise error(f"'{url}' is outside the styles folder", location)
    return "styles/" + target.relative_to(styles_dir.resolve()).as_posix()


def _cover_sources(meta: Metadata, metadata_path: Path, styles_dir: Path,
                   resolver: Resolver) -> CoverSources:
    """The cover image the metadata names, and the cover template of the styles folder (or
    brochure's own, when the folder has none) with the files it names: the front cover when
    there is no image, the back cover in any case."""
    image = _cover_image(meta, metadata_path, resolver) if meta.cover_image else None
    template = styles_dir / COVER_TEMPLATE
    if not template.is_file():
        styles_dir = default_styles_dir()
        template, resolver = styles_dir / COVER_TEMPLATE, Resolver.for_roots(styles_dir)
    sheets, files = _stylesheet_assets([template], styles_dir, resolver)
    return CoverSources(image, (*sheets, *files))


def project_folders(path: Path, styles_dir: Path | None = None) -> tuple[Path, Path]:
    """The two folders a build may read from: the manuscript's and the stylesheets'."""
    folder = path if path.is_dir() else path.parent
    if styles_dir is None:
        project_styles = folder.parent / "styles" if path.is_dir() else folder / "styles"
        styles_dir = project_styles if project_styles.is_dir() else default_styles_dir()
    return folder, styles_dir


def _check_styles_dir(styles_dir: Path) -> None:
    """A styles folder that is missing or holds no stylesheet would give an unstyled book
    (system fonts, no title page, notes numbered twice): an error, never a quiet fallback."""
    if not styles_dir.is_dir():
        raise error(f"the styles folder '{shown(styles_dir)}' does not exist",
                    hint="give --styles a folder holding .css files, or leave --styles out "
                         "to use brochure's own styles")
    if not any(p.is_file() and p.name != COVER_TEMPLATE for p in styles_dir.glob("*.css")):
        raise error(f"no stylesheet (*.css) in the styles folder '{shown(styles_dir)}'",
                    hint="put the book's .css files there (brochure's own are in "
                         f"'{shown(default_styles_dir())}' to start from)")


def read_manuscript(path: Path, report: Report, styles_dir: Path | None = None,
                    defaults: Settings | None = None) -> Manuscript:
    """Find the metadata, the chapter texts in reading order and the stylesheets; book.yaml's
    settings over ``defaults`` (a shelf's)."""
    if not path.exists():
        raise error(f"'{shown(path)}' does not exist", hint="give a manuscript folder or a .md file")
    folder, styles_dir = project_folders(path, styles_dir)
    _check_styles_dir(styles_dir)
    if path.is_dir():
        metadata_path = path / METADATA_FILE
        if not metadata_path.is_file():
            raise error(f"no {METADATA_FILE} in '{shown(path)}'", Location(path),
                        f"create {METADATA_FILE} with at least 'title:' and 'lang:'")
    else:
        metadata_path = path
    resolver = Resolver.for_roots(folder, styles_dir)

    text = decode_text(resolver.read(metadata_path), metadata_path)
    check_words(text, metadata_path)
    if path.is_dir():
        doc = parse_yaml(text, metadata_path)
        paths = _chapter_paths(folder, doc, resolver)
        sources = [SourceText(p, decode_text(resolver.read(p), p)) for p in paths]
        for source in sources:
            check_words(source.text, source.path)
    else:
        yaml_text, body, body_line = split_front_matter(text, path)
        if yaml_text is None:
            raise error("a single-file manuscript needs a YAML front-matter block", Location(path, 1),
                        "start the file with '---', 'title: ...', 'lang: ...', '---'")
        doc = parse_yaml(yaml_text, path, first_line=2)
        if "chapters" in doc.values:
            report.warn("'chapters' is ignored in a single-file manuscript", doc.location("chapters"))
        sources = [SourceText(path, body, body_line)]

    metadata = build_metadata(doc, report, setting_keys())
    settings = settings_from_yaml(doc, defaults)
    # Every stylesheet of the folder styles the book, but for the covers' template.
    paths = [p for p in resolver.listing(styles_dir, "*.css") if p.name != COVER_TEMPLATE]
    sheets, style_assets = _stylesheet_assets(paths, styles_dir, resolver)
    cover = _cover_sources(metadata, metadata_path, styles_dir, resolver)
    return Manuscript(
        root=folder.resolve(),
        metadata=metadata,
        sources=tuple(sources),
        stylesheets=tuple(sheets),
        style_assets=tuple(style_assets),
        styles_root=styles_dir.resolve(),
        settings=settings,
        cover=cover,
    )


COVER_TYPES = ("image/jpeg", "image/png")
COVER_TEMPLATE = "cover.css"  # in the styles folder: the covers', not the book's


def _cover_image(meta: Metadata, metadata_path: Path, resolver: Resolver) -> Asset | None:
    """The file ``cover-image`` names, read and checked to be a JPEG or PNG image."""
    if not meta.cover_image:
        return None
    location = meta.where("cover-image")
    path = resolver.reference(meta.cover_image, metadata_path, location)
    data = resolver.read(path, location)
    kind = media_type(path, data, location)
    if kind not in COVER_TYPES:
        raise error(f"the cover image '{meta.cover_image}' is {kind}; a cover is a JPEG or PNG "
                    "image", location, "export the cover as JPEG (or PNG) at 1600 x 2560 pixels "
                    "or more")
    suffix = ".jpg" if kind == "image/jpeg" else ".png"
    return Asset(f"images/cover{suffix}", data, kind, path)


