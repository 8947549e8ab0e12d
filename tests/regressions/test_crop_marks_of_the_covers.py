"""In the print shop's PDF the front cover's crop marks were thinner and longer than the book's
pages' (a quarter point from a millimetre beyond the bleed, against WeasyPrint's CSS pixel over
the outer half of the margin), and the blank inside of the cover had none: the shop trims every
sheet by the same marks. Every page brochure adds now has the marks of the book's pages."""

from __future__ import annotations

import pikepdf
from helpers import beyond_the_bleed, same_marks


def test_every_page_of_the_shop_pdf_has_the_marks_of_the_books_pages(shop):
    with pikepdf.open(shop.pdf) as pdf:
        labels = [page.label for page in pdf.pages]
    pages = beyond_the_bleed(shop.pdf)
    first = pages[labels.index("1")]
    assert labels[:2] == ["Cover", "Cover"]  # the front cover and its blank inside
    assert [same_marks(page, first) for page in pages] == [True] * len(pages)
