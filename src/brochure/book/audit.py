"""What the sanitiser is about to remove from a chapter, so that the author hears about it.

nh3 removes silently. Before it runs, this audit reads the raw HTML the manuscript wrote
(Python-Markdown keeps those fragments apart) and the links Markdown made, and lists each
element, attribute or link that will not survive, once per kind, at the first line that
shows it. Text is kept by the sanitiser except inside the few elements named here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from brochure.manuscript.images import MAX_DATA_URL

URL_ATTRIBUTES = {"href", "src", "cite"}
# Elements whose content goes with them: code, or markup the sanitiser cannot keep.
CONTENT_DROPPED = {"script", "style", "svg", "math", "template", "noembed", "noframes"}
SAFE_STYLE_PROPERTIES = {"text-align"}
# Raw HTML whose end an HTML parser looks for as far as it must: left open, it takes the rest of
# the chapter (and its notes) with it. The pattern of each opening, and of what closes it.
SWALLOWING = (
    ("an HTML comment '<!--'", re.compile(r"<!--"), re.compile(r"-->|--!>"), "-->"),
    ("a CDATA section '<![CDATA['", re.compile(r"<!\[CDATA\[", re.IGNORECASE), re.compile(r"\]\]>"),
     "]]>"),
    ("a '<!' declaration", re.compile(r"<!(?!--)"), re.compile(r">"), ">"),
    ("a '<?' processing instruction", re.compile(r"<\?"), re.compile(r">"), ">"),
    *((f"a <{tag}> element", re.compile(rf"<{tag}(?=[\s/>])", re.IGNORECASE),
       re.compile(rf"</{tag}\s*>", re.IGNORECASE), f"</{tag}>")
      for tag in ("script", "style", "template", "textarea", "title", "xmp", "iframe",
                  "noembed", "noframes", "noscript")),
    ("a <plaintext> element", re.compile(r"<plaintext(?=[\s/>])", re.IGNORECASE),
     re.compile(r"(?!)"), None),
)


@dataclass(frozen=True)
class Removal:
    what: str  # "<script> element and its content", "attribute 'onclick' of <p>", ...
    needle: str  # text to look for in the source, to give a line
    level: str = "warning"
    hint: str | None = None
    message: str | None = None  # the whole message of an error, if not "<what> is not read"


class _Audit(HTMLParser):
    def __init__(self, tags: set[str], attributes: dict[str, set[str]], schemes: set[str],
                 check_markup: bool):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes, self.schemes = tags, attributes, schemes
        self.check_markup = check_markup
        self.found: list[Removal] = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_starttag(self, tag, attrs):
        if self.check_markup and tag not in self.tags:
            if tag in CONTENT_DROPPED:
                self.found.append(Removal(f"<{tag}> element and its content", f"<{tag}"))
            else:
                self.found.append(Removal(f"<{tag}> element (its text is kept)", f"<{tag}"))
            return
        allowed = self.attributes.get(tag, set()) | self.attributes.get("*", set())
        for name, value in attrs:
            value = value or ""
            if name in URL_ATTRIBUTES and name in allowed:
                self._check_url(tag, name, value)
            elif not self.check_markup or name.startswith("data-brochure"):
                continue
            elif name not in allowed:
                self.found.append(Removal(f"attribute '{name}' of <{tag}>", f"{name}="))
            elif name == "style":
                properties = {p.split(":")[0].strip().lower() for p in value.split(";") if p.strip()}
                for prop in sorted(properties - SAFE_STYLE_PROPERTIES):
                    self.found.append(Removal(f"style property '{prop}' of <{tag}>", prop))

    def _check_url(self, tag: str, name: str, value: str) -> None:
        scheme = urlsplit(value.strip()).scheme.lower()
        if tag == "img" and scheme == "data":
            size = f" of {len(value) // 1024} KiB" if len(value) > MAX_DATA_URL else ""
            self.found.append(Removal(
                f"embedded data: image{size}", value[:40], "error",
                "save the image as a file beside the chapter and refer to it by its name"))
        elif tag == "img" and scheme and scheme not in ("http", "https"):
            # The sanitiser would empty it; remote images are refused where they are fetched.
            written = shown(value.strip()[:60])
            self.found.append(Removal(
                f"image '{written}'", value[:40], "error",
                "copy the image into the manuscript folder and refer to it by a relative path",
                message=f"image '{written}' is not a file of the project: only relative paths "
                        "are read"))
        elif scheme and scheme not in self.schemes and tag != "img":
            self.found.append(Removal(f"link to '{shown(value[:60])}' ({scheme}: links are "
                                      "removed)", value[:40]))


def shown(text: str) -> str:
    """``text`` as a message shows it: control characters (a tab in java&#x09;script:) escaped."""
    return "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 or 0x7f <= ord(c) < 0xa0 else c
                   for c in text)


def audit(raw_fragments: Iterable[str], html: str, tags: set[str],
          attributes: dict[str, set[str]], schemes: set[str]) -> list[Removal]:
    """Removals in the manuscript's raw HTML (markup) and in all links of ``html`` (schemes),
    and raw HTML left open that would take the rest of the chapter with it."""
    raw = "".join(raw_fragments)
    found: list[Removal] = list(unclosed(raw))
    for text, markup in ((raw, True), (html, False)):
        parser = _Audit(tags, attributes, schemes, markup)
        try:
            parser.feed(text)
            parser.close()
        except (AssertionError, ValueError, IndexError) as exc:
            # Python's parser gives up on some markup (<![foo[x]]>) where browsers make a
            # comment of it: the input's fault, shown where it stands.
            line, column = parser.getpos()
            near = text.split("\n")[line - 1][column:column + 30]
            found.append(Removal("raw HTML", near.strip() or near, "error",
                                 "remove it, or write it as text with &lt;",
                                 message=f"raw HTML that cannot be read: {exc}"))
        found.extend(parser.found)
    return list(dict.fromkeys(found))


def unclosed(raw: str) -> Iterable[Removal]:
    """The first opening in the raw HTML that nothing after it closes (see ``SWALLOWING``),
    read in order: what a comment or a script holds opens nothing."""
    position = 0
    while True:
        found = [(match.start(), match.end(), what, closing, close)
                 for what, opening, closing, close in SWALLOWING
                 if (match := opening.search(raw, position)) is not None]
        if not found:
            return
        start, after, what, closing, close = min(found, key=lambda item: item[0])
        end = closing.search(raw, after)
        if end is None:
            needle = raw[start:start + 20].split("\n")[0]
            yield Removal(what, needle, "error", f"close it with {close}" if close else "remove it",
                          message=f"{what} is never closed: it would hide the rest of the chapter")
            return
        position = end.end()


def first_line(lines: list[tuple[int, str]], needle: str) -> int | None:
    """The first of ``lines`` ((number, text) pairs) holding ``needle``, ignoring case."""
    needle = needle.lower()
    found = next((number for number, text in lines if needle in text.lower()), None)
    if found is None and "&" in "".join(text for _, text in lines):
        # The needle may be text that the source writes with character references.
        found = next((number for number, text in lines if needle in html.unescape(text).lower()),
                     None)
    return found
