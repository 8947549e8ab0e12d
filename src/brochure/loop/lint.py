"""Checks of ``brochure check`` that no stage of the build makes: what builds, but reads badly.

Each check is a function of the manuscript's chapters (and of the book, once the book stage
has made it) that returns warnings at a line and column of a chapter file. The build's own
checks (notes undefined or unused, images, fonts, metadata...) are not repeated here:
check.py runs the stages and reports what they say.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from PIL import Image

from brochure.book.markdown import source_lines
from brochure.core.diagnostics import Diagnostic, Location
from brochure.core.model import Book, Manuscript, SourceText
from brochure.core.paper import MM_PER_INCH
from brochure.core.settings import PrintMode, PrintNotes
from brochure.core.xhtml import local_name, q

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)(.*)$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_CALL = re.compile(r"\[\^([^\]]+)\](?!:)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_NOT_TEXT = re.compile(r"<[^>]*>"  # HTML tags and autolinks
                       r"|\]\([^)]*\)"  # a link's or image's destination and title
                       r"|^ {0,3}\[[^\]]+\]:.*$")  # a link reference definition
_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]]*\]:[ \t]*")
_STRAIGHT = re.compile(r"[\"']")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

# A footnote longer than this is cut into pieces that run over the next pages (render/notes.py).
LONG_FOOTNOTE_WORDS = 250
# Below this many pixels per inch on paper, an image looks coarse (a photocopier reproduces
# about 150; a print shop asks for 300).
MIN_PRINT_DPI = {PrintMode.OFFICE: 150, PrintMode.SHOP: 250}
CSS_PIXELS_PER_INCH = 96  # WeasyPrint prints an image's pixel as a CSS pixel, unless shrunk
TEXT_WIDTH_SHARE = 0.75  # about how much of the trim's width the text block takes


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int
    column: int


def headings(source: SourceText) -> Iterator[Heading]:
    """The Markdown headings of a chapter (ATX ``## x`` and setext underlines), outside code."""
    previous: tuple[int, str] | None = None
    for number, line in source_lines(source):
        atx = _ATX.match(line)
        if atx:
            yield Heading(len(atx.group(1)), atx.group(2).rstrip("# \t"), number,
                          line.index("#") + 1)
            previous = None
            continue
        underline = _SETEXT.match(line)
        if underline and previous is not None and previous[0] == number - 1:
            text = previous[1]
            yield Heading(1 if underline.group(1)[0] == "=" else 2, text.strip(), previous[0],
                          len(text) - len(text.lstrip()) + 1)
            previous = None
            continue
        stripped = line.strip()
        paragraph = stripped and not stripped.startswith((">", "-", "*", "+", "|", "<"))
        previous = (number, line) if paragraph and not line.startswith("    ") else None


def skipped_levels(source: SourceText) -> list[Diagnostic]:
    """A heading more than one level below the one before it (## then ####)."""
    found = []
    last: Heading | None = None
    for heading in headings(source):
        if last is not None and heading.level > last.level + 1:
            found.append(Diagnostic(
                "warning", f"heading level {heading.level} follows level {last.level} "
                f"(line {last.line}): level {last.level + 1} is skipped",
                Location(source.path, heading.line, heading.column),
                f"make it a level-{last.level + 1} heading ({'#' * (last.level + 1)}); screen "
                "readers and the table of contents read the levels as the book's outline"))
        last = heading
    return found


def notes_in_headings(source: SourceText) -> list[Diagnostic]:
    """A note called from a heading: the call shows in the contents and running heads too."""
    found = []
    lines = dict(source_lines(source))
    for heading in headings(source):
        call = _CALL.search(lines[heading.line])
        if call:
            found.append(Diagnostic(
                "warning", f"note [^{call.group(1)}] is called from a heading",
                Location(source.path, heading.line, call.start() + 1),
                "call it from the first sentence below the heading: a call in a heading shows "
                "in the table of contents and the running heads"))
    return found


def straight_quotes(source: SourceText) -> list[Diagnostic]:
    """Straight quotes left in the text (outside code, markup and addresses): with typography
    off, nothing turns them into the language's quotation marks and apostrophes."""
    found = []
    text = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), source.text)
    for number, line in source_lines(SourceText(source.path, text, source.first_line)):
        kept = _NOT_TEXT.sub(lambda m: " " * len(m.group()),
                             _CODE_SPAN.sub(lambda m: " " * len(m.group()), line))
        if line.startswith("    ") and not _DEFINITION.match(line) and not kept.strip():
            continue
        quote = _STRAIGHT.search(kept)
        if quote:
            count = len(_STRAIGHT.findall(kept))
            found.append(Diagnostic(
                "warning", f"straight quote {quote.group()} left in the text"
                + (f" ({count} on this line)" if count > 1 else "") + "; typography is off",
                Location(source.path, number, quote.start() + 1),
                "type the quotation marks and apostrophes (“ ” ‘ ’ « »), or remove "
                "'typography: none' from book.yaml"))
    return found


def empty_chapters(book: Book, manuscript: Manuscript) -> list[Diagnostic]:
    """A chapter with nothing but its headings (a file left to write)."""
    found = []
    for chapter, source in zip(book.chapters, manuscript.sources, strict=True):
        body = [el for el in chapter.body if local_name(el) not in
                ("h1", "h2", "h3", "h4", "h5", "h6")]
        if any("".join(el.itertext()).strip() or el.find(f".//{q('img')}") is not None
               or local_name(el) == "img" for el in body):
            continue
        first = next(headings(source), None)
        found.append(Diagnostic(
            "warning", "the chapter has no text" + (" besides its headings" if first else ""),
            Location(source.path, first.line if first else source.first_line),
            "write it, or take the file out of 'chapters' in book.yaml"))
    return found


def empty_notes(book: Book, manuscript: Manuscript) -> list[Diagnostic]:
    found = []
    for note in book.notes:
        if not any("".join(block.itertext()).strip() or local_name(block) == "figure"
                   for block in note.blocks):
            found.append(Diagnostic("warning", f"note {note.number} has no text", note.location,
                                    "write the note, or remove its call and definition"))
    return found


def long_footnotes(book: Book, manuscript: Manuscript) -> list[Diagnostic]:
    """Footnotes long enough to be cut and carried over the next pages."""
    if book.settings.print_notes != PrintNotes.FOOTNOTES:
        return []
    found = []
    for note in book.notes:
        words = sum(len("".join(block.itertext()).split()) for block in note.blocks)
        if words > LONG_FOOTNOTE_WORDS:
            found.append(Diagnostic(
                "warning", f"note {note.number} is {words} words long: as a footnote it is cut "
                f"and runs over the following pages",
                note.location, "shorten it, or print the notes as endnotes "
                "('print-notes: endnotes')"))
    return found


def coarse_images(book: Book, manuscript: Manuscript) -> list[Diagnostic]:
    """Raster images with too few pixels for the size they print at."""
    threshold = MIN_PRINT_DPI.get(book.settings.print_mode, 150)
    text_width = book.settings.trim.width * TEXT_WIDTH_SHARE / MM_PER_INCH  # inches
    found = []
    for asset in book.assets:
        if not asset.href.startswith("images/") or asset.media_type == "image/svg+xml":
            continue
        try:
            with Image.open(io.BytesIO(asset.data)) as image:
                width, height = image.size
        except OSError:
            continue  # the build reports images it cannot read
        printed = min(width / CSS_PIXELS_PER_INCH, text_width)
        dpi = width / printed
        if dpi < threshold:
            found.append(Diagnostic(
                "warning", f"image '{asset.source.name}' prints at {dpi:.0f} pixels per inch "
                f"({width}×{height} pixels over {printed * MM_PER_INCH:.0f} mm); "
                f"print needs {threshold}",
                _image_location(manuscript, asset.source.name),
                f"use an image at least {round(threshold * text_width)} pixels wide, or a "
                "vector image (SVG)"))
    return found


def _image_location(manuscript: Manuscript, name: str) -> Location:
    for source in manuscript.sources:
        for number, line in source_lines(source):
            if name in line:
                return Location(source.path, number, line.index(name) + 1)
    return Location(manuscript.root)


SourceCheck = Callable[[SourceText], list[Diagnostic]]
BookCheck = Callable[[Book, Manuscript], list[Diagnostic]]
SOURCE_CHECKS: tuple[SourceCheck, ...] = (skipped_levels, notes_in_headings)
BOOK_CHECKS: tuple[BookCheck, ...] = (empty_chapters, empty_notes, long_footnotes, coarse_images)


def lint(manuscript: Manuscript, book: Book | None) -> list[Diagnostic]:
    """Every check of this module: those of the text alone, and, when the book stage made the
    book, those that read it."""
    checks: list[SourceCheck] = list(SOURCE_CHECKS)
    if manuscript.settings.typography == "none":
        checks.append(straight_quotes)
    found = [d for source in manuscript.sources for check in checks for d in check(source)]
    if book is not None:
        found += [d for check in BOOK_CHECKS for d in check(book, manuscript)]
    return found

