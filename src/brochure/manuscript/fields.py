"""The metadata fields that hold more than a text: people with their roles, identifiers by
scheme (an ISBN's check digit verified), the series. Each error names its line."""

from __future__ import annotations

import re
import uuid
from typing import Any

from brochure.core.diagnostics import Location, Report, error
from brochure.core.isbn import looks_like_isbn, parse_isbn
from brochure.core.model import Collection, Identifier, Person
from brochure.manuscript.keys import IDENTIFIER_KEYS, PERSON_KEYS, warn_unknown_keys
from brochure.manuscript.yaml_lines import YamlDocument

# Roles in words (pandoc translates the same words) -> MARC relator codes.
ROLES = {
    "author": "aut", "editor": "edt", "translator": "trl", "illustrator": "ill",
    "contributor": "ctb", "photographer": "pht", "designer": "dsr", "cover designer": "cov",
    "book designer": "bkd", "compiler": "com", "narrator": "nrt", "annotator": "ann",
    "commentator": "cmm", "introduction": "aui", "afterword": "aft", "proofreader": "pfr",
}
_CODE = re.compile(r"^[a-z]{3}$")
_UUID = re.compile(r"^(?:urn:uuid:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$",
                   re.IGNORECASE)
_DOI = re.compile(r"^(?:urn:doi:|doi:|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$",
                  re.IGNORECASE)
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# pandoc's identifier schemes (its manual, "EPUB Metadata"), by the name brochure keeps.
SCHEMES = {
    "isbn": "ISBN", "isbn-10": "ISBN", "isbn-13": "ISBN", "doi": "DOI", "uuid": "UUID",
    "uri": "URI", "urn": "URI", "gtin-13": "GTIN-13", "upc": "UPC", "ismn-10": "ISMN-10",
    "ismn-13": "ISMN-13", "lccn": "LCCN", "gtin-14": "GTIN-14", "oclc": "OCLC",
    "legal deposit number": "Legal deposit number", "isbn-a": "ISBN-A", "jp": "JP",
    "olcc": "OLCC",
}


def _items(doc: YamlDocument, key: str) -> list[tuple[Any, int | None]]:
    """The value of ``key`` as a list of (item, line); one value is a list of one."""
    value = doc.values.get(key)
    if value is None:
        return []
    line = doc.lines.get(key)
    if isinstance(value, list):
        lines = getattr(value, "lines", [line] * len(value))
        return list(zip(value, lines, strict=True))
    return [(value, line)]


# YAML escapes ("\e", "\x00", "\ud800") can put in a value what the file itself may not hold.
_UNWRITABLE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def writable(value: str, key: str, location: Location) -> str:
    """``value``, unless it holds a character no XHTML or XML can: an error at the line."""
    bad = _UNWRITABLE_RE.search(value)
    if bad:
        code = ord(bad.group())
        what = ("half of a UTF-16 surrogate pair" if 0xD800 <= code <= 0xDFFF
                else "the control character")
        raise error(f"'{key}' holds {what} U+{code:04X}", location,
                    "remove the escape sequence (such as \\e or \\x00) that makes it")
    return value


def _word(value: Any, key: str = "", location: Location | None = None) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = " ".join(str(value).split())
    if location is not None:
        writable(text, key, location)
    return text or None


def people(doc: YamlDocument, key: str, report: Report, default_role: str) -> tuple[Person, ...]:
    """``author``, ``creator`` or ``contributor``: names, or mappings with ``name`` (pandoc's
    ``text``), ``role`` (a word or a MARC relator code) and ``file-as``."""
    found = []
    for item, line in _items(doc, key):
        location = doc.at(line)
        if isinstance(item, dict):
            lines = getattr(item, "lines", {})
            warn_unknown_keys(((k, doc.at(lines.get(k)).line) for k in item), PERSON_KEYS,
                              report, location, f"'{key}'")
            name = _word(item.get("name", item.get("text")), key, location)
            if name is None:
                raise error(f"each '{key}' needs a 'name'", location,
                            f"write '- {{name: Ada Writer, role: {default_role}}}'")
            role = _role(item.get("role"), doc.at(lines.get("role", line)))
            file_as = _word(item.get("file-as"), key, location)
            found.append(Person(name, role or ROLES[default_role], file_as))
        else:
            name = _word(item, key, location)
            if name is None:
                raise error(f"'{key}' must be a name, or a list of names", location,
                            "put each name in quotes")
            found.append(Person(name, ROLES[default_role]))
    return tuple(found)


def _role(value: Any, location) -> str | None:
    if value is None:
        return None
    word = _word(value)
    code = ROLES.get(word.lower()) if word else None
    if code:
        return code
    if word and _CODE.match(word):
        return word  # a MARC relator code, as pandoc takes it
    raise error(f"unknown role {value!r}", location,
                f"use one of {', '.join(ROLES)}, or a MARC relator code such as 'trl'")


def identifiers(doc: YamlDocument, report: Report) -> tuple[Identifier, ...]:
    """``identifier``: texts (an ISBN, DOI, UUID or URI, told apart by their form) or
    mappings with pandoc's ``scheme`` and ``text``; an ISBN's check digit must hold."""
    found = []
    for item, line in _items(doc, "identifier"):
        location = doc.at(line)
        scheme = None
        if isinstance(item, dict):
            lines = getattr(item, "lines", {})
            warn_unknown_keys(((k, doc.at(lines.get(k)).line) for k in item), IDENTIFIER_KEYS,
                              report, location, "'identifier'")
            location = doc.at(lines.get("text", line))
            scheme = _scheme(item.get("scheme"), doc.at(lines.get("scheme", line)))
            item = item.get("text")
        text = _word(item, "identifier", location)
        if text is None:
            raise error("'identifier' must be a text (an ISBN, a DOI, a URI...)", location,
                        "put it in quotes")
        try:
            found.append(identifier(text, scheme))
        except ValueError as exc:
            raise error(f"'identifier': {exc}", location,
                        "copy the ISBN from the agency's record; its last digit checks the others"
                        if "ISBN" in str(exc) else None) from None
    return tuple(found)


def _scheme(value: Any, location) -> str | None:
    if value is None:
        return None
    word = _word(value)
    scheme = SCHEMES.get(word.lower()) if word else None
    if scheme is None:
        raise error(f"unknown identifier scheme {value!r}", location,
                    "use ISBN, DOI, UUID or URI (or another of pandoc's schemes)")
    return scheme


def identifier(text: str, scheme: str | None = None) -> Identifier:
    """An identifier from its text: its scheme as given, or told by its form."""
    if scheme == "ISBN" or (scheme is None and looks_like_isbn(text)):
        return Identifier("ISBN", parse_isbn(text).isbn13)
    uuid_match = _UUID.match(text)
    if scheme == "UUID" or (scheme is None and uuid_match):
        if not uuid_match:
            raise ValueError(f"'{text}' is not a UUID")
        return Identifier("UUID", uuid_match.group(1).lower())
    doi = _DOI.match(text)
    if scheme == "DOI" or (scheme is None and doi):
        if not doi:
            raise ValueError(f"'{text}' is not a DOI (10.NNNN/...)")
        return Identifier("DOI", doi.group(1))
    if scheme not in (None, "URI"):
        return Identifier(scheme, text)
    return Identifier("URI", text)


def derived_identifier(title: str, authors: tuple[str, ...], date: str | None) -> Identifier:
    """A stable identifier for books that give none: the same metadata gives the same id."""
    name = "\n".join((title, *authors, date or ""))
    return Identifier("UUID", str(uuid.uuid5(uuid.NAMESPACE_URL, "brochure:" + name)))


def collection(doc: YamlDocument) -> Collection | None:
    """The series: pandoc's ``belongs-to-collection`` (or ``series``) and ``group-position``."""
    given = [key for key in ("belongs-to-collection", "series") if key in doc.values]
    if len(given) == 2:
        raise error("'series' and 'belongs-to-collection' are the same field, given twice",
                    doc.location("series"), "keep one of them")
    position = doc.values.get("group-position")
    if position is not None and (_word(position) is None or isinstance(position, float)):
        raise error("'group-position' must be the book's number in the series, such as 3",
                    doc.location("group-position"))
    if not given:
        if position is not None:
            raise error("'group-position' without a series", doc.location("group-position"),
                        "name the series with 'series: ...'")
        return None
    name = _word(doc.values[given[0]], given[0], doc.location(given[0]))
    if name is None or not isinstance(doc.values[given[0]], str):
        raise error(f"'{given[0]}' must be the name of the series", doc.location(given[0]))
    return Collection(name, _word(position, "group-position", doc.location("group-position"))
                      if position is not None else None)
