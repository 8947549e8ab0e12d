"""Read stage: a manuscript folder (book.yaml + chapters) or one Markdown file -> ``Manuscript``."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import tinycss2

from brochure.core.diagnostics import Location, Report, error
from brochure.core.fingerprint import default_styles_dir
from brochure.core.model import Asset, Manuscript, SourceText
from brochure.core.settings import Settings
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
        paths = sorted(p for p in folder.glob("*.md") if p.name.lower() != "readme.md")
        if not paths:
            raise error(f"no chapter files (*.md) in '{folder}'", doc.location())
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


def _stylesheet_assets(styles_dir: Path, resolver: Resolver) -> tuple[list[Asset], list[Asset]]:
    """The stylesheets of ``styles_dir`` and the files (fonts, images) their ``url()``s name."""
    sheets, used = [], {}
    for path in sorted(styles_dir.glob("*.css")):
        data = resolver.read(path)
        decode_text(data, path)  # refuses non-UTF-8 stylesheets with a location
        sheets.append(Asset(f"styles/{path.name}", data, "text/css", path))
        rules = tinycss2.parse_stylesheet_bytes(data, skip_comments=True, skip_whitespace=True)[0]
        for url, line in _urls(rules):
            if url.startswith("data:"):
                check_data_url(url, Location(path, line))
                continue
            location = Location(path, line)
            target = resolver.reference(url, path, location)
            if not target.is_relative_to(styles_dir.resolve()):
                raise error(f"'{url}' is outside the styles folder", location)
            href = "styles/" + target.relative_to(styles_dir.resolve()).as_posix()
            if href not in used:
                content = resolver.read(target, location)
                used[href] = Asset(href, content, media_type(href, content, location), target)
    return sheets, [used[href] for href in sorted(used)]


def _urls(nodes) -> list[tuple[str, int]]:
    """Every ``url()`` in a parsed stylesheet, with its line."""
    found = []
    for node in nodes or ():
        if node.type == "url":
            found.append((node.value, node.source_line))
        elif node.type == "function" and node.lower_name == "url":
            strings = [a for a in node.arguments if a.type == "string"]
            if strings:
                found.append((strings[0].value, node.source_line))
        for attribute in ("prelude", "content", "arguments"):
            children = getattr(node, attribute, None)
            if isinstance(children, list):
                found.extend(_urls(children))
        if node.type in ("qualified-rule", "at-rule") and node.content is not None:
            found.extend(_urls(tinycss2.parse_blocks_contents(node.content)))
    return found


def project_folders(path: Path, styles_dir: Path | None = None) -> tuple[Path, Path]:
    """The two folders a build may read from: the manuscript's and the stylesheets'."""
    folder = path if path.is_dir() else path.parent
    if styles_dir is None:
        project_styles = folder.parent / "styles" if path.is_dir() else folder / "styles"
        styles_dir = project_styles if project_styles.is_dir() else default_styles_dir()
    return folder, styles_dir


def read_manuscript(path: Path, report: Report, styles_dir: Path | None = None,
                    defaults: Settings | None = None) -> Manuscript:
    """Find the metadata, the chapter texts in reading order and the stylesheets; book.yaml's
    settings over ``defaults`` (a shelf's)."""
    if not path.exists():
        raise error(f"'{path}' does not exist", hint="give a manuscript folder or a .md file")
    folder, styles_dir = project_folders(path, styles_dir)
    if path.is_dir():
        metadata_path = path / METADATA_FILE
        if not metadata_path.is_file():
            raise error(f"no {METADATA_FILE} in '{path}'", Location(path),
                        f"create {METADATA_FILE} with at least 'title:' and 'lang:'")
    else:
        metadata_path = path
    resolver = Resolver.for_roots(folder, styles_dir)

    text = decode_text(resolver.read(metadata_path), metadata_path)
    if path.is_dir():
        doc = parse_yaml(text, metadata_path)
        paths = _chapter_paths(folder, doc, resolver)
        sources = [SourceText(p, decode_text(resolver.read(p), p)) for p in paths]
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
    sheets, style_assets = _stylesheet_assets(styles_dir, resolver)
    if not sheets:
        report.warn(f"no stylesheet (*.css) in '{styles_dir}'", Location(styles_dir))
    return Manuscript(
        root=folder.resolve(),
        metadata=metadata,
        sources=tuple(sources),
        stylesheets=tuple(sheets),
        style_assets=tuple(style_assets),
        styles_root=styles_dir.resolve(),
        settings=settings,
    )


