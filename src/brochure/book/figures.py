"""Figures: an image alone in its paragraph becomes ``<figure>`` with its caption; labelled
figures are numbered through the book and ``@fig:label`` refers to them.

The syntax (docs/manuscript.md):

    ![A map of the city](map.png "The city in 1871")    caption from the title, or
    ![A map of the city](map.png){#fig:map}              a label, and on the next line
    : The city in 1871, after the siege.                 the caption (inline Markdown kept)

    As @fig:map shows, ...                               -> "As Figure 2 shows"
    ![""](ornament.png)                                  a decorative image: no alt text

An image without alt text is a warning at its line, unless it is marked decorative.
Python-Markdown leaves ``{#fig:...}`` and the ``: caption`` line as text after the image;
this module reads them from the tree, so no Markdown extension (nor raw HTML) is involved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from lxml import etree

from brochure.book.lines import source_lines
from brochure.core.diagnostics import Location, Report
from brochure.core.model import Note, SourceText
from brochure.core.xhtml import element, local_name, q

DECORATIVE_ALT = '""'  # ![""](ornament.png): an image that says nothing
FIGURE_CLASS = "figure"
ORNAMENT_CLASS = "ornament"  # a paragraph holding a decorative image alone
_LABEL = r"fig:([A-Za-z0-9_-]+)"
_LEADING_LABEL = re.compile(r"^\s*\{#" + _LABEL + r"\}")
_TRAILING_LABEL = re.compile(r"\s*\{#" + _LABEL + r"\}\s*$")
_CAPTION_START = re.compile(r"^\s*\n?:[ \t]+")
REFERENCE = re.compile(r"(?<![\w@])@" + _LABEL)  # @fig:label, in the text
FIGURE_LABEL = re.compile(r"\{#" + _LABEL + r"\}")  # {#fig:label}, after an image
_NOT_SCANNED = {"code", "pre", "a", "kbd", "samp"}
_BLOCKS = {"p", "li", "td", "th", "dd", "dt", "figcaption", "blockquote", "h1", "h2", "h3", "h4",
           "h5", "h6"}
_WORDS = {  # (in a caption, in the text)
    "en": ("Figure", "Figure"), "fr": ("Figure", "figure"), "de": ("Abbildung", "Abbildung"),
    "es": ("Figura", "figura"), "it": ("Figura", "figura"),
}
LABEL_ATTRIBUTE = "data-figure-label"  # carried from the parse to the numbering, then removed


def figure_id(label: str) -> str:
    return f"fig-{label}"


def make_figures(body: etree._Element, source: SourceText, report: Report) -> None:
    """Lone images -> figures with captions; alt texts checked (warnings at their lines).
    Runs on the chapter as Markdown made it, before image paths are rewritten."""
    lines = source_lines(source)
    seen: dict[str, int] = {}
    for img in list(body.iter(q("img"))):
        src = img.get("src", "")
        found = [number for number, text in lines if src and src in text]
        seen[src] = seen.get(src, 0) + 1  # the second image of a file is on its second line
        line = found[min(seen[src], len(found)) - 1] if found else None
        alt = " ".join((img.get("alt") or "").split())
        img.set("alt", alt)
        parent = img.getparent()
        alone = parent is not None and local_name(parent) == "p" and _alone(parent, img)
        if alt == DECORATIVE_ALT:
            img.set("alt", "")
            img.set("role", "presentation")
            if alone and not (img.tail or "").strip():
                parent.set("class", ORNAMENT_CLASS)
            continue
        if not (alt or "").strip():
            report.warn(f"image '{src}' has no alt text", Location(source.path, line),
                        f"describe it for readers who cannot see it: ![What it shows]({src}); "
                        f"mark a decorative image with ![\"\"]({src})")
        if alone:
            _figure(parent, img)


def _alone(paragraph: etree._Element, img: etree._Element) -> bool:
    """Whether ``img`` is all the paragraph holds, but for a label and a ': caption' after it."""
    if (paragraph.text or "").strip() or paragraph[0] is not img:
        return False
    rest = _LEADING_LABEL.sub("", img.tail or "", count=1)
    if _CAPTION_START.match(rest):
        return True
    return len(paragraph) == 1 and not rest.strip()


def _figure(paragraph: etree._Element, img: etree._Element) -> None:
    tail = img.tail or ""
    label = _LEADING_LABEL.match(tail)
    tail = tail[label.end():] if label else tail
    img.tail = None
    figure = element("figure", {"class": FIGURE_CLASS})
    caption = element("figcaption")
    title = img.attrib.pop("title", None)
    start = _CAPTION_START.match(tail)
    if start:  # the ': caption' line, with whatever inline markup follows it
        caption.text = tail[start.end():]
        caption.extend(list(paragraph)[1:])
    elif title:
        caption.text = title
    name = label.group(1) if label else _trailing_label(caption)
    if name:
        figure.set(LABEL_ATTRIBUTE, name)
    figure.append(img)
    if caption.text or len(caption) or name:
        figure.append(caption)
    figure.tail = paragraph.tail
    paragraph.getparent().replace(paragraph, figure)


def _trailing_label(caption: etree._Element) -> str | None:
    """A label at the end of the caption (``: The city. {#fig:map}``), taken out of it."""
    last = caption[-1] if len(caption) else None
    text = (last.tail if last is not None else caption.text) or ""
    match = _TRAILING_LABEL.search(text)
    if not match:
        return None
    if last is not None:
        last.tail = text[:match.start()]
    else:
        caption.text = text[:match.start()]
    return match.group(1)


def number_figures(chapters: Sequence[tuple[SourceText, etree._Element]], notes: Sequence[Note],
                   lang: str, report: Report) -> None:
    """Number the labelled figures in reading order, and turn every ``@fig:label`` into a
    link that reads "Figure N" (in the book's language). Errors: a label given twice, a
    reference to no figure."""
    caption_word, text_word = _WORDS.get(lang.split("-")[0].lower(), _WORDS["en"])
    numbers: dict[str, int] = {}
    for source, body in chapters:
        for figure in body.iter(q("figure")):
            name = figure.attrib.pop(LABEL_ATTRIBUTE, None)
            if name is None:
                continue
            if name in numbers:
                report.error(f"figure label 'fig:{name}' is given twice",
                             _line_of(source, "{#fig:" + name + "}", last=True),
                             "give each figure its own label")
                continue
            numbers[name] = len(numbers) + 1
            figure.set("id", figure_id(name))
            caption = figure.find(q("figcaption"))
            assert caption is not None
            number = element("span", {"class": "figure-number"},
                             f"{caption_word}\u00a0{numbers[name]}.")
            rest = caption.text or ""
            number.tail = " " + rest.lstrip() if rest.strip() or len(caption) else None
            caption.text = None
            caption.insert(0, number)
    for source, body in chapters:
        roots = [body, *(b for note in notes if note.location.path == source.path
                         for b in note.blocks)]
        for root in roots:
            for name in _link_references(root, numbers, text_word):
                report.error(f"@fig:{name} refers to no figure",
                             _line_of(source, f"@fig:{name}"),
                             f"label the figure: ![...](image.png){{#fig:{name}}}")


def _line_of(source: SourceText, needle: str, last: bool = False) -> Location:
    found = [number for number, text in source_lines(source) if needle in text]
    return Location(source.path, (found[-1] if last else found[0]) if found else None)


def _text_slots(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """(element, "text" or "tail") of every text outside code and links, in document order."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        inside = any(local_name(a) in _NOT_SCANNED for a in (el, *el.iterancestors()))
        if not inside and el.text:
            yield el, "text"
        outside = not any(local_name(a) in _NOT_SCANNED for a in el.iterancestors())
        if el is not root and outside and el.tail:
            yield el, "tail"


def _starts_sentence(before: str, el: etree._Element, slot: str) -> bool:
    """Whether a reference after ``before`` opens a sentence (and its word takes a capital)."""
    stripped = before.rstrip()
    if stripped:
        return stripped[-1] in ".!?…"
    return slot == "text" and local_name(el) in _BLOCKS


def _link_references(root: etree._Element, numbers: dict[str, int], word: str) -> list[str]:
    """Replace each @fig:label by its link; return the labels that name no figure."""
    unknown = []
    for el, slot in list(_text_slots(root)):
        text = getattr(el, slot)
        if "@fig:" not in text:
            continue
        pieces = REFERENCE.split(text)  # text, label, text, label, ..., text
        if len(pieces) == 1:
            continue
        links = []
        for index in range(1, len(pieces), 2):
            name = pieces[index]
            if name not in numbers:
                unknown.append(name)
                pieces[index - 1] += f"@fig:{name}"
                continue
            opens = _starts_sentence(pieces[index - 1], el, slot if index == 1 else "inside")
            shown = word[:1].upper() + word[1:] if opens else word
            link = element("a", {"href": f"#{figure_id(name)}", "class": "figure-ref"},
                           f"{shown}\u00a0{numbers[name]}")
            link.tail = ""
            links.append((index, link))
        _write(el, slot, pieces, links)
    return unknown


def _write(el: etree._Element, slot: str, pieces: list[str],
           links: list[tuple[int, etree._Element]]) -> None:
    """Put the pieces of a split text back, with the links between them."""
    texts = [pieces[0]]
    for index in range(1, len(pieces), 2):
        if any(i == index for i, _ in links):
            texts.append(pieces[index + 1])
        else:
            texts[-1] += pieces[index + 1]
    if slot == "text":
        el.text = texts[0]
        for offset, (_, link) in enumerate(links):
            link.tail = texts[offset + 1]
            el.insert(offset, link)
    else:
        el.tail = texts[0]
        parent = el.getparent()
        position = parent.index(el)
        for offset, (_, link) in enumerate(links):
            link.tail = texts[offset + 1]
            parent.insert(position + 1 + offset, link)
