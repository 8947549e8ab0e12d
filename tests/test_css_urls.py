"""css_references finds every URL a stylesheet names, however it is spelled."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import tinycss2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brochure.manuscript import css_urls
from brochure.manuscript.css_urls import MAX_NESTING, MAX_WORK, css_problems, css_references


def found(css: str) -> list[tuple[str, str]]:
    return [(ref.url, ref.context) for ref in css_references(css)]


def problems(css: str) -> list[str]:
    return [problem.message for problem in css_problems(css)]


# -- every form, by name ---------------------------------------------------------------------

FORMS = {
    "url token": ("a { background: url(http://x/a.png) }", [("http://x/a.png", "url")]),
    "url() with a double-quoted string": ('a { b: url("http://x/a") }', [("http://x/a", "url")]),
    "url() with a single-quoted string": ("a { b: url( 'http://x/a' ) }", [("http://x/a", "url")]),
    "URL in capitals": ("a { b: URL(http://x/a) }", [("http://x/a", "url")]),
    "hex escape in url": (r"a { b: u\72l(http://x/a) }", [("http://x/a", "url")]),
    "hex escape with its space": (r"a { b: \75 rl(http://x/a) }", [("http://x/a", "url")]),
    "zero-padded escape": (r"a { b: \000055\000052L('http://x/a') }", [("http://x/a", "url")]),
    "letter escape": (r"a { b: \u\r\l(http://x/a) }", [("http://x/a", "url")]),
    "escapes inside the URL": (r"a { b: url(http\:\/\/x\2f a) }", [("http://x/a", "url")]),
    "escapes inside the string": (r'a { b: url("http\3a//x/a") }', [("http://x/a", "url")]),
    "url at end of file": ("a { b: url(http://x/a", [("http://x/a", "url")]),
    "@import string": ('@import "http://127.0.0.1:9/t.css";', [("http://127.0.0.1:9/t.css", "@import")]),
    "@import single-quoted": ("@import 'http://x/t.css' print;", [("http://x/t.css", "@import")]),
    "@import url token": ("@import url(http://x/t.css) screen;", [("http://x/t.css", "@import")]),
    "@import url() with layer and supports": (
        '@import url("http://x/t.css") layer(base) supports(display: grid) print;',
        [("http://x/t.css", "@import")]),
    "@import in capitals": ('@IMPORT "http://x/t.css";', [("http://x/t.css", "@import")]),
    "@import escaped": (r'@\69mport "http://x/t.css";', [("http://x/t.css", "@import")]),
    "@import after <!--": ('<!-- @import "http://x/t.css"; -->', [("http://x/t.css", "@import")]),
    "@import inside a block (ignored by browsers, reported anyway)": (
        '@media print { @import "http://x/t.css"; }', [("http://x/t.css", "@import")]),
    "image-set string": ('a { b: image-set("http://x/1.png" 1x, "http://x/2.png" 2x) }',
                         [("http://x/1.png", "image-set"), ("http://x/2.png", "image-set")]),
    "image-set with type()": ('a { b: image-set("http://x/a.avif" type("image/avif")) }',
                              [("http://x/a.avif", "image-set")]),
    "-webkit-image-set string": ("a { b: -webkit-image-set('http://x/a.png' 1x) }",
                                 [("http://x/a.png", "image-set")]),
    "image-set with url()": ("a { b: image-set(url(http://x/a.png) 1x) }", [("http://x/a.png", "url")]),
    "image() string": ('a { b: image(ltr "http://x/a.png#xywh=0,0,9,9", red) }',
                       [("http://x/a.png#xywh=0,0,9,9", "image")]),
    "src() string": ('a { b: src("http://x/a.png") }', [("http://x/a.png", "src")]),
    "target-counter string": ('a::after { content: target-counter("#n1", page) }', [("#n1", "target")]),
    "@font-face src": ('@font-face { font-family: X; src: local("X"), url(http://x/f.woff) format("woff") }',
                       [("http://x/f.woff", "@font-face")]),
    "@font-face src url() string": ("@font-face { src: url('http://x/f.woff2') }",
                                    [("http://x/f.woff2", "@font-face")]),
    "@page and its margin boxes": (
        "@page { background: url(p.png); @top-center { content: url(t.png) } }",
        [("p.png", "url"), ("t.png", "url")]),
    "@media, @supports, @layer, @container": (
        "@media print { @supports (x: y) { @layer l { @container (width > 1px) { a { b: url(d.png) } } } } }",
        [("d.png", "url")]),
    "CSS nesting": ("a { color: red; & b { c: url(n1.png); d { e: url(n2.png) } } }",
                    [("n1.png", "url"), ("n2.png", "url")]),
    "custom property": ("a { --bg: url(http://x/v.png); }", [("http://x/v.png", "url")]),
    "url in a selector prelude (invalid, reported anyway)": ("a:url(http://x) {}", [("http://x", "url")]),
    "@counter-style symbols": ("@counter-style s { symbols: url(s.png); }", [("s.png", "url")]),
    "@namespace is not a reference": (
        '@namespace svg url(http://www.w3.org/2000/svg); @namespace "http://x"; a { b: url(c.png) }',
        [("c.png", "url")]),
    "comments and strings that mention url()": ('/* url(http://x) */ a { content: "url(http://x)" }', []),
    "local() and format() are not URLs": ('@font-face { src: local("a.woff") format("woff") }', []),
    "a dimension, hash or at-keyword before (": ("a { b: 1url(x) #url(y) @url(z) }", []),
    "a unicode range before url(": ("a { b: U+1url(r) }", [("r", "url")]),
    "-url( is another function": ("a { b: -url(x) --url(y) }", []),
    "url( with a comment before (": ("a { b: url/**/(x) }", []),
    "url ( with a space before (": ("a { b: url (x) }", []),
    "strings elsewhere are not URLs": ('a { content: "http://x"; quotes: "a" "b" }', []),
    "only url()'s first string": ('a { b: url("a.png" "b.png") }', [("a.png", "url")]),
    "string after a significant token in src()": ('a { b: src(x "a.png") }', []),
}


@pytest.mark.parametrize("name", FORMS)
def test_form(name: str) -> None:
    css, expected = FORMS[name]
    assert found(css) == expected
    assert problems(css) == []


PROBLEMS = {
    "var() in image-set": (":root { --u: 'http://x' } p { b: image-set(var(--u) 1x) }", "var()"),
    "env() in image()": ("p { b: image(env(x)) }", "env()"),
    "var() in src()": ("p { b: src(var(--u)) }", "var()"),
    "a custom function in image-set": ("p { b: image-set(--f() 1x) }", "--f()"),
    "attr() with the url type": ("a { background-image: attr(href url) }", "attr()"),
    "attr() with type(<url>)": ("a { background-image: attr(data-x type(<url>)) }", "attr()"),
    "attr() inside image-set": ("a { b: image-set(attr(src) 1x) }", "attr()"),
    "bad url": ("a { b: url(http://x/a b) }", "url()"),
    "quote in an unquoted url": ('a { b: url(http://x/"a) }', "url()"),
    "unclosed @import string": ('@import "http://x/t.css\n;', "not closed"),
    "unclosed image-set string": ('a { b: image-set("http://x\n) }', "not closed"),
}


@pytest.mark.parametrize("name", PROBLEMS)
def test_problem(name: str) -> None:
    css, fragment = PROBLEMS[name]
    assert any(fragment in message for message in problems(css)), problems(css)


def test_target_counter_may_take_attr_url() -> None:
    css = 'a::after { content: target-counter(attr(href url), page) " " target-text(attr(href url)) }'
    assert problems(css) == []
    assert found(css) == []


def test_the_default_stylesheet_names_only_its_fonts() -> None:
    css = (Path(__file__).resolve().parents[1] / "styles" / "brochure.css").read_text(encoding="utf-8")
    assert css_problems(css) == []
    assert {context for _, context in found(css)} == {"@font-face"}


def test_attr_without_url_type_is_fine() -> None:
    assert problems('a::after { content: " (" attr(href) ")"; string-set: t attr(data-url) }') == []


def test_lines_and_columns() -> None:
    css = 'a {\r\n  b: url(one.png);\n}\n@media x {\n\tc: image-set( "two.png" 1x) }\n@import "three.css";'
    refs = css_references(css)
    assert [(r.url, r.line, r.column) for r in refs] == [
        ("one.png", 2, 6), ("two.png", 5, 16), ("three.css", 6, 9)]


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    css = "a {" * 5_000 + " b: url(deep.png) " + "}" * 5_000
    assert found(css) == [("deep.png", "url")]
    assert problems(css) == [f"blocks and functions nested more than {MAX_NESTING} deep"]
    tinycss2_would_recurse = "(" * 10_000
    assert problems(tinycss2_would_recurse)[0].startswith("blocks and functions nested")


def test_too_much_to_check_is_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(css_urls, "MAX_WORK", 1_000)
    css = "a{}" * 501 + "b { c: url(late.png) }"
    assert problems(css) == ["more than 1,000 blocks, functions and URLs to check"]
    assert MAX_WORK >= 40_000  # a megabyte of ordinary CSS fits


def test_a_megabyte_is_quick() -> None:
    rules = ("h1.c > p:hover, .d[lang|=en] { color: #fff; margin: 0 1em 2px 3px !important }\n" * 4
             + '@media print { .e::before { content: "\\201C"; background: url(img/a.png) } }\n')
    css = rules * (1_000_000 // len(rules))
    start = time.process_time()
    assert len(css_references(css)) == 1_000_000 // len(rules)
    assert problems(css) == []
    assert time.process_time() - start < 1.0


@pytest.mark.parametrize("css", ["(" * 1_000_000, "u\\72l(x)" * 100_000, '"' * 1_000_000],
                         ids=["parens", "escaped url(", "quotes"])
def test_pathological_megabytes_are_quick(css: str) -> None:
    start = time.process_time()
    css_references(css)
    css_problems(css)
    assert time.process_time() - start < 1.0


# -- the same answer as tinycss2's own tree --------------------------------------------------


def _significant(nodes: list) -> list:
    return [n for n in nodes if n.type not in ("whitespace", "comment")]


def _tree_references(css: str) -> list[tuple[str, int, int, str]]:
    """The rules of css_urls, applied to tinycss2's component-value tree (small inputs only)."""
    found: list[tuple[str, int, int, str]] = []

    def url_context(at_rule: str, is_root: bool, owner: str, plain: str) -> str | None:
        if at_rule == "import":
            return "@import"
        if is_root and at_rule == "namespace":
            return None
        return "@font-face" if owner == "font-face" else plain

    def statements(nodes: list, is_root: bool, owner: str) -> None:
        at_rule = ""
        for node in nodes:
            if node.type == "at-keyword":
                at_rule = node.lower_value
            elif node.type == "url" and url_context(at_rule, is_root, owner, "url"):
                found.append((node.value, node.source_line, node.source_column,
                              url_context(at_rule, is_root, owner, "url")))
            elif node.type == "string" and at_rule == "import":
                found.append((node.value, node.source_line, node.source_column, "@import"))
            elif node.type == "function":
                function(node, url_context(at_rule, is_root, owner, ""), owner)
            elif node.type == "{} block":
                statements(node.content, False, at_rule)
                at_rule = ""
            elif node.type in ("() block", "[] block"):
                statements(node.content, False, owner)
            elif node == ";":
                at_rule = ""

    def function(node, context: str | None, owner: str) -> None:
        name = node.lower_name
        for prefix in ("-webkit-", "-moz-", "-o-", "-ms-"):
            name = name.removeprefix(prefix)
        args = _significant(node.arguments)
        if name in ("url", "src") and args and args[0].type == "string" and context is not None:
            found.append((args[0].value, node.source_line, node.source_column, context or name))
        for arg in node.arguments:
            if arg.type == "string" and name in ("image-set", "image"):
                found.append((arg.value, arg.source_line, arg.source_column, name))
            elif arg.type == "string" and name in TARGETS and arg is args[0]:
                found.append((arg.value, arg.source_line, arg.source_column, "target"))
            elif arg.type == "url":
                found.append((arg.value, arg.source_line, arg.source_column,
                              "@font-face" if owner == "font-face" else "url"))
            elif arg.type == "function":
                function(arg, "@font-face" if owner == "font-face" else "", owner)
            elif arg.type in ("() block", "[] block", "{} block"):
                statements(arg.content, False, owner)

    statements(tinycss2.parse_component_value_list(css), True, "")
    return found


TARGETS = ("target-counter", "target-counters", "target-text")
FRAGMENTS = [
    "url(", "URL(", "u\\72l(", "\\75 rl(", "\\u\\rl(", "src(", "image-set(", "-webkit-image-set(",
    "image(", "target-counter(", "format(", "var(", "(", ")", "[", "]", "{", "}", ";", ",", " ", "\n",
    "\t", '"', "'", '"a"', "'b'", '"\\"', "\\", "\\\n", "\\29", "\\41 ", "/*", "*/", "#", "@", "@import",
    "@namespace", "@font-face", "@media", "1", ".", "-", "--", "+", "e", "u", "U+", "?", "x", "http://h/p",
    "<!--", "-->", "%", ":", "!", "\x01", "\r\n", "\f", "\0",
]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join))
def test_same_references_as_tinycss2_tree(css: str) -> None:
    ours = [(r.url, r.line, r.column, r.context) for r in css_references(css)]
    normalized = css.replace("\0", "\ufffd").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    assert ours == _tree_references(normalized)


# -- planted URLs are all found, on the right line -------------------------------------------

URL_TEXT = st.text("abcdefghijklmnopqrstuvwxyz0123456789/:.-_?=%", min_size=1, max_size=20)
FILLER = st.sampled_from(["", " ", "\n", "  \n\t", "/* url(nope) */", "/*\n*/", "\n\n"])


@st.composite
def spelled(draw: st.DrawFn, name: str) -> str:
    """``name`` with each letter maybe upper-cased, escaped as itself, or hex-escaped."""
    out, bare_hex = "", False  # bare_hex: the last escape could run on into a hex digit
    for letter in name:
        how = draw(st.sampled_from(["plain", "upper", "letter", "hex", "padded"]))
        if how in ("hex", "padded"):
            digits = f"{ord(letter):x}" if how == "hex" else f"{ord(letter):06x}"
            space = draw(st.sampled_from(["", " "]))
            out, bare_hex = out + "\\" + digits + space, how == "hex" and not space
            continue
        piece = "\\" + letter if how == "letter" and letter not in "abcdef" else (
            letter.upper() if how == "upper" else letter)
        if bare_hex and piece[0] in "0123456789abcdefABCDEF":
            out += " "
        out, bare_hex = out + piece, False
    return out


@st.composite
def planted_value(draw: st.DrawFn, url: str) -> tuple[str, int, str]:
    """A declaration value naming ``url``: its text, where the URL is reported, the context."""
    form = draw(st.sampled_from(["token", "string", "image-set", "webkit", "image", "src"]))
    space = draw(st.sampled_from(["", " ", "\n "]))
    quote = draw(st.sampled_from(['"', "'"]))
    if form == "token":
        return f"{draw(spelled('url'))}({space}{url}{space})", 0, "url"
    if form == "string":
        return f"{draw(spelled('url'))}({space}{quote}{url}{quote}{space})", 0, "url"
    if form == "src":
        return f"{draw(spelled('src'))}({quote}{url}{quote})", 0, "src"
    name = {"image-set": "image-set", "webkit": "-webkit-image-set", "image": "image"}[form]
    head = f"{draw(spelled(name))}({space}"
    context = "image" if form == "image" else "image-set"
    return f"{head}{quote}{url}{quote} 1x)", len(head), context


@st.composite
def stylesheet(draw: st.DrawFn) -> tuple[str, list[tuple[str, int, int, str]]]:
    """A stylesheet with URLs planted in every form, and where each one is."""
    text, planted = "", []

    def place(piece: str, offset: int, url: str, context: str) -> None:
        nonlocal text
        at = len(text) + offset
        text += piece
        planted.append((url, text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at), context))

    for _ in range(draw(st.integers(1, 5))):
        text += draw(FILLER)
        url = draw(URL_TEXT)
        kind = draw(st.sampled_from(["import", "import-url", "rule", "font-face"]))
        if kind == "import":
            text += f"@{draw(spelled('import'))} "
            place(f'"{url}";', 0, url, "@import")
        elif kind == "import-url":
            text += "@import "
            place(f"{draw(spelled('url'))}({url}) print;", 0, url, "@import")
        elif kind == "font-face":
            text += "@font-face {" + draw(FILLER) + " src: local(x), "
            place(f"url({url})", 0, url, "@font-face")
            text += ' format("woff") }'
        else:
            wrappers = draw(st.lists(st.sampled_from(
                ["@media print {", "@supports (display: grid) {", "@layer x {", "a {", "& b {"]), max_size=4))
            text += "".join(w + draw(FILLER) for w in wrappers) + "p {" + draw(FILLER) + "background: "
            value, offset, context = draw(planted_value(url))
            place(value, offset, url, context)
            text += draw(FILLER) + ";}" + "}" * len(wrappers)
    return text + draw(FILLER), planted


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stylesheet())
def test_every_planted_url_is_found_on_its_line(sheet: tuple[str, list]) -> None:
    css, planted = sheet
    assert [(r.url, r.line, r.column, r.context) for r in css_references(css)] == planted
    assert css_problems(css) == []
