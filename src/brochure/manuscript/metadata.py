"""Metadata: YAML (book.yaml or front matter) -> checked ``Metadata``, errors at the YAML line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from brochure.core.diagnostics import Location, Report, error
from brochure.core.model import Metadata
from brochure.core.settings import Settings, declarations

KNOWN_KEYS = (
    "title", "subtitle", "author", "lang", "date", "publisher", "rights", "identifier",
    "description", "subject", "chapters",
)
DEFAULT_LANG = "en"
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# YAML escapes ("\e", "\x00", "\ud800") can put in a value what the file itself may not hold.
_UNWRITABLE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _writable(value: str, doc: YamlDocument, key: str) -> str:
    bad = _UNWRITABLE_RE.search(value)
    if bad:
        raise error(f"'{key}' holds the control character U+{ord(bad.group()):04X}",
                    doc.location(key), "remove the escape sequence (such as \\e or \\x00) "
                    "that makes it")
    return value


class Mapping(dict):
    """A YAML mapping that remembers the line of each key."""

    lines: dict[Any, int]

    def __init__(self) -> None:
        super().__init__()
        self.lines = {}


@dataclass
class YamlDocument:
    values: Mapping
    path: Path
    first_line: int = 1  # line of ``path`` where the YAML text starts
    lines: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.lines = dict(self.values.lines)

    def location(self, key: str | None = None) -> Location:
        line = self.lines.get(key) if key else None
        return Location(self.path, (line or 1) + self.first_line - 1)


class _SafeLineLoader(yaml.SafeLoader):
    """Safe loading only (no object construction), with duplicate keys refused."""


def _construct_mapping(loader: _SafeLineLoader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    result = Mapping()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | float | bool | dt.date) or key is None:
            raise _YamlProblem(f"a mapping key must be text, not {type(key).__name__}", line)
        if key in result:
            raise _YamlProblem(
                f"duplicate key '{key}' (first given on line {result.lines[key]})", line
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _construct_timestamp(loader: _SafeLineLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise _YamlProblem(f"impossible date '{node.value}': {exc}", node.start_mark.line + 1) from None


_SafeLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_SafeLineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class _YamlProblem(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def parse_yaml(text: str, path: Path, first_line: int = 1) -> YamlDocument:
    """Parse YAML safely; any problem becomes an error at its line in ``path``."""

    def at(line: int) -> Location:
        return Location(path, line + first_line - 1)

    try:
        values = yaml.load(text, Loader=_SafeLineLoader)
    except _YamlProblem as exc:
        raise error(str(exc), at(exc.line)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        hint = None
        if "could not determine a constructor" in str(exc):
            problem = "YAML tags that build objects are not allowed"
            hint = "remove the '!' tag; metadata holds only text, numbers, dates and lists"
        location = Location(path, line + first_line - 1, column)
        raise error(f"invalid YAML: {problem}", location, hint) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", at(1)) from None
    if values is None:
        values = Mapping()
    if not isinstance(values, Mapping):
        raise error("metadata must be a mapping of keys to values", at(1),
                    "write one 'key: value' per line, e.g. 'title: My pamphlet'")
    return YamlDocument(values, path, first_line)


def _text(doc: YamlDocument, key: str, *, required: bool = False) -> str | None:
    value = doc.values.get(key)
    if value is None:
        if required:
            raise error(f"'{key}' is missing", doc.location(key if key in doc.lines else None),
                        f"add a line '{key}: ...'")
        return None
    if isinstance(value, bool) or not isinstance(value, str):
        kind = "yes/no (a boolean)" if isinstance(value, bool) else type(value).__name__
        raise error(f"'{key}' must be text, not {kind}", doc.location(key),
                    f"put the value in quotes: {key}: \"{value}\"")
    value = " ".join(_writable(value, doc, key).split())
    if required and not value:
        raise error(f"'{key}' is empty", doc.location(key))
    return value or None


def _text_list(doc: YamlDocument, key: str) -> tuple[str, ...]:
    value = doc.values.get(key)
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    result = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str) or not item.strip():
            raise error(f"'{key}' must be text or a list of texts", doc.location(key),
                        "put each value in quotes")
        result.append(" ".join(_writable(item, doc, key).split()))
    return tuple(result)


def _date(doc: YamlDocument) -> str | None:
    value = doc.values.get("date")
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)
    if isinstance(value, str) and _DATE_RE.match(value.strip()):
        text = value.strip()
        try:
            parts = [int(p) for p in text.split("-")] + [1, 1]
            dt.date(parts[0], parts[1], parts[2])
        except ValueError as exc:
            raise error(f"impossible date '{text}': {exc}", doc.location("date")) from None
        return text
    raise error(f"'date' must be a date like 2017-08-10, not {value!r}", doc.location("date"))


def _lang(doc: YamlDocument, report: Report) -> str:
    if "lang" not in doc.values:
        report.warn(f"no 'lang' given; using '{DEFAULT_LANG}'", doc.location(),
                    "add a line such as 'lang: fr' (it sets hyphenation, quotes and screen readers)")
        return DEFAULT_LANG
    lang = _text(doc, "lang", required=True)
    assert lang is not None
    if not _LANG_RE.match(lang):
        raise error(f"'lang' must be a language tag such as 'fr' or 'en-GB', not '{lang}'",
                    doc.location("lang"))
    return lang


def derive_identifier(title: str, authors: tuple[str, ...], date: str | None) -> str:
    """A stable identifier for books that give none: the same metadata gives the same id."""
    name = "\n".join((title, *authors, date or ""))
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'brochure:' + name)}"


def check_keys(doc: YamlDocument, report: Report, extra: tuple[str, ...] = ()) -> None:
    """Warn about keys that look like misspelt known keys (other keys are left to the user)."""
    known = KNOWN_KEYS + extra
    for key in doc.values:
        if isinstance(key, str) and key not in known:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
            if close:
                report.warn(f"unknown key '{key}'", doc.location(key), f"did you mean '{close[0]}'?")


def build_metadata(doc: YamlDocument, report: Report, other_keys: tuple[str, ...] = ()) -> Metadata:
    """Check the metadata fields; raise ``BrochureError`` at the first bad one."""
    check_keys(doc, report, other_keys)
    title = _text(doc, "title", required=True)
    assert title is not None
    authors = _text_list(doc, "author")
    date = _date(doc)
    return Metadata(
        title=title,
        lang=_lang(doc, report),
        location=doc.location(),
        subtitle=_text(doc, "subtitle"),
        authors=authors,
        date=date,
        publisher=_text(doc, "publisher"),
        rights=_text(doc, "rights"),
        identifier=_text(doc, "identifier") or derive_identifier(title, authors, date),
        description=_text(doc, "description"),
        subjects=_text_list(doc, "subject"),
    )




def setting_keys() -> tuple[str, ...]:
    return tuple(declaration.key for declaration in declarations())


def settings_from_yaml(doc: YamlDocument, defaults: Settings | None = None) -> Settings:
    """The settings book.yaml (or the front matter) gives, over ``defaults``; an error at the
    line of a bad one."""
    values = {}
    for declaration in declarations():
        if declaration.key in doc.values:
            try:
                values[declaration.attribute] = declaration.parse(doc.values[declaration.key])
            except ValueError as exc:
                raise error(f"'{declaration.key}' {exc}", doc.location(declaration.key)) from None
    return dataclasses.replace(defaults or Settings(), **values)
