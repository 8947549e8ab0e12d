"""Golden pairs: a Markdown manuscript in, the XHTML both formats are written from out.

Each ``tests/golden/NAME.md`` is a single-file manuscript (its front matter chooses the language
and the settings); ``NAME.xhtml`` beside it is the body of the document rendered for the PDF
(for endnotes, the EPUB's is the same), with the build's warnings first as comments. A change
of output shows as a diff of these files: after checking it, regenerate them with
``BROCHURE_GOLDEN=update .venv/bin/pytest tests/test_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lxml import etree

from brochure.core.diagnostics import BrochureError, Report, shown
from brochure.core.model import notes_layout
from brochure.core.xhtml import q
from brochure.render.document import render_book
from brochure.runtime.build import BuildOptions, book_of, read

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(GOLDEN.glob("*.md"))
NAMESPACES = ' xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'


def rendered(manuscript: Path) -> str:
    """What the pair's output file holds: warnings (or errors), then the document's body."""
    report = Report()
    try:
        book = book_of(read(BuildOptions(manuscript), report), report)
    except BrochureError as exc:
        report.diagnostics.extend(d for d in exc.diagnostics if d not in report.diagnostics)
        book = None
    lines = [f"<!-- {str(d).replace(shown(GOLDEN) + os.sep, '')} -->" for d in report.diagnostics]
    if book is not None:
        body = render_book(book, notes_layout(book.settings, paged=True)).root().find(q("body"))
        for section in body:  # one line each, as written: whitespace is part of the text
            section.tail = None
            lines.append(etree.tostring(section, encoding="unicode").replace(NAMESPACES, ""))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("manuscript", CASES, ids=lambda path: path.stem)
def test_golden_pair(manuscript: Path, epoch_env):
    expected_path = manuscript.with_suffix(".xhtml")
    got = rendered(manuscript)
    if os.environ.get("BROCHURE_GOLDEN") == "update":
        expected_path.write_text(got, "utf-8")
    assert expected_path.exists(), f"no {expected_path.name}: run with BROCHURE_GOLDEN=update"
    assert got == expected_path.read_text("utf-8")


def test_every_golden_output_has_its_input():
    assert {p.stem for p in GOLDEN.glob("*.xhtml")} == {p.stem for p in CASES}
