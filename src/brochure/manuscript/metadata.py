"""Metadata: YAML (book.yaml or front matter) -> checked ``Metadata``, errors at the YAML line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from brochure.core.diagnostics import Report, error
from brochure.core.model import Metadata
from brochure.core.settings import Settings, declarations
from brochure.manuscript import fields
from brochure.manuscript.keys import METADATA_KEYS, warn_unknown_keys
from brochure.manuscript.yaml_lines import YamlDocument
from brochure.manuscript.yaml_lines import parse_yaml as parse_yaml  # where callers look for it

DEFAULT_LANG = "en"
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")




def _writable(value: str, doc: YamlDocument, key: str) -> str:
    return fields.writable(value, key, doc.location(key))


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
