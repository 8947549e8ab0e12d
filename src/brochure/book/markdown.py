"""Parse stage: each chapter's Markdown -> a sanitised XHTML tree with its notes set apart.

Python-Markdown's footnotes extension does the note syntax. Around it, brochure records what
the extension silently lets pass (undefined references, duplicate labels), marks the elements
the extension made so that raw HTML in the manuscript cannot impersonate them, and sanitises
the HTML with nh3 before anything else reads it.
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape as html_escape

import lxml.html
import markdown
import nh3
from lxml import etree
from markdown.extensions.footnotes import FootnoteExtension, FootnoteInlineProcessor
from markdown.treeprocessors import Treeprocessor

from brochure.book.audit import audit, first_line
from brochure.core import memo
from brochure.core.diagnostics import BrochureError, Location, Report, error
from brochure.core.model import Asset, SourceText
from brochure.core.sandbox import Bound, Limits, Running, start_bounded, usable_cores
from brochure.core.xhtml import XHTML_NS, local_name, q
from brochure.manuscript.resolver import Resolver, media_type

MAX_NESTING = 100  # elements inside each other
MARK = "data-brochure"  # attribute carrying the per-run nonce on genuine note elements
_DEFINITION_RE = re.compile(r"^[ ]{0,3}\[\^([^\]]*)\]:", re.MULTILINE)
_NOT_XML_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CHAR_REF_RE = re.compile(r"&#(?:([0-9]+)|[xX]([0-9a-fA-F]+));")
_FENCE_RE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul", "var",
}
URL_SCHEMES = {"http", "https", "mailto"}
ALLOWED_ATTRIBUTES = {
    "*": {"lang", "title", "dir"},
    "a": {"href", "class", MARK},
    "abbr": {"title"},
    "div": {"class", MARK},
    "img": {"src", "alt", "width", "height"},
    "li": {MARK},
    "ol": {"start"},
    "q": {"cite"},
    "sup": {MARK},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
}


@dataclass
class ParsedChapter:
    """One chapter after Markdown: its blocks, and its notes still keyed by their labels."""

    source: SourceText
    body: etree._Element  # XHTML <div> holding the chapter's blocks
    references: list[tuple[etree._Element, str]]  # (<sup> of each reference, label), in order
    definitions: dict[str, list[etree._Element]]  # label -> blocks of the note text
    definition_lines: dict[str, int]
    assets: list[Asset] = field(default_factory=list)


class _RecordingInlineProcessor(FootnoteInlineProcessor):
    def handleMatch(self, m, data):
        label = m.group(1)
        if label not in self.footnotes.footnotes:
            self.footnotes.undefined.append(label)
        return super().handleMatch(m, data)


class _MarkGenuineNotes(Treeprocessor):
    """Stamp the elements the footnotes extension made (raw HTML is not in the tree yet)."""

    def __init__(self, md: markdown.Markdown, nonce: str):
        super().__init__(md)
        self.nonce = nonce

    def run(self, root):
        for el in root.iter():
            cls = el.get("class")
            if el.tag == "a" and cls == "footnote-ref":
                el.set(MARK, self.nonce + el.get("href", "")[len("#fn-"):])
            elif el.tag == "div" and cls == "footnote":
                el.set(MARK, self.nonce)
                for ol in el.findall("ol"):  # the notes; lists inside a note are its text
                    for li in ol.findall("li"):
                        li.set(MARK, self.nonce + li.get("id", "")[len("fn-"):])


class _Footnotes(FootnoteExtension):
    """The footnotes extension, recording undefined references and duplicate definitions."""

    def __init__(self, nonce: str):
        super().__init__(SEPARATOR="-", BACKLINK_TEXT="", USE_DEFINITION_ORDER=False)
        self.nonce = nonce

    def reset(self) -> None:
        super().reset()
        self.undefined: list[str] = []
        self.duplicates: list[str] = []

    def setFootnote(self, id: str, text: str) -> None:
        if id in self.footnotes:
            self.duplicates.append(id)
        super().setFootnote(id, text)

    def unique_ref(self, reference: str, found: bool = False) -> str:
        # The extension counts up from 1 for every repeated call of a note (quadratic: a note
        # called 10,000 times took minutes). These ids never reach the output; keep them unique.
        if not found:
            return reference
        count = self.found_refs.get(reference, 0) + 1
        self.found_refs[reference] = count
        unique = reference if count == 1 else f"{reference}-{count}"
        self.used_refs.add(unique)
        return unique

    def extendMarkdown(self, md):
        super().extendMarkdown(md)
        md.inlinePatterns.register(_RecordingInlineProcessor(r"\[\^([^\]]*)\]", self), "footnote", 175)
        md.treeprocessors.register(_MarkGenuineNotes(md, self.nonce), "brochure-notes", 12)


def source_lines(source: SourceText) -> list[tuple[int, str]]:
    """(file line number, text) of each line outside fenced code blocks."""
    lines, fence = [], None
    for number, line in enumerate(source.text.split("\n"), start=source.first_line):
        match = _FENCE_RE.match(line)
        if fence is None and match:
            fence = match.group(1)[0]
        elif fence is not None and match and match.group(1)[0] == fence:
            fence = None
        elif fence is None:
            lines.append((number, line))
    return lines


def _definition_lines(source: SourceText) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for number, line in source_lines(source):
        match = _DEFINITION_RE.match(line)
        if match:
            found.setdefault(match.group(1), []).append(number)
    return found


def _first_line_with(source: SourceText, needle: str, skip_definitions: bool = True) -> int | None:
    for number, line in source_lines(source):
        if skip_definitions and _DEFINITION_RE.match(line) and line.lstrip().startswith(needle):
            line = line.lstrip()[len(needle):]
        if needle in line:
            return number
    return None


def _depth(root: etree._Element) -> int:
    deepest, stack = 0, [(root, 0)]
    while stack:
        el, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in el)
    return deepest


def _reference_line(source: SourceText, code: int) -> int | None:
    """The line of the first character reference (&#27; &#x1b;) to ``code``."""
    for number, line in source_lines(source):
        for match in _CHAR_REF_RE.finditer(line):
            value = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
            if value == code:
                return number
    return None


def _sanitise(html: str, location: Location | None = None,
              source: SourceText | None = None) -> etree._Element:
    """nh3-clean HTML -> an XHTML <div> (well-formed, in the XHTML namespace)."""
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        filter_style_properties={"text-align"},
    )
    bad = _NOT_XML_RE.search(clean)
    if bad:  # written as a character reference: the file itself was checked when read
        code = ord(bad.group())
        line = _reference_line(source, code) if source else None
        raise error(f"character reference to U+{code:04X}, a character XHTML cannot hold",
                    Location(location.path, line) if location and line else location,
                    "delete the reference")
    fragment = lxml.html.fragment_fromstring(clean or "", create_parent="div")
    if _depth(fragment) > MAX_NESTING:
        # Readers and the PDF renderer recurse through the tree; no real text nests this deep.
        raise error(f"the text is nested more than {MAX_NESTING} levels deep "
                    "(block quotes, lists or HTML elements inside each other)", location,
                    "flatten the nesting of block quotes and lists")
    inner = html_escape(fragment.text or "", quote=False) + "".join(
        etree.tostring(child, method="xml", encoding="unicode") for child in fragment
    )
    return etree.fromstring(f'<div xmlns="{XHTML_NS}">{inner}</div>')


def _note_blocks(li: etree._Element) -> list[etree._Element]:
    """The blocks of a footnote <li>, without the extension's back link and its no-break space."""
    for link in li.findall(f".//{q('a')}[@class='footnote-backref']"):
        parent = link.getparent()
        previous = link.getprevious()
        if previous is not None:
            previous.tail = ((previous.tail or "") + (link.tail or "")).rstrip("\u00a0 ")
        else:
            parent.text = ((parent.text or "") + (link.tail or "")).rstrip("\u00a0 ")
        parent.remove(link)
    blocks = list(li)
    if blocks and local_name(blocks[-1]) == "p" and len(blocks[-1]) == 0 \
            and not (blocks[-1].text or "").strip():
        blocks.pop()
    if li.text and li.text.strip():  # loose text, as in a one-line note without <p>
        para = etree.Element(q("p"))
        para.text = li.text.strip()
        blocks.insert(0, para)
    return blocks


def _collect_images(body: etree._Element, source: SourceText, resolver: Resolver,
                    report: Report) -> list[Asset]:
    assets = []
    for img in body.iter(q("img")):
        src = img.get("src", "")
        location = Location(source.path, _first_line_with(source, src, False))
        try:
            path = resolver.reference(src, source.path, location)
            data = resolver.read(path, location)
            href = "images/" + path.relative_to(resolver.roots[0]).as_posix()
            assets.append(Asset(href, data, media_type(href, data, location), path))
            img.set("src", href)
        except BrochureError as exc:
            report.diagnostics.extend(exc.diagnostics)
        if img.get("alt") is None:
            img.set("alt", "")
    return assets


@dataclass(frozen=True)
class _Converted:
    """What Python-Markdown made of a chapter (picklable: it comes back from a child process)."""

    html: str
    undefined: tuple[str, ...]
    duplicates: tuple[str, ...]
    referenced: frozenset[str]
    defined: tuple[str, ...]
    raw_html: tuple[str, ...]  # the raw HTML fragments the manuscript itself wrote


def _convert(text: str, nonce: str) -> _Converted:
    footnotes = _Footnotes(nonce)
    md = markdown.Markdown(extensions=[footnotes, "tables", "sane_lists"], output_format="html")
    html = md.convert(text)
    return _Converted(html, tuple(footnotes.undefined), tuple(footnotes.duplicates),
                      frozenset(footnotes.footnote_order), tuple(footnotes.footnotes),
                      tuple(str(block) for block in md.htmlStash.rawHtmlBlocks))


def _report_removals(source: SourceText, converted: _Converted, report: Report) -> None:
    """Tell the author what the sanitiser will take out (it does so silently)."""
    lines = source_lines(source)
    found = [(first_line(lines, removal.needle), removal) for removal in audit(
        converted.raw_html, converted.html, ALLOWED_TAGS, ALLOWED_ATTRIBUTES, URL_SCHEMES)]
    for line, removal in sorted(found, key=lambda item: item[0] or 0):
        location = Location(source.path, line)
        hint = removal.hint or ("brochure keeps the text of raw HTML but not scripts, styles, "
                                "frames or embedded objects; style the book in its stylesheet")
        if removal.level == "error":
            report.error(f"{removal.what} is not read", location, hint)
        else:
            report.warn(f"removed {removal.what}", location, hint)


def _to_bytes(nonce: str, converted: _Converted) -> bytes:
    fields = dataclasses.asdict(converted)
    fields["referenced"] = sorted(converted.referenced)
    return json.dumps({"nonce": nonce, **fields}).encode()


def _from_bytes(data: bytes) -> tuple[str, _Converted]:
    fields = json.loads(data)
    nonce = fields.pop("nonce")
    return nonce, _Converted(fields["html"], tuple(fields["undefined"]),
                             tuple(fields["duplicates"]), frozenset(fields["referenced"]),
                             tuple(fields["defined"]), tuple(fields["raw_html"]))


def _convert_all(sources: Sequence[SourceText], bound: Bound,
                 cores: int | None = None) -> list[tuple[str, _Converted]]:
    """Each chapter's Markdown as HTML, with the nonce its note elements carry: from an earlier
    build when the text is the same (see memo.py), else converted in bounded child processes,
    as many at once as there are cores (``cores``, else every one this process may use)."""
    keys = [source.text.encode("utf-8", "surrogatepass") for source in sources]
    results: list[tuple[str, _Converted] | None] = []
    for key in keys:
        stored = memo.lookup("markdown", key)
        results.append(_from_bytes(stored) if stored is not None else None)
    todo = iter([index for index, result in enumerate(results) if result is None])
    running: deque[tuple[int, str, Running[_Converted]]] = deque()

    def start_next() -> None:
        index = next(todo, None)
        if index is not None:
            source, nonce = sources[index], secrets.token_hex(8)
            running.append((index, nonce, start_bounded(
                _convert, (source.text, nonce), bound,
                f"reading the Markdown of '{source.path.name}'",
                Location(source.path, source.first_line))))

    try:
        for _ in range(cores or usable_cores()):
            start_next()
        while running:  # in reading order: the first chapter that fails is the one reported
            index, nonce, job = running.popleft()
            converted = nonce, job.result()
            results[index] = converted
            memo.store("markdown", keys[index], _to_bytes(*converted))
            start_next()
    finally:
        for _, _, job in running:
            job.stop()
    return [result for result in results if result is not None]


def parse_chapter(source: SourceText, resolver: Resolver, report: Report,
                  limits: Limits | None = None) -> ParsedChapter:
    """Markdown -> XHTML, with note references and definitions found and checked."""
    return parse_chapters([source], resolver, report, limits)[0]


def parse_chapters(sources: Sequence[SourceText], resolver: Resolver, report: Report,
                   limits: Limits | None = None, cores: int | None = None) -> list[ParsedChapter]:
    """``parse_chapter`` of each source, their Markdown converted side by side (on at most
    ``cores`` cores)."""
    converted = _convert_all(sources, (limits or Limits()).markdown, cores)
    return [_parsed(source, nonce, conversion, resolver, report)
            for source, (nonce, conversion) in zip(sources, converted, strict=True)]


def _parsed(source: SourceText, nonce: str, converted: _Converted, resolver: Resolver,
            report: Report) -> ParsedChapter:
    html = converted.html
    _report_removals(source, converted, report)

    definition_lines = _definition_lines(source)
    for label in dict.fromkeys(converted.undefined):
        line = _first_line_with(source, f"[^{label}]")
        report.error(f"note [^{label}] is referenced but never defined",
                     Location(source.path, line),
                     f"add a definition '[^{label}]: text of the note' to this file")
    for label in dict.fromkeys(converted.duplicates):
        lines = definition_lines.get(label, [])
        where = " and ".join(str(n) for n in lines) or "?"
        report.error(f"note [^{label}] is defined more than once (lines {where})",
                     Location(source.path, lines[-1] if lines else None),
                     "give each note its own label")
    for label in converted.defined:
        if label not in converted.referenced:
            first = definition_lines.get(label, [])
            report.warn(f"note [^{label}] is defined but never referenced; it is left out",
                        Location(source.path, first[0] if first else None))

    body = _sanitise(html, Location(source.path, source.first_line), source)
    # Images of the notes too: the note texts are still inside the body here.
    assets = _collect_images(body, source, resolver, report)
    definitions: dict[str, list[etree._Element]] = {}
    for div in body.findall(f"{q('div')}[@{MARK}='{nonce}']"):
        for li in div.findall(f"{q('ol')}/{q('li')}"):
            mark = li.get(MARK, "")
            if mark.startswith(nonce):
                definitions[mark[len(nonce):]] = _note_blocks(li)
        body.remove(div)
    references = []
    for link in body.iter(q("a")):
        mark = link.get(MARK, "")
        sup = link.getparent()
        if mark.startswith(nonce) and sup is not None and local_name(sup) == "sup":
            references.append((sup, mark[len(nonce):]))
    for root in (body, *(block for blocks in definitions.values() for block in blocks)):
        for el in root.iter():  # the marks never leave this module, wherever they stood
            if MARK in el.attrib:
                del el.attrib[MARK]
    first_lines = {label: numbers[0] for label, numbers in definition_lines.items()}
    return ParsedChapter(source, body, references, definitions, first_lines, assets)
