"""The EPUB's accessibility metadata (EPUB Accessibility 1.1), computed from the book itself:
what it holds (images with or without text alternatives, animations, headings, a page list)
decides each property, and the conformance claim is made only when brochure's checks hold.

Checks behind the claim (docs/accessibility.md says what they do not cover): every image has
a text alternative or is marked decorative, the book's language is given, no image moves.
The rest of what WCAG 2.2 AA asks of a text is what brochure writes by construction
(structure, reading order, navigation, roles), and what DAISY Ace checks in the tests.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass

from lxml import etree
from PIL import Image, UnidentifiedImageError

from brochure.core.model import Book, Rendering
from brochure.core.xhtml import q

CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
DECORATIVE_ROLES = ("presentation", "none")
HEADINGS = tuple(q(f"h{level}") for level in range(1, 7))

_SENTENCES = {
    "en": {
        "conforms": "This publication meets EPUB Accessibility 1.1 and WCAG 2.2 Level AA, as "
                    "far as brochure's checks tell.",
        "order": "It has a table of contents and a logical reading order.",
        "headings": "Headings mark its chapters and sections.",
        "described": "Every image has a text alternative.",
        "undescribed": "Some images have no text alternative.",
        "pages": "Its page numbers are those of the printed edition.",
        "safe": "It has no flashing, motion or sound.",
        "animated": "Some images are animated.",
    },
    "fr": {
        "conforms": "Cette publication satisfait à EPUB Accessibility 1.1 et aux WCAG 2.2 "
                    "niveau AA, selon les vérifications de brochure.",
        "order": "Elle a une table des matières et un ordre de lecture logique.",
        "headings": "Des titres marquent ses chapitres et ses sections.",
        "described": "Chaque image a une alternative textuelle.",
        "undescribed": "Certaines images n’ont pas d’alternative textuelle.",
        "pages": "Ses numéros de page sont ceux de l’édition imprimée.",
        "safe": "Elle ne contient ni clignotement, ni mouvement, ni son.",
        "animated": "Certaines images sont animées.",
    },
    "de": {
        "conforms": "Diese Publikation erfüllt EPUB Accessibility 1.1 und WCAG 2.2 Stufe AA, "
                    "soweit die Prüfungen von brochure reichen.",
        "order": "Sie hat ein Inhaltsverzeichnis und eine logische Lesereihenfolge.",
        "headings": "Überschriften kennzeichnen ihre Kapitel und Abschnitte.",
        "described": "Jedes Bild hat einen Alternativtext.",
        "undescribed": "Einige Bilder haben keinen Alternativtext.",
        "pages": "Ihre Seitenzahlen sind die der gedruckten Ausgabe.",
        "safe": "Sie enthält weder Blinken noch Bewegung noch Ton.",
        "animated": "Einige Bilder sind animiert.",
    },
    "es": {
        "conforms": "Esta publicación cumple EPUB Accessibility 1.1 y WCAG 2.2 nivel AA, "
                    "según las comprobaciones de brochure.",
        "order": "Tiene un índice y un orden de lectura lógico.",
        "headings": "Los encabezados marcan sus capítulos y secciones.",
        "described": "Cada imagen tiene un texto alternativo.",
        "undescribed": "Algunas imágenes no tienen texto alternativo.",
        "pages": "Sus números de página son los de la edición impresa.",
        "safe": "No contiene destellos, movimiento ni sonido.",
        "animated": "Algunas imágenes están animadas.",
    },
    "it": {
        "conforms": "Questa pubblicazione soddisfa EPUB Accessibility 1.1 e WCAG 2.2 livello "
                    "AA, secondo i controlli di brochure.",
        "order": "Ha un indice e un ordine di lettura logico.",
        "headings": "I titoli segnano i suoi capitoli e le sue sezioni.",
        "described": "Ogni immagine ha un testo alternativo.",
        "undescribed": "Alcune immagini non hanno un testo alternativo.",
        "pages": "I suoi numeri di pagina sono quelli dell’edizione a stampa.",
        "safe": "Non contiene lampeggiamenti, movimento o suono.",
        "animated": "Alcune immagini sono animate.",
    },
}


@dataclass(frozen=True)
class Accessibility:
    """The accessibility metadata of one EPUB."""

    modes: tuple[str, ...]
    sufficient: tuple[str, ...]
    features: tuple[str, ...]
    hazards: tuple[str, ...]
    summary: str
    summary_lang: str | None  # the summary's language when it is not the book's
    page_source: str | None  # the edition the page-list follows
    conforms_to: str | None  # the conformance claim, when the checks hold
    certified_by: str | None


@dataclass(frozen=True)
class _Found:
    """What the book holds, as far as accessibility goes."""

    images: int  # images that are not decorative
    described: int  # of those, with a text alternative
    animated: bool
    headings: bool
    lang_given: bool


def _found(root: etree._Element, book: Book) -> _Found:
    images = described = 0
    for img in root.iter(q("img")):
        if img.get("role") in DECORATIVE_ROLES:
            continue
        images += 1
        described += bool((img.get("alt") or "").strip())
    headings = any(True for _ in root.iter(*HEADINGS))
    return _Found(images, described, any(_animated(a.data) for a in book.assets
                                         if a.media_type in ("image/gif", "image/webp",
                                                             "image/png")),
                  headings, "lang" in dict(book.metadata.lines))


def _animated(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return bool(getattr(image, "is_animated", False))
    except (UnidentifiedImageError, OSError, ValueError):
        return False


def assess(rendering: Rendering, page_list: bool, cover: bool = False) -> Accessibility:
    """The accessibility metadata of the EPUB of ``rendering`` (with a page-list or not, a
    cover or not: the cover's image always has its text alternative)."""
    book = rendering.book
    meta = book.metadata
    found = _found(rendering.root(), book)
    if cover:
        found = dataclasses.replace(found, images=found.images + 1, described=found.described + 1)
    all_described = found.described == found.images
    features = ["tableOfContents", "readingOrder", "ARIA", "displayTransformability"]
    if found.headings:
        features.append("structuralNavigation")
    if found.images and all_described:
        features.append("alternativeText")
    if page_list:
        features += ["pageNavigation", "printPageNumbers"]
    conforms = all_described and found.lang_given and not found.animated
    primary = meta.lang.split("-")[0].lower()
    words = _SENTENCES.get(primary, _SENTENCES["en"])
    summary = [words["conforms"]] if conforms else []
    summary.append(words["order"])
    if found.headings:
        summary.append(words["headings"])
    if found.images:
        summary.append(words["described" if all_described else "undescribed"])
    if page_list:
        summary.append(words["pages"])
    summary.append(words["animated" if found.animated else "safe"])
    return Accessibility(
        modes=("textual", "visual") if found.images else ("textual",),
        sufficient=(("textual",) if all_described else ()) + (
            ("textual,visual",) if found.images else ()),
        features=tuple(sorted(features)),
        hazards=("unknown",) if found.animated else ("none",),
        summary=" ".join(summary),
        summary_lang=None if primary in _SENTENCES else "en",
        page_source=_page_source(book) if page_list else None,
        conforms_to=CONFORMANCE if conforms else None,
        certified_by=(meta.publisher or ", ".join(meta.authors) or "brochure") if conforms else None,
    )


def _page_source(book: Book) -> str:
    """The print edition the page-list follows: its ISBN when it has one."""
    isbn = book.metadata.isbn
    return f"urn:isbn:{isbn}" if isbn else f"{book.metadata.title} (PDF)"
