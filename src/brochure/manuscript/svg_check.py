"""An SVG is refused if it runs code or reaches outside itself.

A renderer given an SVG fetches whatever it names: ``href`` and ``xlink:href`` on any
element (``<image>``, ``<use>``, ``<feImage>``), ``src`` on XHTML inside ``<foreignObject>``,
``url()`` in presentation attributes, ``style`` attributes and ``<style>`` sheets (and every
other way CSS names a URL, see :mod:`brochure.manuscript.css_urls`), ``<?xml-stylesheet?>``
instructions, animations that set a link. Only references to the image itself pass: a
``#fragment``, or a ``data:`` URL whose content is a picture or font brochure recognises, or
SVG that passes this same check (a few levels deep at most: an SVG inside a ``data:`` URL
can hold a ``<script>`` as well as any file).

The XML is parsed by defusedxml with DTDs and entities forbidden, as a stream: no tree is
built, and elements nested deeper than a renderer follows stop the parse at once.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import NamedTuple
from urllib.parse import unquote_to_bytes
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from brochure.manuscript.css_urls import css_problems, css_references

MAX_DEPTH = 256  # libxml2 refuses deeper documents; WeasyPrint silently drops them past ~900
MAX_DATA_URL = 2 * 1024 * 1024  # characters of one data: URL
MAX_DATA_NESTING = 3  # SVG in a data: URL in an SVG in a data: URL...

# Attributes whose value is a URL, on any element in any namespace (XHTML in foreignObject).
_URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "poster", "data", "background", "cite", "longdesc",
    "lowsrc", "dynsrc", "codebase", "classid", "archive", "usemap", "profile", "manifest", "ping",
    "icon", "itemtype",
}
_LIST_ATTRIBUTES = {"srcset", "imagesrcset", "srcdoc"}  # URL lists and whole documents
_CODE_ELEMENTS = {"script", "handler", "listener"}  # SVG Tiny's handler and listener run script
_EMBEDDING_ELEMENTS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "meta", "base"}
_ANIMATIONS = {"animate", "set", "animatemotion", "animatetransform", "animatecolor", "discard"}
_ANIMATED_VALUES = ("to", "from", "by", "values")
_CSS_FORMS = {"url": "url()", "src": "src()", "image-set": "image-set()", "image": "image()",
              "@font-face": "@font-face url()", "target": "target-counter()"}

# Content a data: URL may hold without being checked as SVG: their first bytes can never
# begin an XML document, so no renderer reads them as one.
_OPAQUE_SIGNATURES = (
    b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF", b"BM", b"II*\x00",
    b"MM\x00*", b"\x00\x00\x01\x00",  # PNG, JPEG, GIF, WebP, BMP, TIFF, ICO
    b"wOFF", b"wOF2", b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf",  # fonts
)
_BASE64_SPACE = re.compile(rb"[\t\n\f\r ]")
_BASE64 = re.compile(rb"[A-Za-z0-9+/]*")
_URL_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_LINK_ATTRIBUTES = _URL_ATTRIBUTES | _LIST_ATTRIBUTES


class SvgProblem(NamedTuple):
    message: str
    line: int | None


def check_svg(data: bytes) -> list[SvgProblem]:
    """What keeps this SVG from being used; empty if it is only a picture."""
    return _check(data, 0)


class _TooDeep(Exception):
    pass


def _check(data: bytes, nesting: int) -> list[SvgProblem]:
    walker = _Walker(nesting)
    parser = DefusedXMLParser(target=walker, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    walker.expat = parser.parser
    parser.parser.buffer_text = False  # text arrives where it starts: <style> lines are exact
    try:
        parser.feed(data)
        parser.close()
    except _TooDeep:
        walker.problem(f"nests elements more than {MAX_DEPTH} deep, which renderers drop")
    except DefusedXmlException:
        walker.problem("declares a DTD or entities, which brochure does not read")
    except ParseError as exc:
        walker.problems.append(SvgProblem(f"is not well-formed XML: {exc}", exc.position[0]))
    return walker.problems


def _local(name: str) -> str:
    """``{namespace}local`` or ``prefix:local`` → ``local``, lowercase."""
    return name.rpartition("}")[2].rpartition(":")[2].lower()


class _Walker:
    """The parser's target: each element is checked as it starts; nothing is kept."""

    def __init__(self, nesting: int) -> None:
        self.nesting = nesting  # how many data: URLs this SVG is inside
        self.expat = None
        self.problems: list[SvgProblem] = []
        self.depth = 0
        self.style: list[str] | None = None  # the text of the <style> being read
        self.style_depth = 0
        self.style_line = 0

    def line(self) -> int | None:
        return self.expat.CurrentLineNumber if self.expat else None

    def problem(self, message: str, line: int | None = None) -> None:
        self.problems.append(SvgProblem(message, line if line is not None else self.line()))

    # -- parser callbacks --

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep
        if self.style is not None:
            self.problem("has a <style> with elements inside it")
        name = _local(tag)
        self._element(name)
        for key, value in attrib.items():
            self._attribute(name, _local(key), value, attrib)
        if name == "style":
            self.style, self.style_depth, self.style_line = [], self.depth, 0

    def end(self, tag: str) -> None:
        if self.style is not None and self.depth == self.style_depth:
            text, self.style = "".join(self.style), None
            self._css(text, self.style_line or self.line(), "<style>")
        self.depth -= 1

    def data(self, text: str) -> None:
        if self.style is not None and self.depth == self.style_depth:
            if not self.style:
                self.style_line = self.line() or 0
            self.style.append(text)

    def pi(self, target: str, text: str) -> None:
        if target.lower() == "xml-stylesheet":
            self.problem("has an <?xml-stylesheet?> instruction, which loads a stylesheet")

    # -- checks --

    def _element(self, name: str) -> None:
        if name in _CODE_ELEMENTS:
            self.problem(f"contains a <{name}>, which runs code")
        elif name in _EMBEDDING_ELEMENTS:
            self.problem(f"contains an <{name}>, which loads or embeds other content")

    def _attribute(self, element: str, name: str, value: str, attrib: dict[str, str]) -> None:
        if name.startswith("on"):
            self.problem(f"has an event handler attribute '{name}', which runs code")
        elif name in _URL_ATTRIBUTES:
            self._url(value, f"'{name}'")
        elif name in _LIST_ATTRIBUTES:
            self.problem(f"has a '{name}' attribute, which brochure does not read in SVG")
        elif name == "attributename" and element in _ANIMATIONS and _local(value.strip()) in _LINK_ATTRIBUTES:
            for key in _ANIMATED_VALUES:  # an animation that sets a link sets it to these
                for part in attrib.get(key, "").split(";"):
                    if part.strip():
                        self._url(part, f"an animation of '{_local(value)}'")
        elif name == "style" or "(" in value:  # presentation attributes are CSS: fill="url(…)"
            self._css(value, self.line(), f"'{name}'")

    def _css(self, css: str, first_line: int | None, where: str) -> None:
        """A stylesheet or a CSS value: it may name only the image itself."""
        def line_of(css_line: int) -> int | None:
            return None if first_line is None else first_line + css_line - 1
        for issue in css_problems(css):
            self.problem(f"has CSS that cannot be checked ({where}): {issue.message}", line_of(issue.line))
        for ref in css_references(css):
            if ref.context == "@import":
                self.problem(f"imports the stylesheet '{ref.url[:80]}' ({where})", line_of(ref.line))
            else:
                self._url(ref.url, f"{_CSS_FORMS.get(ref.context, ref.context)} in {where}",
                          line_of(ref.line))

    def _url(self, url: str, where: str, line: int | None = None) -> None:
        # as a URL parser reads it: tabs and newlines removed, controls and spaces trimmed
        url = _URL_TAB_NEWLINE.sub("", url).strip(_C0_AND_SPACE)
        if url.startswith("#"):
            return
        if url[:5].lower() != "data:":
            self.problem(f"refers to '{url[:80]}' outside the image ({where})", line)
            return
        for phrase in _data_url_problems(url, self.nesting):
            self.problem(f"has {phrase} ({where})", line)


def _data_url_problems(url: str, nesting: int) -> list[str]:
    """A data: URL is bounded in size, and holds a picture, a font, or SVG that passes."""
    if len(url) > MAX_DATA_URL:
        return [f"a data: URL of {len(url) // 1024} KiB, more than the {MAX_DATA_URL // 1024} KiB "
                "brochure reads"]
    header, comma, payload = url[5:].partition(",")
    if not comma:
        return ["a data: URL without ',' before its content"]
    params = [p.strip().lower() for p in header.split(";")]
    if "base64" in params[1:-1]:
        return ["a data: URL where 'base64' is not the last parameter, which readers read differently"]
    content = unquote_to_bytes(payload.partition("#")[0])  # a URL's fragment is not its content
    if len(params) > 1 and params[-1] == "base64":
        decoded = _forgiving_base64(content)
        if decoded is None:
            return ["a data: URL that is not valid base64"]
        content = decoded
    if content.startswith(_OPAQUE_SIGNATURES) or content[4:8] == b"ftyp":  # ISO media: AVIF, HEIF
        return []
    if nesting + 1 > MAX_DATA_NESTING:
        return [f"a data: URL holding SVG more than {MAX_DATA_NESTING} data: URLs deep"]
    return [f"a data: URL whose SVG {p.message}" for p in _check(content, nesting + 1)]


def _forgiving_base64(data: bytes) -> bytes | None:
    """Base64 as browsers decode data: URLs (WHATWG forgiving-base64), or None."""
    data = _BASE64_SPACE.sub(b"", data)
    if len(data) % 4 == 0 and data.endswith(b"="):
        data = data[:-2] if data.endswith(b"==") else data[:-1]
    if len(data) % 4 == 1 or _BASE64.fullmatch(data) is None:
        return None
    try:
        return base64.b64decode(data + b"=" * (-len(data) % 4), validate=True)
    except binascii.Error:
        return None
