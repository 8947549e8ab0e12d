"""Raised by relative positioning so that their links could be tapped, superscripts were drawn
after the rest of their page: PDFium (Chromium's and Firefox's engines read in drawing order)
read "XXI siècle ... e" and a search for "XXIe" found nothing. A superscript now keeps its
own line box on paper, in the text's order, its link still tappable and the lines unmoved."""

from __future__ import annotations

from helpers import pdf_page_texts


def test_a_french_ordinal_and_a_note_call_read_in_place(seed):
    text = " ".join(" ".join(page.split()) for page in pdf_page_texts(seed.pdf))
    assert "début de XXIe siècle" in text
    assert "de Pékin1 . Depuis" in text, text[:600]  # PDFium puts a space after a raised run
