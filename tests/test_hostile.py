"""Hostile manuscripts: raw HTML, and resources that are not what they claim or reach out."""

from __future__ import annotations

import base64
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from helpers import Epub, text_of

from brochure.core.diagnostics import BrochureError, Report
from brochure.manuscript.resolver import Resolver
from brochure.runtime.build import BuildOptions, build

HOSTILE_HTML = """\
Intro <span onclick="steal()" style="color: red">kept words</span> end.

<script>alert("x")</script>

<iframe src="https://evil.example/">frame words</iframe>

[a link](javascript:alert(1)) and <a href="javascript:y()">raw link words</a>.

<object data="x.swf"><embed src="y.swf">object words</object>

<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">

<link rel="stylesheet" href="https://evil.example/x.css">

<style>@import url("https://evil.example/y.css"); p { color: red }</style>

Mis-nested <b>bold <i>both</b> italic</i> tail.

<div>unclosed <em>emphasis

Last words.
"""


def book(tmp_path: Path, text: str, files: dict[str, bytes] | None = None,
         css: str | None = None) -> Path:
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "book.yaml").write_text("title: T\nlang: en\n")
    (folder / "a.md").write_text(text)
    for name, data in (files or {}).items():
        (folder / name).write_bytes(data)
    if css is not None:
        (tmp_path / "styles").mkdir()
        (tmp_path / "styles" / "book.css").write_text(css)
    return folder


def build_epub(folder: Path) -> tuple[Epub, Report]:
    report = Report()
    result = build(BuildOptions(folder, folder.parent / "out", settings={"formats": ("epub",)}), report)
    return Epub.open(result.outputs["epub"]), report


def failure(folder: Path) -> str:
    with pytest.raises(BrochureError) as caught:
        build(BuildOptions(folder, folder.parent / "out", settings={"formats": ("epub",)}), Report())
    assert not (folder.parent / "out").exists()
    return str(caught.value)


def test_raw_html_is_sanitised_with_a_warning_for_each_removal_and_no_text_lost(tmp_path,
                                                                              epoch_env):
    folder = book(tmp_path, HOSTILE_HTML)
    epub, report = build_epub(folder)
    chapter = epub.files["EPUB/chapter-1.xhtml"].decode()
    for gone in ("<script", "onclick", "<iframe", "javascript:", "<object", "<embed", "<base",
                 "http-equiv", "<link rel=\"stylesheet\" href=\"https", "@import", "color: red",
                 "evil.example", "steal"):
        assert gone not in chapter, gone
    text = text_of(epub.documents["chapter-1.xhtml"])
    for kept in ("kept words", "frame words", "a link", "raw link words", "object words",
                 "Mis-nested bold both italic tail.", "unclosed emphasis", "Last words."):
        assert kept in text, kept
    warnings = {str(w).split("\n")[0].replace(str(folder / "a.md"), "a.md")
                for w in report.warnings}
    assert {
        "a.md:1: warning: removed attribute 'onclick' of <span>",
        "a.md:1: warning: removed attribute 'style' of <span>",
        "a.md:3: warning: removed <script> element and its content",
        "a.md:5: warning: removed <iframe> element (its text is kept)",
        "a.md:7: warning: removed link to 'javascript:alert(1)' (javascript: links are removed)",
        "a.md:7: warning: removed link to 'javascript:y()' (javascript: links are removed)",
        "a.md:9: warning: removed <object> element (its text is kept)",
        "a.md:9: warning: removed <embed> element (its text is kept)",
        "a.md:11: warning: removed <base> element (its text is kept)",
        "a.md:11: warning: removed <meta> element (its text is kept)",
        "a.md:13: warning: removed <link> element (its text is kept)",
        "a.md:15: warning: removed <style> element and its content",
    } <= warnings


def test_clean_markdown_gets_no_sanitiser_warning(tmp_path, epoch_env):
    text = "# Head\n\nA [link](https://example.org) *em*[^n].\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n" \
           "[^n]: A note.\n"
    _, report = build_epub(book(tmp_path, text))
    assert report.diagnostics == []


def png(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` (its pixel data is one empty row)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0"))
            + chunk(b"IEND", b""))


def test_decompression_bomb_is_refused_from_its_header(tmp_path, epoch_env):
    folder = book(tmp_path, "![bomb](bomb.png)\n", {"bomb.png": png(100_000, 100_000)})
    message = failure(folder)
    assert "a.md:1: error: image 'images/bomb.png' is 100000 x 100000 pixels, more than the 60 " \
        "million pixels brochure decodes" in message


def test_reasonable_png_is_carried(tmp_path, epoch_env):
    epub, _ = build_epub(book(tmp_path, "![small](small.png)\n", {"small.png": png(40, 30)}))
    assert epub.files["EPUB/images/small.png"] == png(40, 30)


def test_text_file_named_png_is_refused(tmp_path, epoch_env):
    message = failure(book(tmp_path, "![x](fake.png)\n", {"fake.png": b"just text\n"}))
    assert "a.md:1: error: 'images/fake.png' is not a PNG file" in message


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' \
      'width="10" height="10">{}</svg>'


@pytest.mark.parametrize(("svg", "expected"), [
    (BILLION_LAUGHS, "declares a DTD or entities"),
    (SVG.format('<image xlink:href="file:///etc/passwd" width="5" height="5"/>').encode(),
     "refers to 'file:///etc/passwd' outside the image"),
    (SVG.format('<use href="other.svg#shape"/>').encode(), "refers to 'other.svg#shape'"),
    (SVG.format('<script>alert(1)</script>').encode(), "contains a <script>, which runs code"),
    (SVG.format('<rect onload="x()" width="1" height="1"/>').encode(),
     "event handler attribute 'onload'"),
    (SVG.format('<style>@import url(https://evil.example/a.css);</style>').encode(),
     "imports the stylesheet 'https://evil.example/a.css'"),
    (b'<?xml-stylesheet href="http://127.0.0.1:9/s.css"?>' + SVG.format("").encode(),
     "has an <?xml-stylesheet?> instruction"),
    (SVG.format('<foreignObject><img xmlns="http://www.w3.org/1999/xhtml" '
                'src="http://127.0.0.1:9/i.png"/></foreignObject>').encode(),
     "refers to 'http://127.0.0.1:9/i.png' outside the image"),
    (SVG.format('<image href="data:image/svg+xml;base64,{}"/>'.format(base64.b64encode(
        SVG.format("<script>alert(1)</script>").encode()).decode())).encode(),
     "has a data: URL whose SVG contains a <script>, which runs code"),
], ids=["entities", "file", "relative", "script", "handler", "import", "xml-stylesheet",
        "foreign-object", "nested-data-svg"])
def test_svg_that_reaches_out_is_refused(tmp_path, epoch_env, svg, expected):
    message = failure(book(tmp_path, "![x](figure.svg)\n", {"figure.svg": svg}))
    assert "a.md:1: error: SVG 'images/figure.svg'" in message and expected in message


def test_self_contained_svg_is_carried(tmp_path, epoch_env):
    svg = SVG.format('<defs><circle id="c" r="4"/></defs><use href="#c" x="5" y="5"/>').encode()
    epub, _ = build_epub(book(tmp_path, "![x](figure.svg)\n", {"figure.svg": svg}))
    assert epub.files["EPUB/images/figure.svg"] == svg


def test_oversized_data_url_in_a_stylesheet_is_refused_at_its_line(tmp_path, epoch_env):
    payload = base64.b64encode(png(10, 10) + b"\0" * 3_000_000).decode()
    css = f"p {{ margin: 0 }}\nbody {{ background: url(data:image/png;base64,{payload}) }}\n"
    message = failure(book(tmp_path, "Text.\n", css=css))
    assert f"{tmp_path / 'styles' / 'book.css'}:2:20: error: data: URL 'data:image/png;base64," in message
    assert "more than the 2048 KiB brochure reads" in message
    assert len(message) < 1000  # the URL itself is not echoed


def test_bomb_inside_a_data_url_is_refused(tmp_path, epoch_env):
    payload = base64.b64encode(png(50_000, 50_000)).decode()
    css = f"body {{ background: url('data:image/png;base64,{payload}') }}"
    message = failure(book(tmp_path, "Text.\n", css=css))
    assert "error: image 'data:image/png' is 50000 x 50000 pixels" in message


def test_data_image_in_markdown_is_a_clear_error(tmp_path, epoch_env):
    payload = base64.b64encode(png(2, 2)).decode()
    message = failure(book(tmp_path, f"Text.\n\n![x](data:image/png;base64,{payload})\n"))
    assert "a.md:3: error: embedded data: image is not read" in message
    assert "save the image as a file" in message


def test_device_files_are_refused(tmp_path, epoch_env):
    folder = book(tmp_path, "![a](/dev/urandom)\n\n![b](random.png)\n")
    (folder / "random.png").symlink_to("/dev/urandom")
    message = failure(folder)
    assert "a.md:1: error: '/dev/urandom' is not a relative path" in message
    assert "random.png' is outside the project and is not read" in message


def test_fifo_is_refused_without_blocking(tmp_path):
    """A FIFO is refused when checked, and when opened (as if swapped in after the check)."""
    os.mkfifo(tmp_path / "pipe.png")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from brochure.manuscript.resolver import Resolver\n"
        "from brochure.core.diagnostics import BrochureError\n"
        "root = Path(sys.argv[1])\n"
        "for unchecked in (False, True):\n"
        "    resolver = Resolver.for_roots(root)\n"
        "    if unchecked:\n"
        "        object.__setattr__(resolver, 'file', lambda path, location=None: path)\n"
        "    try:\n"
        "        resolver.read(root / 'pipe.png')\n"
        "    except BrochureError as exc:\n"
        "        print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True,
                          text=True, timeout=60)
    assert done.stdout.count("pipe.png' is not a regular file") == 2, done.stderr


def test_fifo_image_fails_the_build(tmp_path, epoch_env):
    folder = book(tmp_path, "![a](pipe.png)\n")
    os.mkfifo(folder / "pipe.png")
    assert "a.md:1: error: '" in failure(folder)


def test_remote_image_is_refused_with_a_hint(tmp_path, epoch_env):
    message = failure(book(tmp_path, "![a](https://example.org/a.png)\n"))
    assert "a.md:1: error: remote resource 'https://example.org/a.png' is not fetched" in message
    assert "download the file" in message


def test_resolver_refuses_a_folder_named_like_an_image(tmp_path):
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(BrochureError, match="is not a regular file"):
        Resolver.for_roots(tmp_path).reference("dir.png", tmp_path / "a.md")


def test_no_pdf_attachment_from_the_manuscript(tmp_path, epoch_env):
    import pikepdf

    folder = book(tmp_path, 'See <a rel="attachment" href="secret.txt">the file</a>.\n',
                  {"secret.txt": b"private words\n"})
    report = Report()
    result = build(BuildOptions(folder, tmp_path / "out", settings={"formats": ("pdf",)}), report)
    with pikepdf.open(result.outputs["pdf"]) as pdf:
        assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})
        assert not [a for page in pdf.pages for a in page.get("/Annots", [])
                    if a.get("/Subtype") == "/FileAttachment"]
        assert b"private words" not in result.outputs["pdf"].read_bytes()
    assert any("removed attribute 'rel' of <a>" in str(w) for w in report.warnings)
