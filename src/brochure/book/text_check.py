"""Is the text of every paragraph of the manuscript in the book? A check of the outputs.

Raw HTML left open, a sanitiser or a renderer can drop text without a word; this check finds
the loss afterwards, whatever caused it. Each paragraph of a chapter's Markdown that holds no
raw HTML or character reference is reduced to its words (letters only: numbers, link addresses,
images, note calls and markup left out); the words of the chapter's paragraphs must be found
in the chapter's output, in order. Typography changes some words (French ordinals, words cut
by inline elements), so a paragraph counts as present when at least half its words are found
in order within reach of where the previous one ended; a paragraph swallowed whole, or cut in
half, is not. Of a long paragraph, the first and last words are looked for. The text of
each note's first paragraph is looked for in that note.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from brochure.book.figures import FIGURE_LABEL, REFERENCE
from brochure.core.diagnostics import Diagnostic, Findings, Location
from brochure.core.model import Book, SourceText

# A word of letters only, not touching a digit (1er, 2e, h2o are left out, as typography sets
# ordinals apart), and not a French Roman ordinal (XXIe, which typography also sets apart).
_WORD = re.compile(r"(?<![^\W_])"
                   r"(?![ivxlcdm]+(?:e|er|re|ème|eme|es|ers|res|èmes|emes|nde?s?)(?![^\W_]))"
                   r"[^\W\d_]+(?![^\W_])")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_DEFINITION = re.compile(r"^[ ]{0,3}\[\^([^\]]*)\]:")
_REFERENCE_DEFINITION = re.compile(r"^[ ]{0,3}\[[^\]^][^\]]*\]:\s*\S")
_IMAGE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
_LINK_TARGET = re.compile(r"\]\([^)]*\)|\]\[[^\]]*\]")
_CALL = re.compile(r"\[\^[^\]]*\]")
REACH = 60  # output words a paragraph may start after the previous one ended, plus its own
ENDS = 10  # words looked for at each end of a long paragraph


@dataclass(frozen=True)
class Paragraph:
    line: int  # where it starts in its file
    words: tuple[str, ...]
    label: str | None = None  # the note it defines, for a note's first paragraph
    gap: int = 0  # words of the paragraphs skipped just before it (raw HTML), for the reach


def words(text: str) -> list[str]:
    """The words of a text as this check compares them: case-folded, letters only."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _WORD.findall(_INVISIBLE.sub("", text).casefold())


def paragraphs(source: SourceText) -> list[Paragraph]:
    """The paragraphs of a chapter that the check can read, the notes' first ones labelled."""
    found: list[Paragraph] = []
    gap = 0
    in_note = False
    for line, block in _blocks(source):
        definition = _DEFINITION.match(block)
        if definition:
            in_note = True
        elif block.startswith(("    ", "\t")) and in_note:
            continue  # a note's later paragraphs
        else:
            in_note = False
        if "<" in block or "&" in block or _REFERENCE_DEFINITION.match(block):
            gap += len(block.split())
            continue
        text = block[definition.end():] if definition else block
        text = _CALL.sub(" ", _LINK_TARGET.sub("] ", _IMAGE.sub(" ", text)))
        # Figure labels are not printed; a reference becomes "figure 2" in the book's language.
        text = REFERENCE.sub(" ", FIGURE_LABEL.sub(" ", text))
        own = words(text)
        if len(own) > 2 * ENDS:  # its start and its end: what a loss takes first
            gap += len(own) - 2 * ENDS
            own = own[:ENDS] + own[-ENDS:]
        found.append(Paragraph(line, tuple(own), definition[1] if definition else None,
                               0 if definition else gap))
        if not definition:
            gap = 0
    return [paragraph for paragraph in found if paragraph.words]


def _blocks(source: SourceText) -> Iterable[tuple[int, str]]:
    """(first line, text) of each run of non-blank lines; a note's definition starts a block of
    its own, as Python-Markdown reads definitions on consecutive lines."""
    start, lines = None, []
    for number, line in enumerate(source.text.split("\n"), start=source.first_line):
        if start is not None and _DEFINITION.match(line):
            yield start, "\n".join(lines)
            start, lines = None, []
        if line.strip():
            if start is None:
                start = number
            lines.append(line)
        elif start is not None:
            yield start, "\n".join(lines)
            start, lines = None, []
    if start is not None:
        yield start, "\n".join(lines)


def missing(expected: Sequence[Paragraph], found: Sequence[str]) -> list[Paragraph]:
    """The paragraphs of ``expected`` whose words ``found`` (an output's words) lacks."""
    places: dict[str, list[int]] = {}
    for index, word in enumerate(found):
        places.setdefault(word, []).append(index)
    lost = []
    position = 0
    for paragraph in expected:
        reach = position + REACH + 2 * (paragraph.gap + len(paragraph.words))
        cursor, matched = position, 0
        for word in paragraph.words:
            spots = places.get(word, [])
            at = bisect.bisect_left(spots, cursor)
            if at < len(spots) and spots[at] < reach:
                cursor, matched = spots[at] + 1, matched + 1
        if 2 * matched < len(paragraph.words):
            lost.append(paragraph)
        else:
            position = cursor
    return lost


def output_words(roots: Iterable[etree._Element], book: Book
                 ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The words of each chapter (its section, by id) and of each note (by id) in the trees
    of an output."""
    chapters = {chapter.id for chapter in book.chapters}
    notes = {note.id for note in book.notes}
    chapter_words: dict[str, list[str]] = {}
    note_words: dict[str, list[str]] = {}
    for root in roots:
        for el in root.iter():
            identifier = el.get("id") if isinstance(el.tag, str) else None
            if identifier in chapters and etree.QName(el).localname == "section":
                chapter_words[identifier] = words(" ".join(el.itertext()))
            elif identifier in notes:
                note_words.setdefault(identifier, words(" ".join(el.itertext())))
    return chapter_words, note_words


def missing_text(book: Book, sources: Sequence[SourceText], chapters: dict[str, list[str]],
                 notes: dict[str, list[str]]) -> Findings:
    """Each paragraph of the manuscript whose text is not in the output: the words of each
    chapter (by chapter id) and of each note (by note id) as the output has them."""
    errors: list[Diagnostic] = []
    bugs: list[Diagnostic] = []
    by_path = {source.path: source for source in sources}
    for chapter in book.chapters:
        source = by_path.get(chapter.source)
        if source is None or chapter.id not in chapters:
            continue
        expected = paragraphs(source)
        lost = missing([p for p in expected if p.label is None], chapters[chapter.id])
        firsts = {p.line: p for p in expected if p.label is not None}
        for note in book.notes:
            own = firsts.get(note.location.line or 0)
            if note.location.path == chapter.source and own is not None and note.id in notes:
                lost.extend(missing([own], notes[note.id]))
        for paragraph in sorted(lost, key=lambda p: p.line)[:20]:
            explained, diagnostic = _lost(source, paragraph)
            (errors if explained else bugs).append(diagnostic)
    return Findings(tuple(errors), tuple(bugs))


def _lost(source: SourceText, paragraph: Paragraph) -> tuple[bool, Diagnostic]:
    """A lost paragraph, and whether the input explains it (raw HTML comes before it)."""
    before = source.text.split("\n")[:paragraph.line - source.first_line]
    shown = " ".join(paragraph.words[:8])
    location = Location(source.path, paragraph.line)
    if any("<" in line for line in before):
        return True, Diagnostic(
            "error", f"the text of this paragraph ('{shown}') is missing from the book", location,
            "raw HTML before it probably hides it (a tag or comment left open); close it, or "
            "remove it")
    return False, broken(f"the text of this paragraph ('{shown}') is missing from the book",
                          location)


def broken(message: str, location: Location | None = None) -> Diagnostic:
    """A broken promise of brochure's own, not the input's."""
    return Diagnostic("error", f"the book brochure made is broken: {message}", location,
                      "this is a bug of brochure's: please report it with the manuscript")
