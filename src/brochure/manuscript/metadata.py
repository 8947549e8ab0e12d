"""Metadata: YAML (book.yaml or front matter) -> checked ``Metadata``, errors at the YAML line."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from brochure.core.diagnostics import Location, Report, error
from brochure.core.model import Metadata
from brochure.core.settings import Settings, declarations
from brochure.manuscript import fields
from brochure.manuscript.keys import METADATA_KEYS, warn_unknown_keys

DEFAULT_LANG = "en"
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
def _writable(value: str, doc: YamlDocument, key: str) -> str:
    return fields.writable(value, key, doc.location(key))


class Mapping(dict):
    """A YAML mapping that remembers the line of each key."""

    lines: dict[Any, int]

    def __init__(self) -> None:
        super().__init__()
        self.lines = {}


class Sequence(list):
    """A YAML list that remembers the line of each item."""

    lines: list[int]

    def __init__(self, items: list[Any], lines: list[int]) -> None:
        super().__init__(items)
        self.lines = lines


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

    def at(self, line: int | None) -> Location:
        """The location of a line of the YAML text (of a nested key, a list's item)."""
        return Location(self.path, line + self.first_line - 1) if line else self.location()


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


def _construct_sequence(loader: _SafeLineLoader, node: yaml.SequenceNode) -> Sequence:
    return Sequence([loader.construct_object(child, deep=True) for child in node.value],
                    [child.start_mark.line + 1 for child in node.value])


def _construct_timestamp(loader: _SafeLineLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise _YamlProblem(f"impossible date '{node.value}': {exc}", node.start_mark.line + 1) from None


_SafeLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_SafeLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
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


def _text_or_number(doc: YamlDocument, key: str) -> str | None:
    """A field such as ``edition`` or ``print-run`` that may be a number or a text."""
    value = doc.values.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return _text(doc, key)


def check_keys(doc: YamlDocument, report: Report, extra: tuple[str, ...] = ()) -> None:
    """A warning at the line of every key brochure does not read (keys.py says what of it)."""
    keys = ((key, doc.location(key).line) for key in doc.values)
    warn_unknown_keys(keys, METADATA_KEYS + extra, report, doc.location())


def build_metadata(doc: YamlDocument, report: Report, other_keys: tuple[str, ...] = ()) -> Metadata:
    """Check the metadata fields; raise ``BrochureError`` at the first bad one."""
    check_keys(doc, report, other_keys)
    title = _text(doc, "title", required=True)
    assert title is not None
    creators = (*fields.people(doc, "author", report, "author"),
                *fields.people(doc, "creator", report, "author"))
    date = _date(doc)
    identifiers = fields.identifiers(doc, report)
    if not identifiers:
        names = tuple(person.name for person in creators if person.role == "aut")
        identifiers = (fields.derived_identifier(title, names, date),)
    return Metadata(
        title=title,
        lang=_lang(doc, report),
        location=doc.location(),
        subtitle=_text(doc, "subtitle"),
        creators=creators,
        contributors=fields.people(doc, "contributor", report, "contributor"),
        date=date,
        publisher=_text(doc, "publisher"),
        rights=_text(doc, "rights"),
        identifiers=identifiers,
        description=_text(doc, "description"),
        subjects=_text_list(doc, "subject"),
        source=_text(doc, "source"),
        collection=fields.collection(doc),
        cover_image=_text(doc, "cover-image"),
        edition=_text_or_number(doc, "edition"),
        printer=_text(doc, "printer"),
        print_run=_text_or_number(doc, "print-run"),
        legal_deposit=_text(doc, "legal-deposit"),
        lines=tuple((key, doc.location(key).line or 1) for key in doc.values
                    if isinstance(key, str)),
    )


def setting_keys() -> tuple[str, ...]:
    return tuple(declaration.key for declaration in declarations())


def settings_from_yaml(doc: YamlDocument) -> Settings:
    """The settings book.yaml (or the front matter) gives; an error at the line of a bad one."""
    values = {}
    for declaration in declarations():
        if declaration.key in doc.values:
            try:
                values[declaration.attribute] = declaration.parse(doc.values[declaration.key])
            except ValueError as exc:
                raise error(f"'{declaration.key}' {exc}", doc.location(declaration.key)) from None
    return Settings(**values)
