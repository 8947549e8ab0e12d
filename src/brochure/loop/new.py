"""``brochure new DIR``: a project that builds at once.

DIR gets ``manuscript/`` (``book.yaml`` with every field and setting brochure reads, each
explained in the book's language; one chapter that shows the syntax: a note called twice, a
block quote, a figure; the figure's image) and, when asked, ``styles/``, a copy of brochure's
stylesheets and fonts to edit. The words come from ``starter/<language>.yaml``; a language
without its file gets the English explanations. The settings are read from their
declarations (core/settings.py), so a new setting shows up here by itself.
"""

from __future__ import annotations

import json
import re
import shutil
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from slugify import slugify

from brochure.core.diagnostics import Location, error
from brochure.core.fingerprint import default_styles_dir
from brochure.core.settings import Declaration, Settings, declarations, default_text

STARTER = Path(__file__).parent / "starter"
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
FIELDS = ("title", "subtitle", "author", "lang", "date", "publisher", "rights", "identifier",
          "description", "subject", "chapters")
EXAMPLES = {"subtitle": '""', "date": "2025-05-01", "publisher": '""', "rights": '""',
            "identifier": "urn:isbn:9780000000000", "description": '""', "subject": "[]"}


@dataclass(frozen=True)
class Created:
    """What ``create`` wrote."""

    project: Path
    manuscript: Path
    files: tuple[Path, ...]


def languages() -> tuple[str, ...]:
    """The languages whose explanations are written (others get English ones)."""
    return tuple(sorted(path.stem for path in STARTER.glob("*.yaml")))


@cache
def _words(lang: str) -> dict:
    primary = lang.split("-")[0].lower()
    path = STARTER / f"{primary if primary in languages() else 'en'}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def book_yaml(title: str, lang: str, chapter: str) -> str:
    """``book.yaml`` with every field and setting, explained in ``lang`` (English if unknown)."""
    words, english = _words(lang), _words("en")
    values = {"title": json.dumps(title, ensure_ascii=False),
              "author": json.dumps(words["author"], ensure_ascii=False),
              "lang": lang, "chapters": f"[{chapter}]"}
    lines = [f"# {words['heading_metadata']}", ""]
    for key in FIELDS:
        lines.append(f"# {words['fields'].get(key) or english['fields'][key]}")
        if key in values:
            lines.append(f"{key}: {values[key]}")
        else:
            lines.append(f"# {key}: {EXAMPLES[key]}")
    lines += ["", f"# {words['heading_settings']}", ""]
    for declaration in declarations():
        explained = words["settings"].get(declaration.key) or declaration.help
        lines += [f"# {explained}", f"# {declaration.key}: {_example(declaration)}"]
    return "\n".join(lines) + "\n"


def _example(declaration: Declaration) -> str:
    """The default, or where there is none (a file to name), the example its values give."""
    if getattr(Settings(), declaration.attribute) is None:
        example = re.search(r"\(([^)]+)\)", declaration.values)
        return example.group(1) if example else '""'
    return default_text(declaration)


def chapter_text(title: str, lang: str) -> str:
    return string.Template(_words(lang)["chapter"]).safe_substitute(title=title)


def create(folder: Path, lang: str = "en", title: str | None = None,
           styles: bool = False) -> Created:
    """Write a new project into ``folder`` (new, or empty); an error if it holds anything."""
    if not LANGUAGE_TAG.match(lang):
        raise error(f"'{lang}' is not a language tag", hint="give one such as en, fr, de-CH")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise error(f"'{folder}' is not an empty folder; nothing was written", Location(folder),
                    "give the name of a new folder")
    title = " ".join((title or _words(lang)["title"]).split())
    if not title:
        raise error("the title is empty", hint="give --title some words")
    chapter = f"01-{slugify(title, max_length=40, word_boundary=True) or 'chapter'}.md"
    manuscript = folder / "manuscript"
    manuscript.mkdir(parents=True)
    written = [manuscript / "book.yaml", manuscript / chapter, manuscript / "figure.svg"]
    written[0].write_text(book_yaml(title, lang, chapter), encoding="utf-8")
    written[1].write_text(chapter_text(title, lang), encoding="utf-8")
    shutil.copyfile(STARTER / "figure.svg", written[2])
    if styles:
        shutil.copytree(default_styles_dir(), folder / "styles")
        written.append(folder / "styles")
    return Created(folder, manuscript, tuple(written))
