"""The document model: what every stage passes to the next.

manuscript files --read--> Manuscript --parse--> Book --render--> Rendering --write--> bytes
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from lxml import etree

from brochure.core.diagnostics import Diagnostic, Location
from brochure.core.settings import NotesPlacement, PrintNotes, Settings


@dataclass(frozen=True)
class Person:
    """Someone who made the book: an author, or a translator, editor, illustrator..."""

    name: str
    role: str = "aut"  # a MARC relator code: aut, edt, trl, ill...
    file_as: str | None = None  # the name as a library sorts it ("Marx, Karl")


@dataclass(frozen=True)
class Identifier:
    """An identifier of the book, by scheme; ``value`` is written the scheme's one way."""

    scheme: str  # ISBN, DOI, UUID or URI
    value: str  # ISBN: its 13 digits; DOI: 10.x/y; UUID: lower-case hex; URI: as given

    @property
    def urn(self) -> str:
        """As a package document writes it (urn:isbn:..., urn:doi:..., urn:uuid:..., a URI)."""
        if self.scheme == "URI":
            return self.value
        return f"urn:{self.scheme.lower()}:{self.value}"


@dataclass(frozen=True)
class Collection:
    """The series (pandoc's ``belongs-to-collection``) the book belongs to."""

    name: str
    position: str | None = None  # its number in the series (``group-position``)


@dataclass(frozen=True)
class Metadata:
    """Book metadata, with pandoc's field names where pandoc has one (docs/manuscript.md)."""

    title: str
    lang: str
    location: Location
    subtitle: str | None = None
    creators: tuple[Person, ...] = ()  # ``author`` (and pandoc's ``creator``), in order
    contributors: tuple[Person, ...] = ()
    date: str | None = None  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    publisher: str | None = None
    rights: str | None = None
    identifiers: tuple[Identifier, ...] = ()  # the first is the book's unique identifier
    description: str | None = None
    subjects: tuple[str, ...] = ()
    source: str | None = None  # what the book was made from (dc:source)
    collection: Collection | None = None
    cover_image: str | None = None  # a file of the manuscript folder, as written
    # The print edition, shown on the PDF's imprint.
    edition: str | None = None
    printer: str | None = None
    print_run: str | None = None
    legal_deposit: str | None = None
    # The line of each key in book.yaml or the front matter.
    lines: tuple[tuple[str, int], ...] = ()

    @property
    def authors(self) -> tuple[str, ...]:
        """The names of the authors (the creators whose role is author), as the title page
        shows them."""
        return tuple(person.name for person in self.creators if person.role == "aut")

    @property
    def identifier(self) -> str | None:
        """The unique identifier, as the EPUB's package document writes it."""
        return self.identifiers[0].urn if self.identifiers else None

    @property
    def isbn(self) -> str | None:
        """The ISBN's 13 digits, when the book has one."""
        return next((i.value for i in self.identifiers if i.scheme == "ISBN"), None)

    def where(self, key: str) -> Location:
        """The location of a key of the metadata (its line when it was given)."""
        line = dict(self.lines).get(key)
        return Location(self.location.path, line) if line else self.location


@dataclass(frozen=True)
class SourceText:
    """The Markdown of one chapter; ``first_line`` is the line of ``path`` that ``text`` starts on."""

    path: Path
    text: str
    first_line: int = 1


@dataclass(frozen=True)
class Asset:
    """A file the book carries (stylesheet, font, image), by its path inside the book."""

    href: str  # e.g. "styles/brochure.css", "images/figure.png"; the same in the EPUB and the PDF
    data: bytes
    media_type: str
    source: Path


@dataclass(frozen=True)
class CoverSources:
    """What the covers are made from: the cover image the metadata names, else the template
    (styles/cover.css, then the fonts and images it names)."""

    image: Asset | None = None
    template: tuple[Asset, ...] = ()


@dataclass(frozen=True)
class Covers:
    """The covers as drawn (or given): the front for the EPUB (the image as given, or the
    drawn cover as PNG), and one-page PDFs of the front and back for the PDF (none when only
    an EPUB was made from a cover image)."""

    image: Asset
    front_pdf: bytes | None
    back_pdf: bytes | None = None


@dataclass(frozen=True)
class Manuscript:
    """What the read stage found: metadata, chapter sources in reading order, stylesheets."""

    root: Path  # the folder the manuscript's own files (chapters, images) come from
    styles_root: Path
    metadata: Metadata
    sources: tuple[SourceText, ...]
    stylesheets: tuple[Asset, ...]  # with the fonts and images they use in ``style_assets``
    style_assets: tuple[Asset, ...] = ()
    settings: Settings = field(default_factory=Settings)
    cover: CoverSources = field(default_factory=CoverSources)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # plain text without note numbers
    id: str


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    headings: tuple[Heading, ...]
    body: etree._Element  # an XHTML <section>; note references already numbered
    source: Path


@dataclass(frozen=True)
class Note:
    number: int  # the number the reader sees; restarts in each chapter when numbered per chapter
    id: str  # unique in the whole book whatever the numbering (note-<position in the book>)
    ref_ids: tuple[str, ...]  # one per place that calls the note, in reading order
    chapter_id: str
    blocks: tuple[etree._Element, ...]  # XHTML block elements of the note text
    location: Location  # where the note is defined


@dataclass(frozen=True)
class Book:
    metadata: Metadata
    chapters: tuple[Chapter, ...]
    notes: tuple[Note, ...]
    stylesheets: tuple[str, ...]  # hrefs of the stylesheets, in cascade order
    assets: tuple[Asset, ...]  # every file besides the text: stylesheets, fonts, images
    settings: Settings = field(default_factory=Settings)
    cover: CoverSources = field(default_factory=CoverSources)


@dataclass(frozen=True)
class TocEntry:
    title: str
    target: str  # element id in the rendered document
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True)
class Part:
    """A top-level section of the rendered document; the EPUB gives each its own file."""

    id: str
    kind: str  # "titlepage", "chapter" or "endnotes"
    title: str


class NotesLayout(StrEnum):
    """Where a rendering puts the notes, decided once from the settings for each format."""

    BOOK_END = "book-end"  # one Notes section after the last chapter
    CHAPTER_END = "chapter-end"  # a Notes section closing each chapter
    FOOTNOTES = "footnotes"  # each note after its call, for the PDF to set at the page's foot


def notes_layout(settings: Settings, paged: bool) -> NotesLayout:
    """Where the notes go in the EPUB's rendering, or in the PDF's (``paged``)."""
    if paged and settings.print_notes == PrintNotes.FOOTNOTES:
        return NotesLayout.FOOTNOTES
    return NotesLayout.CHAPTER_END if settings.notes == NotesPlacement.CHAPTER else NotesLayout.BOOK_END


@dataclass(frozen=True)
class Rendering:
    """The one XHTML document that both writers start from."""

    # A tree; or, in the PDF's worker process, the tree's XHTML bytes (how it travels there).
    document: etree._ElementTree | bytes
    parts: tuple[Part, ...]
    toc: tuple[TocEntry, ...]
    book: Book
    notes: NotesLayout = NotesLayout.BOOK_END
    landmarks: dict[str, str] = field(default_factory=dict)  # epub:type -> element id
    # What the build learns beside the document, for the writers: the covers as drawn; where
    # each page of the PDF starts (for the EPUB's page-list); the EPUB's fonts, cut down while
    # the PDF was laid out.
    covers: Covers | None = None
    page_starts: tuple[PageStart | None, ...] = ()
    epub_fonts: tuple[Asset, ...] | None = None

    def root(self) -> etree._Element:
        """The document's root element (in this process: not the bytes sent to the PDF's)."""
        if isinstance(self.document, bytes):
            raise TypeError("the rendering travelled as bytes")
        return self.document.getroot()


@dataclass(frozen=True)
class PageStart:
    """Where a page of the PDF begins in the document: the element its first line (or image)
    belongs to, found from the nearest element with an id, and that line's text."""

    label: str  # the page's number, as printed
    anchor: str  # the id of the element, or of its nearest ancestor with one
    path: tuple[int, ...]  # element-child indexes from there down to the element
    tag: str  # the element's tag, checked where the path is followed
    text: str | None  # the first line's text, whitespace folded; None: the page opens on an image


@dataclass(frozen=True)
class Written:
    """What a writer produced: the file's bytes and what the build reports about it."""

    data: bytes
    pages: int | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    parts: int = 1  # laid out in this many chunks side by side (a long book's PDF)
    details: tuple[str, ...] = ()  # what the build says of it besides its size
    # The PDF only: where each of its pages begins (None for a page with nothing on it).
    page_starts: tuple[PageStart | None, ...] = ()
