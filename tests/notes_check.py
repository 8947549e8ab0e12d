"""Checker of the notes of a built book, against its Markdown read by Python-Markdown alone.

``check_notes`` returns the problems it finds (an empty list when every check holds):

- the number of notes equals the number of distinct labels the text calls;
- every call links to its note and every note links back to each of its calls: in the EPUB
  across files, in the PDF through link annotations whose named destinations exist;
- the numbers follow reading order (1..N, or 1..n in each chapter);
- the text of every note appears (in its note in the EPUB, on the pages of the PDF).
"""

from __future__ import annotations

import itertools
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
import markdown
import pdfplumber
import yaml
from helpers import NS, Epub, pdf_destinations, pdf_links, pdf_region_texts

MM = 72 / 25.4
_IGNORED = re.compile(r"[\s\x02\u2060\u00ad\u200b\u21a9\u2191\-‐•◦▪]+")


def squeeze(text: str) -> str:
    """Text without whitespace, hyphens, joiners, list bullets or combining accents: line breaks,
    hyphenation, list markers and the order a PDF gives accents in vanish."""
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return _IGNORED.sub("", text)


@dataclass
class Expected:
    """What the manuscript calls: per chapter file, its distinct labels in order, with their text."""

    chapters: list[list[tuple[str, str]]]  # [(label, note text)] per chapter, in reading order
    blocks: dict[tuple[int, str], list[str]]  # (chapter, label) -> text of each block of the note

    @property
    def count(self) -> int:
        return sum(len(c) for c in self.chapters)


def _block_texts(block) -> list[str]:
    """The texts a block must show: a table's cell by cell, since a table split across pages
    repeats its header row, and a cell wrapped on two lines is read row by row."""
    if block.tag == "table":
        return [" ".join(cell.text_content().split()) for cell in block.iter("td", "th")]
    return [" ".join(block.text_content().split())]


def expected_notes(manuscript: Path) -> Expected:
    meta = yaml.safe_load((manuscript / "book.yaml").read_text(encoding="utf-8"))
    names = meta.get("chapters") or sorted(p.name for p in manuscript.glob("*.md")
                                            if p.name.lower() != "readme.md")
    chapters = []
    blocks: dict[tuple[int, str], list[str]] = {}
    for index, name in enumerate(names):
        html = markdown.markdown((manuscript / name).read_text(encoding="utf-8"),
                                 extensions=["footnotes", "tables"])
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        texts = {}
        for li in root.xpath("//div[@class='footnote']/ol/li"):
            for back in li.xpath(".//a[@class='footnote-backref']"):
                back.getparent().remove(back)
            label = li.get("id")[len("fn:"):]
            texts[label] = " ".join(li.text_content().split())
            blocks[index, label] = [text for block in li if isinstance(block.tag, str)
                                    for text in _block_texts(block)]  # not comments
        labels = []
        for a in root.xpath("//sup/a[@class='footnote-ref']"):
            label = a.get("href")[len("#fn:"):]
            if label not in labels:
                labels.append(label)
        chapters.append([(label, texts[label]) for label in labels])
    return Expected(chapters, blocks)


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    deferred_footnotes: int = 0  # footnotes set on a page after their call's (PDF footnotes mode)

    def add(self, problem: str) -> None:
        if len(self.problems) < 50:
            self.problems.append(problem)


def _chapter_index(name: str) -> int | None:
    match = re.fullmatch(r"chapter-(\d+)\.xhtml", name)
    return int(match.group(1)) - 1 if match else None


def check_epub_notes(path: Path, expected: Expected, per_chapter: bool, report: Report) -> None:
    epub = Epub.open(path)
    ids = [(name, el.get("id")) for name, doc in epub.documents.items()
           for el in doc.iter() if el.get("id")]
    seen: set[str] = set()
    for _, id_ in ids:
        if id_ in seen:
            report.add(f"EPUB: id {id_} is used twice")
        seen.add(id_)
    refs = epub.find("//h:a[@epub:type='noteref']")
    notes = {(name, el.get("id")): el for name, el in epub.find("//h:li[@class='note']")}
    if len(notes) != expected.count:
        report.add(f"EPUB: {len(notes)} notes for {expected.count} distinct labels called")

    # Numbering in reading order, chapter by chapter, and the text of each note.
    first_calls: dict[int | None, list[tuple[str, tuple[str, str]]]] = {}
    targets_seen = set()
    for name, a in refs:
        target = epub.resolve(name, a.get("href", ""))
        if target not in notes:
            report.add(f"EPUB: call {a.get('id')} in {name} links to {target}, which is no note")
            continue
        if target not in targets_seen:
            targets_seen.add(target)
            first_calls.setdefault(_chapter_index(name), []).append((a.text or "", target))
    number = 0
    for index, chapter in enumerate(expected.chapters):
        calls = first_calls.get(index, [])
        if len(calls) != len(chapter):
            report.add(f"EPUB: chapter {index + 1} calls {len(calls)} notes, expected {len(chapter)}")
            continue
        pairs = zip(chapter, calls, strict=True)
        for position, ((label, text), (shown, target)) in enumerate(pairs, start=1):
            number = position if per_chapter else number + 1
            if shown != str(number):
                report.add(f"EPUB: note [^{label}] of chapter {index + 1} is numbered {shown}, "
                           f"expected {number}")
            li = notes[target]
            marker = li.find(".//h:span[@class='note-number']", NS)
            if marker is None or marker.text != f"{number}.":
                report.add(f"EPUB: note {target} does not show its number {number}")
            if squeeze(text) not in squeeze("".join(li.itertext())):
                report.add(f"EPUB: the text of note [^{label}] is not in {target}")

    # Every note links back to each call that links to it.
    calls_to: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for name, a in refs:
        calls_to.setdefault(epub.resolve(name, a.get("href", "")), set()).add((name, a.get("id")))
    for (name, id_), li in notes.items():
        back = {epub.resolve(name, a.get("href", ""))
                for a in li.iterfind(".//h:a[@role='doc-backlink']", NS)}
        if back != calls_to.get((name, id_), set()):
            report.add(f"EPUB: note {id_} links back to {sorted(back)}, called from "
                       f"{sorted(calls_to.get((name, id_), set()))}")


def _footnote_rule(page) -> float | None:
    """The top of the footnote area: the highest full-width rule with only small text below."""
    width = page.width - 34 * MM
    rules = sorted((obj["top"] for obj in page.lines + page.rects
                    if obj["width"] > 0.9 * width), key=float)
    for top in rules:
        below = [c for c in page.chars if c["top"] > top]
        if below and max(c["size"] for c in below) < 9.6:
            return top
    return None


def pdf_note_texts(path: Path, footnotes: bool) -> list[str]:
    """The squeezed text a reader sees where notes are set, page by page: the text block, or
    the footnotes."""
    if not footnotes:  # the text block, without the running head and the page number
        return [squeeze(text) for text in pdf_region_texts(path, 17 * MM, 19 * MM)]
    parts = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            top = _footnote_rule(page)
            if top is not None:
                region = page.crop((0, top, page.width, page.height - 19 * MM))
                parts.append(squeeze(region.extract_text() or ""))
            page.flush_cache()
    return parts


def shown(block: str, pages: list[str], text: str) -> bool:
    """Whether the squeezed ``block`` is on the pages (``text`` is them joined): whole, or cut
    by a page break, where what is drawn last on the first page (the words of an SVG figure)
    may come between its two parts."""
    if block in text:
        return True
    head = block[:20]
    for page, following in itertools.pairwise(pages):
        for found in re.finditer(f"(?={re.escape(head)})", page):  # overlapping too
            # The block runs on the page up to ``shared``; the next page may go on from there
            # (or from a little before, where the figure's words began like the block's).
            shared = len(os.path.commonprefix([page[found.start():], block]))  # noqa: RUF071 characters wanted
            if any(following.startswith(block[cut:]) for cut in range(shared, len(head) - 1, -1)):
                return True
    return False


def check_pdf_notes(path: Path, expected: Expected, footnotes: bool, report: Report) -> None:
    destinations = pdf_destinations(path)
    links = pdf_links(path)
    for page, dest in links:
        if dest not in destinations:
            report.add(f"PDF: a link on page {page + 1} goes to {dest}, which does not exist")
    notes = sorted((d for d in destinations if re.fullmatch(r"note-\d+", d)),
                   key=lambda d: int(d[5:]))
    if len(notes) != expected.count:
        report.add(f"PDF: {len(notes)} note destinations for {expected.count} labels called")
    linked = {dest for _, dest in links}
    link_pages: dict[str, list[int]] = {}
    for page, dest in links:
        link_pages.setdefault(dest, []).append(page)
    for note in notes:
        number = note[5:]
        if note not in linked:
            report.add(f"PDF: no call links to {note}")
        ref = f"noteref-{number}"
        if ref not in destinations:
            report.add(f"PDF: call {ref} has no destination")
        elif ref not in linked:
            report.add(f"PDF: {note} has no link back to its call")
        elif footnotes and destinations[note] < destinations[ref]:
            report.add(f"PDF: footnote {note} is on a page before its call")
        elif footnotes and destinations[note] > destinations[ref]:
            report.deferred_footnotes += 1
    pages = pdf_note_texts(path, footnotes)
    text = "".join(pages)
    # Block by block: the text of a figure (an SVG's words) may sit between two blocks.
    for index, chapter in enumerate(expected.chapters):
        for label, _ in chapter:
            if not all(shown(squeeze(block), pages, text)
                       for block in expected.blocks[index, label]):
                report.add(f"PDF: the text of note [^{label}] of chapter {index + 1} is missing")


def check_notes(manuscript: Path, epub: Path | None, pdf: Path | None, per_chapter: bool = False,
                footnotes: bool = False) -> Report:
    expected = expected_notes(manuscript)
    report = Report()
    if epub is not None:
        check_epub_notes(epub, expected, per_chapter, report)
    if pdf is not None:
        check_pdf_notes(pdf, expected, footnotes, report)
    return report
