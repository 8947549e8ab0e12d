"""A print-shop PDF/X carried a /Link annotation for every note call, back link and contents
entry inside its TrimBox, which preflight tools reject. Paper is not clicked: the shop's PDF and
the booklet carry no interactive annotation, the reading PDF keeps its links."""

from __future__ import annotations

import pikepdf


def _annotations(path) -> list[str]:
    with pikepdf.open(path) as pdf:
        return [str(annotation.get("/Subtype")) for page in pdf.pages
                for annotation in page.obj.get("/Annots", [])]


def test_the_shop_pdf_and_its_booklet_carry_no_links(shop):
    assert _annotations(shop.pdf) == []
    assert _annotations(shop.booklet) == []
    with pikepdf.open(shop.pdf) as pdf:  # the bookmarks stay: no annotation, no ink
        assert len(pdf.open_outline().root) > 0


def test_the_reading_pdf_keeps_its_links(two_chapters, manifesto):
    assert set(_annotations(two_chapters.pdf)) == {"/Link"}
    assert _annotations(manifesto.booklet) == []
