"""The front cover, drawn by WeasyPrint apart from the book, brought font subsets named as the
book's (`FKLZBM+Charis-SIL-Bold` twice in `pdffonts`, with different glyphs): viewers and
preflight tools take two subsets of one name for one font. Every subset name now stands for
one font program."""

from __future__ import annotations

import hashlib

import pikepdf


def test_every_font_subset_name_stands_for_one_font_program(seed):
    programs: dict[str, set[str]] = {}
    with pikepdf.open(seed.pdf) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                data = obj.FontFile2.read_raw_bytes()
                programs.setdefault(str(obj.FontName), set()).add(hashlib.sha256(data).hexdigest())
    assert len(programs) >= 4  # the book's three faces and the cover's
    assert all(len(found) == 1 for found in programs.values()), programs
