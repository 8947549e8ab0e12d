"""Readers for built outputs, used by the tests to see what a reader of the EPUB or PDF sees."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pikepdf
import pypdfium2
from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
OPF = "http://www.idpf.org/2007/opf"
NS = {"h": XHTML, "epub": EPUB_NS, "opf": OPF, "dc": "http://purl.org/dc/elements/1.1/"}


@dataclass
class Epub:
    path: Path
    files: dict[str, bytes]  # zip entry name -> bytes
    opf: etree._Element
    documents: dict[str, etree._Element]  # XHTML documents by name inside EPUB/, spine order

    @classmethod
    def open(cls, path: Path) -> Epub:
        with zipfile.ZipFile(path) as z:
            files = {name: z.read(name) for name in z.namelist()}
        opf = etree.fromstring(files["EPUB/content.opf"])
        manifest = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:item", NS)}
        documents = {}
        for ref in opf.iterfind(".//opf:itemref", NS):
            href = manifest[ref.get("idref")]
            documents[href] = etree.fromstring(files[f"EPUB/{href}"])
        return cls(path, files, opf, documents)

    def ids(self) -> set[tuple[str, str]]:
        return {(name, el.get("id")) for name, doc in self.documents.items()
                for el in doc.iter() if el.get("id")}

    def resolve(self, current: str, href: str) -> tuple[str, str]:
        """(file, id) that a link in ``current`` points at."""
        target, _, fragment = href.partition("#")
        name = str(PurePosixPath(current).parent / target) if target else current
        return name.removeprefix("./"), fragment

    def find(self, xpath: str) -> list[tuple[str, etree._Element]]:
        return [(name, el) for name, doc in self.documents.items()
                for el in doc.xpath(xpath, namespaces=NS)]


def text_of(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def cover_pages(path: Path) -> int:
    """How many pages the PDF has before its page 1 (the front cover and its inside): its
    page labels say where the printed numbers start."""
    with pikepdf.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            if page.label == "1":
                return index
    return 0


def beyond_the_bleed(path: Path, scale: float = 2):
    """Each page rendered (greys), all within its bleed box painted white: what the shop
    trims away, the crop marks."""
    from PIL import ImageDraw

    with pikepdf.open(path) as pdf:
        boxes = [([float(v) for v in page.mediabox], [float(v) for v in page.obj.BleedBox])
                 for page in pdf.pages]
    document = pypdfium2.PdfDocument(path)
    try:
        images = []
        for index, (media, (x0, y0, x1, y1)) in enumerate(boxes):
            image = document[index].render(scale=scale).to_pil().convert("L")
            ImageDraw.Draw(image).rectangle(
                (int((x0 - media[0]) * scale) - 1, int((media[3] - y1) * scale) - 1,
                 int((x1 - media[0]) * scale) + 1, int((media[3] - y0) * scale) + 1), fill=255)
            images.append(image)
        return images
    finally:
        document.close()


def same_marks(image, other) -> bool:
    """Whether two pages' crop marks are the same lines in the same places (antialiasing
    aside), and there are some."""
    from PIL import ImageChops

    return (image.getextrema()[0] < 128
            and ImageChops.difference(image, other).getextrema()[1] < 32)


def pdf_page_texts(path: Path) -> list[str]:
    """The text of each page, as PDFium (Chromium's PDF engine) reads it."""
    return _texts_within(path, None)


def _page_text(page, bounds: tuple[float, float, float, float] | None = None) -> str:
    """A page's text (within ``bounds``: left, bottom, right, top in points), lines with \n."""
    text_page = page.get_textpage()
    try:
        text = text_page.get_text_bounded(*bounds) if bounds else text_page.get_text_range()
    finally:
        text_page.close()
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _texts_within(path: Path, bounds) -> list[str]:
    """The text of each page within ``bounds(width, height)`` (left, bottom, right, top in
    points; None: the whole page), as PDFium reads it."""
    document = pypdfium2.PdfDocument(path)
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            texts.append(_page_text(page, bounds(*page.get_size()) if bounds else None))
        return texts
    finally:
        document.close()


def pdf_running_heads(path: Path, band: float = 17 * 72 / 25.4) -> list[str]:
    """The text in the top ``band`` points of each page: the running head, if any."""
    return [" ".join(text.split())
            for text in _texts_within(path, lambda width, height: (0, height - band, width, height))]


def pdf_region_texts(path: Path, top: float, bottom: float) -> list[str]:
    """The text of each page without its ``top`` and ``bottom`` margins (in points)."""
    return _texts_within(path, lambda width, height: (0, bottom, width, height - top))


def pdf_text(path: Path) -> str:
    return "\n".join(pdf_page_texts(path))


def pdf_fonts(path: Path) -> list[tuple[str, bool]]:
    """(base font name, embedded?) of every font the pages use."""
    fonts = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                descendants = font.get("/DescendantFonts")
                described = descendants[0] if descendants else font
                descriptor = described.get("/FontDescriptor", {})
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                fonts[str(font.BaseFont)] = embedded
    return sorted(fonts.items())


def pdf_links(path: Path) -> list[tuple[int, str]]:
    """(page index, named destination) of every internal link annotation."""
    links = []
    with pikepdf.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            for annot in page.get("/Annots", []):
                if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                    links.append((index, str(annot.Dest)))
    return links


def pdf_destinations(path: Path) -> dict[str, int]:
    """Named destinations -> page index."""
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
        tree = pikepdf.NameTree(pdf.Root.Names.Dests)
        return {str(name): pages[dest[0].objgen] for name, dest in tree.items()}


@dataclass(frozen=True)
class LinkArea:
    page: int
    rect: tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, normalised
    target: str  # the named destination, or the URI


def pdf_link_areas(path: Path) -> list[LinkArea]:
    """Every link annotation's rectangle (its corners in any order in the file)."""
    areas = []
    with pikepdf.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            for annot in page.get("/Annots", []):
                if annot.get("/Subtype") != "/Link":
                    continue
                x0, y0, x1, y1 = (float(v) for v in annot.Rect)
                target = str(annot.get("/Dest", annot.get("/A", {}).get("/URI", "")))
                areas.append(LinkArea(index, (min(x0, x1), min(y0, y1), max(x0, x1),
                                              max(y0, y1)), target))
    return areas


def glyphs_under(area: LinkArea, chars: list[dict], tolerance: float = 0.5) -> str:
    """The text whose glyphs the area covers: from its baseline to most of its height
    (digits and lowercase letters), across its whole advance."""
    found = []
    x0, y0, x1, y1 = area.rect
    for char in chars:
        baseline = char["matrix"][5]
        if (char["x0"] >= x0 - tolerance and char["x1"] <= x1 + tolerance
                and baseline >= y0 - tolerance
                and baseline + 0.6 * char["size"] <= y1 + tolerance):
            found.append(char["text"])
    return "".join(found)
