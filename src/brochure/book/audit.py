"""What the sanitiser is about to remove from a chapter, so that the author hears about it.

nh3 removes silently. Before it runs, this audit reads the raw HTML the manuscript wrote
(Python-Markdown keeps those fragments apart) and the links Markdown made, and lists each
element, attribute or link that will not survive, once per kind, at the first line that
shows it. Text is kept by the sanitiser except inside the few elements named here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from brochure.manuscript.images import MAX_DATA_URL

URL_ATTRIBUTES = {"href", "src", "cite"}
# Elements whose content goes with them: code, or markup the sanitiser cannot keep.
CONTENT_DROPPED = {"script", "style", "svg", "math", "template", "noembed", "noframes"}
SAFE_STYLE_PROPERTIES = {"text-align"}


@dataclass(frozen=True)
class Removal:
    what: str  # "<script> element and its content", "attribute 'onclick' of <p>", ...
    needle: str  # text to look for in the source, to give a line
    level: str = "warning"
    hint: str | None = None


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
        elif scheme and scheme not in self.schemes and tag != "img":
            self.found.append(Removal(f"link to '{value[:60]}' ({scheme}: links are removed)",
                                      value[:40]))


def audit(raw_fragments: Iterable[str], html: str, tags: set[str],
          attributes: dict[str, set[str]], schemes: set[str]) -> list[Removal]:
    """Removals in the manuscript's raw HTML (markup) and in all links of ``html`` (schemes)."""
    found: list[Removal] = []
    for text, markup in (("".join(raw_fragments), True), (html, False)):
        parser = _Audit(tags, attributes, schemes, markup)
        parser.feed(text)
        parser.close()
        found.extend(parser.found)
    return list(dict.fromkeys(found))


def first_line(lines: list[tuple[int, str]], needle: str) -> int | None:
    """The first of ``lines`` ((number, text) pairs) holding ``needle``, ignoring case."""
    needle = needle.lower()
    return next((number for number, text in lines if needle in text.lower()), None)
