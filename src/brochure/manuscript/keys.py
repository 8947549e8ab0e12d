"""Which keys book.yaml (or the front matter) may hold, and what brochure says of the others.

Every key brochure does not read is named in a warning at its line, with the most useful word
it can give: the key it looks like (``autor``), the brochure key that does what a common name
means (``isbn``, ``cover``, ``translator``), or, for a key pandoc knows, that brochure does not
use it yet.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from brochure.core.diagnostics import Location, Report

# The metadata brochure reads (docs/manuscript.md describes each); the settings' keys come
# from their declarations.
METADATA_KEYS = (
    "title", "subtitle", "author", "creator", "contributor", "lang", "date", "publisher",
    "rights", "identifier", "description", "subject", "source", "belongs-to-collection",
    "series", "group-position", "cover-image", "edition", "printer", "print-run",
    "legal-deposit", "chapters",
)
PERSON_KEYS = ("name", "text", "role", "file-as")
IDENTIFIER_KEYS = ("scheme", "text")

# Keys pandoc reads that brochure does not use (pandoc's manual: "Metadata variables", "EPUB
# Metadata", the LaTeX and HTML variables).
PANDOC_KEYS = frozenset({
    "abstract", "abstract-title", "accessModes", "accessModeSufficient",
    "accessibilityFeatures", "accessibilityHazards", "accessibilitySummary", "author-meta",
    "bibliography", "category", "classoption", "colorlinks", "coverage", "csl", "css",
    "date-meta", "dir", "document-css", "documentclass", "fontfamily", "fontsize", "format",
    "geometry", "header-includes", "ibooks", "include-after", "include-before", "indent",
    "institute", "keywords", "language", "linestretch", "link-citations", "linkcolor", "lof",
    "lot", "mainfont", "margin-bottom", "margin-left", "margin-right", "margin-top", "mathfont",
    "monofont", "nocite", "numbersections", "page-progression-direction", "pagestyle",
    "pagetitle", "papersize", "reference-section-title", "relation", "sansfont",
    "secnumdepth", "stylesheet", "thanks", "title-meta", "toc", "toc-depth", "toc-title",
    "type", "urlcolor",
})

# What a common name is called here.
SAID_OTHERWISE = {
    "isbn": "give it as 'identifier: 978-...' (brochure checks its digits)",
    "cover": "give the cover's file as 'cover-image: cover.jpg'",
    "translator": "list the translator under 'author' with a role: "
                  "'- {name: ..., role: translator}'",
    "editor": "list the editor under 'author' with a role: '- {name: ..., role: editor}'",
    "illustrator": "list the illustrator under 'author' with a role: "
                   "'- {name: ..., role: illustrator}'",
    "license": "brochure calls it 'rights'",
    "licence": "brochure calls it 'rights'",
    "copyright": "brochure calls it 'rights'",
    "keywords": "brochure reads the keywords from 'subject'",
    "language": "brochure reads the language from 'lang'",
    "abstract": "brochure reads the summary from 'description'",
    "authors": "brochure reads them from 'author' (one name or a list)",
    "stylesheet": "brochure reads every .css file of the styles folder (--styles)",
    "css": "brochure reads every .css file of the styles folder (--styles)",
    "toc": "brochure prints a table of contents in every book of several chapters",
}


def warn_unknown_keys(keys: Iterable[tuple[str, int | None]], known: Iterable[str],
                      report: Report, where: Location, inside: str | None = None) -> None:
    """A warning at the line of each key that is not ``known``; ``inside`` names the mapping
    the keys belong to (an author, an identifier), for the message."""
    known = tuple(known)
    for key, line in keys:
        if key in known:
            continue
        location = Location(where.path, line) if line else where
        what = f"unknown key '{key}'" + (f" in {inside}" if inside else "")
        report.warn(f"{what}; it is ignored", location, _hint(str(key), known, inside is None))


def _hint(key: str, known: tuple[str, ...], top: bool) -> str | None:
    said = SAID_OTHERWISE.get(key.lower()) if top else None
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    if close and not said:  # 'editor' is a role, not a misspelt 'edition'
        return f"did you mean '{close[0]}'?"
    pandoc = top and key in PANDOC_KEYS
    if pandoc and said:
        return f"pandoc knows '{key}', which brochure does not use: {said}"
    if pandoc:
        return f"pandoc knows '{key}', which brochure does not use yet"
    if said:
        return said
    return f"the keys brochure reads are: {', '.join(known)}" if not top else \
        "docs/manuscript.md lists the keys brochure reads"
