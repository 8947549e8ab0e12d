"""The covers' HTML: the book's metadata in elements that styles/cover.css sets.

The stylesheet decides the look; this module only chooses the title's length class (so that the
stylesheet can size a long title down before it overflows) and writes the page size brochure
takes from the trim. Every piece of metadata is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from brochure.core.isbn import parse_isbn

STYLESHEET = "styles/cover.css"
BARCODE = "cover/barcode.svg"

# Upper bounds, in characters, of the title's whole length and of its longest word for each
# class: a long word alone must fit the measure at the class's size, so it counts too.
_TITLE_CLASSES = (("short", 22, 10), ("medium", 48, 14), ("long", 90, 19), ("very-long", 150, 24))
_DESCRIPTION_CLASSES = (("short", 900), ("medium", 1600))


@dataclass(frozen=True)
class CoverText:
    """What a cover says, taken from the book's metadata."""

    title: str
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    publisher: str | None = None
    series: str | None = None
    series_position: str | None = None
    description: str | None = None
    isbn: str | None = None  # as parse_isbn reads it; shown hyphenated, as ISBN-13
    lang: str = "en"


def title_length(title: str) -> str:
    """The title's length class: short, medium, long, very-long or extra-long."""
    longest = max((len(word) for word in title.split()), default=0)
    for name, most_chars, most_word in _TITLE_CLASSES:
        if len(title) <= most_chars and longest <= most_word:
            return name
    return "extra-long"


def description_length(description: str) -> str:
    """The description's length class: short, medium or long."""
    for name, most_chars in _DESCRIPTION_CLASSES:
        if len(description) <= most_chars:
            return name
    return "long"


def front_cover_html(text: CoverText, page: tuple[float, float], shop: bool = False) -> bytes:
    """The front cover as an HTML document of one page of ``page`` (width, height) mm; for a
    print ``shop``, its root has the class shop (the template gives its colours in CMYK)."""
    series = _series_line(text)
    parts = [
        '<section class="cover front">',
        '<header class="band">',
        f'<p class="series">{escape(series)}</p>' if series else "",
        f'<h1 class="title" data-length="{title_length(text.title)}">{_lines(text.title)}</h1>',
        f'<p class="subtitle">{_lines(text.subtitle)}</p>' if text.subtitle else "",
        "</header>",
        '<footer class="foot">',
        _authors(text.authors),
        f'<p class="publisher">{escape(text.publisher)}</p>' if text.publisher else "",
        "</footer>",
        "</section>",
    ]
    return _document(text, page, "front", parts, shop=shop)


def back_cover_html(text: CoverText, page: tuple[float, float], barcode: bool = True,
                    shop: bool = False) -> bytes:
    """The back cover: the description, the publisher and, if ``barcode`` and the book has an
    ISBN, the barcode served at ``cover/barcode.svg`` with the ISBN above it."""
    description = text.description or ""
    # A blank line parts paragraphs; a single line end is the metadata file's wrapping.
    paragraphs = [" ".join(p.split()) for p in description.split("\n\n") if p.strip()]
    parts = [
        '<section class="cover back">',
        f'<p class="back-title">{_lines(text.title)}</p>',
        f'<div class="description" data-length="{description_length(description)}">',
        *(f"<p>{escape(p)}</p>" for p in paragraphs),
        "</div>",
        '<footer class="back-foot">',
        f'<p class="publisher">{escape(text.publisher)}</p>' if text.publisher else "",
        _barcode_box(text.isbn) if barcode and text.isbn else "",
        "</footer>",
        "</section>",
    ]
    return _document(text, page, "back", parts, shop=shop)


def image_cover_html(text: CoverText, page: tuple[float, float], image: str) -> bytes:
    """A page filled with the cover image served at ``image`` (cut to the page's shape)."""
    style = f"html {{ background: url({escape(image)}) center / cover no-repeat }}"
    return _document(text, page, "image", [], stylesheet=None, style=style)


def _document(text: CoverText, page: tuple[float, float], side: str, body: list[str],
              stylesheet: str | None = STYLESHEET, style: str = "", shop: bool = False) -> bytes:
    width, height = page
    if not (width > 0 and height > 0):
        raise ValueError(f"cover: page size {width} x {height} mm")
    lang = escape(text.lang)
    # The generated rule comes after the template, so the trim wins over anything it says.
    head = [
        "<!DOCTYPE html>",
        f'<html xmlns="http://www.w3.org/1999/xhtml" lang="{lang}" xml:lang="{lang}"'
        + (' class="shop">' if shop else ">"),
        "<head>",
        '<meta charset="utf-8" />',
        f"<title>{escape(text.title)}</title>",
        f'<link rel="stylesheet" href="{stylesheet}" />' if stylesheet else "",
        f"<style>@page {{ size: {_mm(width)} {_mm(height)}; margin: 0 }} {style}</style>",
        "</head>",
        f'<body class="{side}">',
    ]
    return "\n".join([*(h for h in head if h), *(p for p in body if p), "</body>", "</html>",
                      ""]).encode("utf-8")


def _series_line(text: CoverText) -> str | None:
    if not text.series:
        return None
    return f"{text.series} · {text.series_position}" if text.series_position else text.series


def _authors(authors: tuple[str, ...]) -> str:
    if not authors:
        return ""
    names = "".join(f'<span class="author">{escape(name)}</span>' for name in authors)
    return f'<p class="authors" data-count="{len(authors)}">{names}</p>'


def _barcode_box(isbn: str) -> str:
    shown = parse_isbn(isbn).hyphenated
    return (f'<div class="barcode"><p class="isbn">ISBN {escape(shown)}</p>'
            f'<img src="{BARCODE}" alt="ISBN {escape(shown)}" /></div>')


def _lines(value: str) -> str:
    """Escaped text, a line break where the metadata has one (a title set on two lines)."""
    return "<br />".join(escape(line.strip()) for line in value.splitlines() if line.strip())


def _mm(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "mm"
