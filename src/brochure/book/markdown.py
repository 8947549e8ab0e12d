"""Parse stage: each chapter's Markdown -> a sanitised XHTML tree with its notes set apart.

Python-Markdown's footnotes extension does the note syntax. Around it, brochure records what
the extension silently lets pass (undefined references, duplicate labels), marks the elements
the extension made so that raw HTML in the manuscript cannot impersonate them, and sanitises
the HTML with nh3 before anything else reads it.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import secrets
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape as html_escape

import lxml.html
import markdown
import nh3
from lxml import etree
from markdown.extensions.footnotes import FootnoteExtension, FootnoteInlineProcessor
from markdown.treeprocessors import Treeprocessor

from brochure.book.audit import audit, first_line
from brochure.book.figures import make_figures
from brochure.book.lines import source_lines
from brochure.core import memo, progress
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
_HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)

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
    # label -> the calls inside that note's own text (a note may call another), in order
    note_references: dict[str, list[tuple[etree._Element, str]]] = field(default_factory=dict)


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
    try:
        return etree.fromstring(f'<div xmlns="{XHTML_NS}">{inner}</div>')
    except etree.XMLSyntaxError as exc:  # what the sanitiser let through, XML refuses
        raise error(f"the HTML of this chapter cannot be made XHTML ({exc})", location,
                    "look for unusual raw HTML, and simplify it") from None


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


def remove_keeping_tail(el: etree._Element) -> None:
    """Take ``el`` out of its parent, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    previous = el.getprevious()
    if el.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _collect_images(body: etree._Element, source: SourceText, resolver: Resolver,
                    report: Report, refused: bool) -> list[Asset]:
    """The image files of a chapter, read through the resolver; ``refused``: the audit refused
    an image already (its empty ``src`` is not reported twice)."""
    assets = []
    for img in list(body.iter(q("img"))):
        src = img.get("src", "")
        if not src.strip():  # none written, or one the audit refused (it said where)
            remove_keeping_tail(img)
            if not refused:
                report.error("an image without a file", Location(source.path, _first_line_with(
                    source, "]()", False) or _first_line_with(source, "<img", False)),
                    "name the image file: ![description](file.png)")
            continue
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
    try:
        html = md.convert(text)
    except (RecursionError, MemoryError):
        raise  # the sandbox names these bounds
    except Exception as exc:  # Python-Markdown gave up on this text: the input's fault
        raise error(f"Python-Markdown cannot read this chapter ({type(exc).__name__}: "
                    f"{str(exc)[:100]})", hint="look for unusual markup, and simplify it"
                    ) from None
    return _Converted(html, tuple(footnotes.undefined), tuple(footnotes.duplicates),
                      frozenset(footnotes.footnote_order), tuple(footnotes.footnotes),
                      tuple(str(block) for block in md.htmlStash.rawHtmlBlocks))


def _report_removals(source: SourceText, converted: _Converted, report: Report) -> bool:
    """Tell the author what the sanitiser will take out (it does so silently); return whether
    an image was refused."""
    lines = source_lines(source)
    found = [(first_line(lines, removal.needle), removal) for removal in audit(
        converted.raw_html, converted.html, ALLOWED_TAGS, ALLOWED_ATTRIBUTES, URL_SCHEMES)]
    for line, removal in sorted(found, key=lambda item: item[0] or 0):
        location = Location(source.path, line)
        hint = removal.hint or ("brochure keeps the text of raw HTML but not scripts, styles, "
                                "frames or embedded objects; style the book in its stylesheet")
        if removal.level == "error":
            report.error(removal.message or f"{removal.what} is not read", location, hint)
        else:
            report.warn(f"removed {removal.what}", location, hint)
    return any(removal.level == "error" and removal.what.startswith("image")
               for _, removal in found)


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
    done = sum(result is not None for result in results)
    progress.tell("chapters", done=done, total=len(sources))
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
            try:
                converted = nonce, job.result()
            except BrochureError as exc:  # said without a place in the child: the chapter's
                where = Location(sources[index].path, sources[index].first_line)
                raise BrochureError([d if d.location else dataclasses.replace(d, location=where)
                                     for d in exc.diagnostics]) from None
            results[index] = converted
            memo.store("markdown", keys[index], _to_bytes(*converted))
            done += 1
            progress.tell("chapters", done=done, total=len(sources))
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


def _calls(root: etree._Element, nonce: str) -> list[tuple[etree._Element, str]]:
    """(<sup>, label) of each genuine note call under ``root``, in reading order."""
    found = []
    for link in root.iter(q("a")):
        mark = link.get(MARK, "")
        if mark.startswith(nonce) and _genuine(link):
            found.append((link.getparent(), mark[len(nonce):]))
    return found


def _genuine(link: etree._Element) -> bool:
    """Whether a call's link stands as Python-Markdown made it: alone in its <sup>, in no other
    link (raw HTML left open around a call gets it moved or wrapped by the HTML parser)."""
    sup = link.getparent()
    return (sup is not None and local_name(sup) == "sup" and len(sup) == 1
            and not (sup.text or "").strip() and not (link.tail or "").strip()
            and not any(local_name(up) == "a" for up in sup.iterancestors()))


def _misplaced_calls(root: etree._Element, nonce: str) -> list[str]:
    """The labels of the calls that raw HTML left open around them has moved or wrapped (see
    ``_genuine``): numbered, they would lose their place or their link."""
    return [link.get(MARK, "")[len(nonce):] for link in root.iter(q("a"))
            if link.get(MARK, "").startswith(nonce) and not _genuine(link)]


def reached_labels(references: Sequence[tuple[etree._Element, str]],
                   note_references: dict[str, list[tuple[etree._Element, str]]],
                   defined: Iterable[str]) -> list[str]:
    """The labels of the notes a reader reaches, in the order they are numbered.

    Block by block (paragraph, list, table... of the chapter): the notes the block calls, in
    the order of their first call, then the notes those notes call, and so on; then the next
    block. It is the order of the notes at the foot of the page too, where a note called from
    a note is set at the end of the block that calls the first (render/notes.py). A note
    called only from a note nobody calls is not reached."""
    defined = set(defined)
    order: list[str] = []
    for _, calls in itertools.groupby(references, key=lambda call: _top_block(call[0])):
        queue = deque(label for _, label in calls)
        while queue:
            label = queue.popleft()
            if label in defined and label not in order:
                order.append(label)
                queue.extend(called for _, called in note_references.get(label, ()))
    return order


def _top_block(el: etree._Element) -> etree._Element:
    """The block of the chapter that holds ``el`` (a child of the chapter's root)."""
    while (parent := el.getparent()) is not None and parent.getparent() is not None:
        el = parent
    return el


def _report_unreached(source: SourceText, converted: _Converted,
                      references: list[tuple[etree._Element, str]],
                      note_references: dict[str, list[tuple[etree._Element, str]]],
                      definition_lines: dict[str, list[int]], report: Report) -> None:
    """Every note call that cannot work is an error at its line (one inside raw HTML stays
    literal text, one in an image's description vanishes); a note no call reaches is left
    out with a warning."""
    raw = _HTML_COMMENT_RE.sub("", "".join(converted.raw_html))
    reached = set(reached_labels(references, note_references, converted.defined))
    standing = {label for _, label in references} | {
        label for calls in note_references.values() for _, label in calls}
    for label in converted.defined:
        call = f"[^{label}]"
        if call in raw:
            report.error(f"note {call} is called inside raw HTML, where Markdown is not read",
                         Location(source.path, _first_line_with(source, call)),
                         "write the call in Markdown, outside the HTML block")
        elif label in reached:
            continue
        elif label in converted.referenced and label not in standing:
            report.error(f"note {call} is called where a call cannot stand",
                         Location(source.path, _first_line_with(source, call)),
                         "call notes from the text, a heading, a list, a table or another "
                         "note; not from an image's description or a link's address")
        else:
            first = definition_lines.get(label, [])
            report.warn(f"note {call} is defined but never referenced; it is left out",
                        Location(source.path, first[0] if first else None))


def _parsed(source: SourceText, nonce: str, converted: _Converted, resolver: Resolver,
            report: Report) -> ParsedChapter:
    html = converted.html
    refused_images = _report_removals(source, converted, report)

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

    # The notes are sanitised apart from the text: an element the text leaves open (an <a>
    # without </a>) would otherwise be carried by the HTML parser into every note.
    chapter_start = Location(source.path, source.first_line)
    split = html.rfind(f'<div class="footnote" {MARK}="{nonce}">')
    body = _sanitise(html[:split] if split >= 0 else html, chapter_start, source)
    notes = _sanitise(html[split:], chapter_start, source) if split >= 0 else None
    make_figures(body, source, report)
    if notes is not None:
        make_figures(notes, source, report)
    assets = [*_collect_images(body, source, resolver, report, refused_images),
              *(_collect_images(notes, source, resolver, report, refused_images)
                if notes is not None else ())]
    definitions: dict[str, list[etree._Element]] = {}
    for div in notes.iter(q("div")) if notes is not None else ():
        if div.get(MARK) == nonce:
            for li in div.findall(f"{q('ol')}/{q('li')}"):
                mark = li.get(MARK, "")
                if mark.startswith(nonce):
                    definitions[mark[len(nonce):]] = _note_blocks(li)
    references = _calls(body, nonce)
    note_references = {label: [call for block in blocks for call in _calls(block, nonce)]
                       for label, blocks in definitions.items()}
    _report_unreached(source, converted, references, note_references, definition_lines, report)
    roots = (body, *(block for blocks in definitions.values() for block in blocks))
    for label in dict.fromkeys(label for root in roots for label in _misplaced_calls(root, nonce)):
        call = f"[^{label}]"
        report.error(f"note {call} is called inside raw HTML left open (a <sup>, a link...), "
                     "where a call cannot stand", Location(source.path, _first_line_with(source, call)),
                     "close the HTML element before the call")
    for root in roots:
        for el in root.iter():  # the marks never leave this module, wherever they stood
            if MARK in el.attrib:
                del el.attrib[MARK]
    first_lines = {label: numbers[0] for label, numbers in definition_lines.items()}
    return ParsedChapter(source, body, references, definitions, first_lines, assets,
                         note_references)
