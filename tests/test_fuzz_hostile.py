"""Fuzzing with hostile manuscripts: raw HTML fragments (open comments, CDATA, marked sections,
scripts, impersonated notes), note calls nested and misplaced, stylesheets naming URLs in every
form CSS has, control characters and long tokens. Whatever comes in, the build either makes a
book whose every internal link resolves and that loads nothing from outside, or fails with
brochure's own errors at their files; never an internal error, a broken book or a hang.

A short run is part of the default suite; ``-m slow`` runs a longer one, with PDFs too.
"""

from __future__ import annotations

import base64
import re
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from brochure.core.diagnostics import BrochureError, BrokenOutput, Report
from brochure.core.sandbox import Bound, Limits
from brochure.runtime.build import BuildOptions, build

LIMITS = Limits(markdown=Bound(seconds=30, memory_mib=1024), pdf=Bound(seconds=120, memory_mib=3072))
OUTSIDE = "127.0.0.1:9"  # a resource there must never reach an output
LABELS = ["a", "b", "c", "d"]
WORDS = st.sampled_from(["word", "text", "Kept", "été", "Жук", "中文", "x_y", "*", "_", "**",
                         "&amp;", "&#233;", "\\", "]", "[", "!", "|", "…", "<", ">", "&"])
SVG_SCRIPT = base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script>'
                              b"</svg>").decode()
# Raw HTML the sanitiser takes out or keeps, with a warning at most.
KEPT_HTML = st.sampled_from([
    "<!-- closed -->", "<?x ?>", "<script>x()</script>", "<div>", "</div>", "<span>", "</span>",
    "<b>", "</i>", "<table><tr><td>", "<p title='", '<a href="#nowhere">', '<a href="#chapter-1">',
    '<a href="02.md">', '<a href="../../../etc/passwd">', "</a>", '<sup id="fnref-a">',
    '<a class="footnote-ref" href="#fn-a">1</a>', '<li id="fn-a">', "<svg>", "<math>",
    '<a href="java&#x09;script:x()">', "<base href=x>", "<br/>", "<hr>", "<![if x]>", "&#150;",
    '<a href="https://example.org/a_b">', "]]>", "-->", "</script>",
])
# Raw HTML that fails the build, at its line.
FATAL_HTML = st.sampled_from([
    "<!--", "<![CDATA[", "<![foo[x]]>", "<!x", "<?php", "<script>", "<style>", "<template>",
    "<plaintext>", "<textarea>", '<img src="file:///etc/hostname">', "<img>", "&#x0;", "&#xD800;",
    f'<img src="http://{OUTSIDE}/i.png">', '<img src="a:b.png">', "&#27;", "&#xFFFF;",
    "<div>[^b]</div>", "\u0007",
])
CALL = st.sampled_from(LABELS).map(lambda label: f"[^{label}]")
PLACES = st.sampled_from(["[see{call}](https://example.org)", "[in](#missing)", "[up](../../etc/passwd)",
                          "[next](02.md)", "![ok](shipped.png)", "**bold{call}**", "`code{call}`",
                          "\\[^a]"])
FATAL_PLACES = st.sampled_from(["![pic{call}](shipped.png)", "![x](a:b.png)",
                                f"![x](http://{OUTSIDE}/r.png)", "a" * 1001, "*_" * 600])
GOOD_CSS = st.sampled_from([
    "p { color: black }", "p { background: url(shipped.png) }", 'p::after { content: "\\1b" }',
    "@media print { p { background: url(shipped.png) } }", "/* url(http://example.invalid/c.png) */",
    "p { margin: calc(1em + 2px) }",
])
BAD_CSS = st.sampled_from([
    f'@import "http://{OUTSIDE}/t.css";', f"@import url(http://{OUTSIDE}/u.css);",
    f'p {{ background: image-set("http://{OUTSIDE}/a.png" 1x) }}',
    f"h1 {{ background: u\\72l(http://{OUTSIDE}/b.png) }}", "p { background: url(missing.png) }",
    "p { background: url(../outside.png) }", "p { background: url(file:///etc/hostname) }",
    "p { background: url(/etc/hostname) }",
    f"p {{ background: url('data:image/svg+xml;base64,{SVG_SCRIPT}') }}", 'p { background: src("x.png") }',
    "p { background: url(",
])
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS"
                       "2OUAAAAABJRU5ErkJggg==")


@st.composite
def inline(draw, called: set[str], fatal: bool) -> str:
    """A line of text; ``fatal``: it may hold something that fails the build."""
    tokens: list[str] = []
    for _ in range(draw(st.integers(1, 7))):
        kind = draw(st.integers(0, 19))
        call = draw(CALL)
        if kind < 8:
            tokens.append(draw(WORDS))
        elif kind < 11:
            called.add(call[2:-1])
            tokens.append((tokens.pop() if tokens else "word") + call)
        elif kind < 15:
            tokens.append(draw(KEPT_HTML))
        elif kind < 17:
            place = draw(PLACES)
            if "{call}" in place:
                called.add(call[2:-1])
            tokens.append(place.format(call=call))
        elif kind < 19:
            tokens.append(draw(st.sampled_from(["a" * 999, "\u00ad", "\u200b", "\t", "中" * 1200])))
        elif fatal:
            tokens.append(draw(st.one_of(FATAL_HTML, FATAL_PLACES)).replace("{call}", call))
    return " ".join(tokens)


@st.composite
def chapter(draw, fatal: bool = False) -> str:
    called: set[str] = set()
    blocks = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["p", "p", "h", "quote", "list", "table", "html"]))
        text = draw(inline(called, fatal))
        blocks.append({"p": text, "h": f"## {text}", "quote": f"> {text}", "list": f"- {text}\n- x",
                       "table": f"| a | b |\n|---|---|\n| {text.replace('|', '/')} | y |",
                       "html": f"<div>{text}</div>"}[kind])
    called |= set(draw(st.lists(st.sampled_from(LABELS), max_size=2)))  # perhaps never called
    missing = sorted(called)[0] if fatal and called and draw(st.booleans()) else None
    written: set[str] = set()
    while pending := sorted(called - written - {missing}):
        for label in pending:  # notes call notes (themselves and each other too)
            written.add(label)
            blocks.append(f"[^{label}]: Note {label}: {draw(inline(called, fatal))}")
    return "\n\n".join(blocks) + "\n"


CHAPTERS = st.booleans().flatmap(lambda fatal: st.lists(chapter(fatal), min_size=1, max_size=3))
STYLESHEET = st.tuples(st.lists(GOOD_CSS, max_size=3), st.lists(BAD_CSS, max_size=1),
                       st.booleans()).map(lambda rules: rules[0] + (rules[1] if rules[2] else []))


def links_resolve_and_nothing_is_loaded_from_outside(epub: Path) -> None:
    """An independent reading of the EPUB: every reference resolves inside it."""
    with zipfile.ZipFile(epub) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    for name, data in files.items():  # text may mention the address; nothing may load it
        if name.endswith(".css"):
            assert OUTSIDE not in re.sub(r"/\*.*?\*/", "", data.decode(), flags=re.DOTALL), name
        elif name.endswith(".xhtml"):
            assert not [value for el in etree.fromstring(data).iter()
                        for value in el.attrib.values() if OUTSIDE in value], name
    ids = {}
    for name, data in files.items():
        if name.endswith(".xhtml"):
            ids[name] = {el.get("id") for el in etree.fromstring(data).iter() if el.get("id")}
    for name, data in files.items():
        if not name.endswith(".xhtml"):
            continue
        for el in etree.fromstring(data).iter():
            for attribute in ("href", "src"):
                value = el.get(attribute)
                if value is None:
                    continue
                parts = urlsplit(value)
                if parts.scheme:
                    assert attribute == "href" and parts.scheme in ("http", "https", "mailto"), value
                    continue
                target = str(PurePosixPath(name).parent / unquote(parts.path)) if parts.path else name
                assert target in files, (name, value)
                if parts.fragment:
                    assert unquote(parts.fragment) in ids[target], (name, value)


def build_hostile(chapters: list[str], css: list[str], formats: tuple[str, ...]) -> str:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        book, styles = root / "book", root / "styles"
        book.mkdir()
        styles.mkdir()
        (book / "book.yaml").write_text("title: Fuzz\nlang: en\n")
        (book / "shipped.png").write_bytes(PNG)
        (styles / "shipped.png").write_bytes(PNG)
        (styles / "fuzz.css").write_text("\n".join(css) + "\n")
        for index, text in enumerate(chapters, start=1):
            (book / f"{index:02}.md").write_text(text)
        try:
            result = build(BuildOptions(book, root / "out", settings={"formats": formats},
                                        limits=LIMITS, cache=False), Report())
        except BrokenOutput as exc:
            pytest.fail(f"brochure made a broken book:\n{exc}")
        except BrochureError as exc:
            assert exc.diagnostics and all(d.level == "error" for d in exc.diagnostics)
            assert all(d.location is not None for d in exc.diagnostics), str(exc)
            assert not (root / "out").exists()
            event(f"error: {exc.diagnostics[0].message[:40]}")
            return "error"
        links_resolve_and_nothing_is_loaded_from_outside(result.outputs["epub"])
        event("built")
        return "built"


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(chapters=CHAPTERS, css=STYLESHEET)
def test_hostile_manuscripts_build_soundly_or_fail_cleanly(chapters, css, epoch_env):
    build_hostile(chapters, css, ("epub",))


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(chapters=CHAPTERS, css=STYLESHEET, with_pdf=st.booleans())
def test_many_hostile_manuscripts_build_soundly_or_fail_cleanly(chapters, css, with_pdf, epoch_env):
    build_hostile(chapters, css, ("epub", "pdf") if with_pdf else ("epub",))
