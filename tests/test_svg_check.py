"""check_svg refuses an SVG that runs code or reaches outside itself, however it is nested."""

from __future__ import annotations

import base64
import time
from urllib.parse import quote

import pytest

from brochure.manuscript.svg_check import MAX_DATA_NESTING, MAX_DATA_URL, MAX_DEPTH, check_svg

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
       'width="10" height="10">{}</svg>')
XHTML = 'xmlns="http://www.w3.org/1999/xhtml"'
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")


def svg(inner: str) -> bytes:
    return SVG.format(inner).encode()


def data_url(content: bytes, kind: str = "image/svg+xml", encoding: str = "base64") -> str:
    if encoding == "base64":
        return f"data:{kind};base64,{base64.b64encode(content).decode()}"
    return f"data:{kind},{quote(content.decode(), safe='')}"


def messages(data: bytes) -> list[str]:
    return [problem.message for problem in check_svg(data)]


# -- refused, by name ------------------------------------------------------------------------

REFUSED = {
    "script": (svg("<script>alert(1)</script>"), "contains a <script>"),
    "script in XHTML": (svg(f"<foreignObject><script {XHTML}>x()</script></foreignObject>"), "<script>"),
    "SVG Tiny handler": (svg('<handler type="application/ecmascript">x()</handler>'), "<handler>"),
    "event handler": (svg('<rect onload="x()"/>'), "'onload'"),
    "event handler deep inside": (svg('<g><g><text onclick="x()">t</text></g></g>'), "'onclick'"),
    "remote image href": (svg('<image href="http://127.0.0.1:9/i.png"/>'), "outside the image ('href')"),
    "remote xlink:href": (svg('<use xlink:href="https://x/s.svg#a"/>'), "'https://x/s.svg#a'"),
    "feImage": (svg('<filter><feImage href="http://x/f.png"/></filter>'), "outside"),
    "file next to the SVG": (svg('<image href="picture.png"/>'), "'picture.png'"),
    "javascript: link": (svg('<a href="javascript:x()"><text>t</text></a>'), "javascript:"),
    "href hidden by tabs and spaces": (svg('<image href=" &#9;http://x/i.png "/>'), "'http://x/i.png'"),
    "XHTML img in foreignObject": (
        svg(f'<foreignObject><div {XHTML}><img src="http://x/i.png"/></div></foreignObject>'),
        "outside the image ('src')"),
    "XHTML srcset": (svg(f'<foreignObject><img {XHTML} srcset="http://x/i.png 1x"/></foreignObject>'),
                     "'srcset'"),
    "XHTML iframe": (svg(f'<foreignObject><iframe {XHTML} srcdoc="&lt;b&gt;"/></foreignObject>'),
                     "<iframe>"),
    "XHTML object": (svg(f'<foreignObject><object {XHTML} data="http://x/o"/></foreignObject>'), "'data'"),
    "XHTML meta refresh": (
        svg(f'<foreignObject><meta {XHTML} http-equiv="refresh" content="0;url=http://x"/></foreignObject>'),
        "<meta>"),
    "XHTML stylesheet link": (
        svg(f'<foreignObject><link {XHTML} rel="stylesheet" href="http://x/s.css"/></foreignObject>'),
        "outside"),
    "XHTML form": (svg(f'<foreignObject><form {XHTML} action="http://x/f"/></foreignObject>'), "'action'"),
    "xml-stylesheet, remote": (b'<?xml-stylesheet href="http://x/s.css"?>' + svg(""), "xml-stylesheet"),
    "xml-stylesheet, local": (b'<?xml-stylesheet type="text/css" href="#s"?>' + svg(""), "xml-stylesheet"),
    "<style> @import string": (svg('<style>@import "http://127.0.0.1:9/t.css";</style>'), "imports"),
    "<style> @import url": (svg("<style>@import url(s.css);</style>"), "imports"),
    "<style> @import of a data: URL": (svg('<style>@import url("data:text/css,a{}");</style>'), "imports"),
    "<style> url()": (svg("<style>rect { fill: url(http://x/p.svg#g) }</style>"), "url() in <style>"),
    "<style> escaped url": (svg(r"<style>rect { fill: u\72l(http://x/p.svg#g) }</style>"), "outside"),
    "<style> image-set string": (svg('<style>rect { fill: image-set("http://x/1.png" 1x) }</style>'),
                                 "image-set() in <style>"),
    "<style> in CDATA": (svg("<style><![CDATA[ a { b: url(http://x) } ]]></style>"), "outside"),
    "<style> with var() in image-set": (
        svg("<style>:root{--u:'http://x'} rect{fill:image-set(var(--u) 1x)}</style>"), "var()"),
    "<style> with an element inside": (svg("<style>a{}<x/>b{}</style>"), "elements inside"),
    "style attribute": (svg('<rect style="fill: url(\'http://x/p.svg#g\')"/>'), "'style'"),
    "presentation attribute": (svg('<rect fill="url(http://x/p.svg#g)"/>'), "url() in 'fill'"),
    "mask, filter, clip-path": (svg('<g mask="url(m.svg#m)" filter="url(#ok)"/>'), "'m.svg#m'"),
    "escaped url in an attribute": (svg(r'<rect fill="\75 rl(http://x)"/>'), "outside"),
    "animation sets a link": (svg('<a href="#a"><set attributeName="xlink:href" to="http://x"/></a>'),
                              "an animation of 'href'"),
    "animation values list": (
        svg('<image href="#a"><animate attributeName="href" values="#a;http://x/i.png"/></image>'),
        "'http://x/i.png'"),
    "DOCTYPE": (b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">' + svg(""), "DTD"),
    "entities": (b'<!DOCTYPE s [<!ENTITY a "aaaa">]><svg>&a;</svg>', "DTD or entities"),
    "external entity": (b'<!DOCTYPE s [<!ENTITY a SYSTEM "file:///etc/passwd">]><svg>&a;</svg>', "DTD"),
    "not XML": (b"<svg><g></svg>", "not well-formed"),
    "not SVG at all": (PNG, "not well-formed"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_refused(name: str) -> None:
    data, fragment = REFUSED[name]
    found = messages(data)
    assert any(fragment in message for message in found), found


# -- SVG inside data: URLs -------------------------------------------------------------------

SCRIPTED = svg("<script>alert(1)</script>")
CIRCLE = '<circle r="1"/>'
REMOTE = svg('<image href="http://127.0.0.1:9/i.png"/>')

NESTED = {
    "href, base64": (svg(f'<image href="{data_url(SCRIPTED)}"/>'), "whose SVG contains a <script>"),
    "href, percent-encoded": (svg(f'<image href="{data_url(SCRIPTED, encoding="percent")}"/>'),
                              "whose SVG contains a <script>"),
    "xlink:href on use": (svg(f'<use xlink:href="{data_url(SCRIPTED)}#a"/>'), "<script>"),
    "CSS url() in a style attribute": (svg(f"<rect style=\"fill: url('{data_url(SCRIPTED)}')\"/>"),
                                       "(url() in 'style')"),
    "CSS url() in <style>": (svg(f"<style>a {{ fill: url({data_url(REMOTE)}) }}</style>"),
                             "whose SVG refers to 'http://127.0.0.1:9/i.png'"),
    "image-set string in <style>": (svg(f'<style>a {{ b: image-set("{data_url(SCRIPTED)}" 1x) }}</style>'),
                                    "<script>"),
    "labelled PNG, holding SVG": (svg(f'<image href="{data_url(SCRIPTED, "image/png")}"/>'), "<script>"),
    "labelled text, holding SVG": (svg(f'<image href="{data_url(SCRIPTED, "text/plain", "percent")}"/>'),
                                   "<script>"),
    "XHTML img in foreignObject": (
        svg(f'<foreignObject><img {XHTML} src="{data_url(REMOTE)}"/></foreignObject>'), "outside"),
    "not a picture, not XML": (svg('<image href="data:text/plain,hello"/>'), "not well-formed"),
    "fragment cut off the content": (
        svg('<image href="data:image/svg+xml,<svg xmlns=\'http://www.w3.org/2000/svg\'><script>#'
            '</script></svg>"/>'), "not well-formed"),
    "no comma": (svg('<image href="data:image/png;base64"/>'), "without ','"),
    "bad base64": (svg('<image href="data:image/png;base64,iVBOR*w0"/>'), "not valid base64"),
    "base64 not last": (svg('<image href="data:image/svg+xml;base64;charset=utf-8,PHN2Zy8+"/>'),
                        "'base64' is not the last"),
    "too large": (svg(f'<image href="data:image/png;base64,{"A" * (MAX_DATA_URL + 1)}"/>'), "KiB"),
    "DOCTYPE inside": (svg(f'<image href="{data_url(b"<!DOCTYPE svg><svg/>")}"/>'), "whose SVG declares"),
}


@pytest.mark.parametrize("name", NESTED)
def test_nested_data_url_refused(name: str) -> None:
    data, fragment = NESTED[name]
    found = messages(data)
    assert any(fragment in message for message in found), found


@pytest.mark.parametrize("levels", range(1, MAX_DATA_NESTING + 1))
@pytest.mark.parametrize("encoding", ["base64", "percent"])
def test_script_found_at_every_level(levels: int, encoding: str) -> None:
    data = SCRIPTED
    for _ in range(levels):
        data = svg(f'<image href="{data_url(data, encoding=encoding)}"/>')
    found = messages(data)
    assert len(found) == 1
    assert found[0].startswith("has a data: URL whose SVG " * levels + "contains a <script>")


def test_data_urls_nested_too_deep_are_refused() -> None:
    data = svg('<rect fill="red"/>')
    for _ in range(MAX_DATA_NESTING + 1):
        data = svg(f'<image href="{data_url(data)}"/>')
    assert any(f"more than {MAX_DATA_NESTING} data: URLs deep" in m for m in messages(data))


# -- what passes -----------------------------------------------------------------------------

ALLOWED = {
    "shapes and gradients": svg('<defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>'
                                '<rect fill="url(#g)" transform="translate(1, 2) rotate(3)"/>'),
    "use and xlink:href to a fragment": svg('<use href="#a"/><use xlink:href=" #b "/>'),
    "style sheet with local references": svg("<style>rect { fill: url(#g); mask: url('#m') }</style>"),
    "style attribute with local references": svg('<rect style="filter: url(#f); fill: red"/>'),
    "embedded PNG": svg(f'<image href="{data_url(PNG, "image/png")}"/>'),
    "embedded clean SVG": svg(f'<image href="{data_url(svg(CIRCLE))}"/>'),
    "embedded font": svg("<style>@font-face { font-family: F; src: url(data:font/woff2;base64,d09GMgABAAAA) }"
                         "</style>"),
    "@namespace in a style sheet": svg('<style>@namespace svg url(http://www.w3.org/2000/svg);</style>'),
    "other processing instructions": b'<?xpacket begin="" id="W5M0"?>' + svg("<!-- comment -->"),
    "XML declaration": b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>' + svg(""),
    "metadata": svg('<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                    '<rdf:Description rdf:about=""/></rdf:RDF></metadata>'),
    "animation of a colour": svg('<rect><animate attributeName="fill" values="red;blue" dur="1s"/></rect>'),
    "animation between fragments": svg('<use href="#a"><set attributeName="href" to="#b"/></use>'),
    "XHTML text in foreignObject": svg(f'<foreignObject><p {XHTML} style="color: red">t</p></foreignObject>'),
    "nested as deep as allowed": svg("<g>" * (MAX_DEPTH - 1) + "</g>" * (MAX_DEPTH - 1)),
}


@pytest.mark.parametrize("name", ALLOWED)
def test_allowed(name: str) -> None:
    assert check_svg(ALLOWED[name]) == []


# -- lines, and pathological input -----------------------------------------------------------


def test_problems_carry_their_line() -> None:
    data = svg('\n<rect/>\n<image href="http://x/i.png"/>\n<style>\n\na { b: url(http://y) }</style>')
    assert [(p.line, p.message.split("'")[1]) for p in check_svg(data)] == [
        (3, "http://x/i.png"), (6, "http://y")]


def test_deep_nesting_is_refused_quickly() -> None:
    data = svg("<g>" * 5_000 + "</g>" * 5_000)
    start = time.process_time()
    found = messages(data)
    assert time.process_time() - start < 0.1
    assert found == [f"nests elements more than {MAX_DEPTH} deep, which renderers drop"]


def test_many_elements_are_quick() -> None:
    data = svg('<rect x="1" y="2" fill="url(#g)" transform="scale(2)"/>' * 5_000)
    start = time.process_time()
    assert check_svg(data) == []
    assert time.process_time() - start < 0.5
