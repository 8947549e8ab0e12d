"""An EPUB alone, from a book that names its cover image, drew a PDF page of that image with
WeasyPrint in a child process of its own (a second of a pamphlet's first build) that nothing
used: only a PDF shows that page. The image is now taken as it is."""

from __future__ import annotations

import io
import shutil
import zipfile

import pytest
from conftest import FIXTURES, build_fixture
from PIL import Image

from brochure.cover import draw as cover_draw
from brochure.runtime import build as build_module


def test_an_epub_alone_from_a_cover_image_draws_nothing(tmp_path, epoch_env, monkeypatch):
    book = tmp_path / "book"
    shutil.copytree(FIXTURES / "two-chapters", book)
    picture = io.BytesIO()
    Image.new("RGB", (1600, 2560), (156, 51, 36)).save(picture, format="PNG")
    (book / "cover.png").write_bytes(picture.getvalue())
    (book / "book.yaml").write_text((book / "book.yaml").read_text() + "cover-image: cover.png\n")

    def nothing_drawn(*args, **kwargs):
        pytest.fail("a cover was drawn, or a child process started, for an EPUB alone")

    monkeypatch.setattr(cover_draw, "draw_cover", nothing_drawn)
    monkeypatch.setattr(build_module, "start_bounded", nothing_drawn)
    built = build_fixture(book, tmp_path / "out", formats=("epub",), cache=False)
    with zipfile.ZipFile(built.epub) as epub:
        covers = [name for name in epub.namelist() if name.endswith("cover.png")]
        assert [epub.read(name) for name in covers] == [picture.getvalue()]
