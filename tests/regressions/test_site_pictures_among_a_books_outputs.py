"""Since books have covers, a shelf wrote the site's pictures of a book (`cover.png`,
`thumbnail.png`) into the book's own folder, among its outputs. They are the site's: they now
go to `covers/` and `thumbnails/` beside the books' folders, and a book's folder holds what a
build of that book alone writes, nothing else."""

from __future__ import annotations

from shelf_books import build_in_process, write_book


def test_a_books_folder_in_a_shelf_holds_what_it_holds_alone(tmp_path, epoch_env):
    book = write_book(tmp_path / "shelf" / "pamphlet", "Pamphlet", extra_yaml="formats: [epub]\n")
    shelf = build_in_process(tmp_path / "shelf", out=tmp_path / "site")
    alone = build_in_process(book, out=tmp_path / "alone")
    assert shelf.status == alone.status == 0, shelf.stderr + alone.stderr
    assert sorted(p.name for p in (tmp_path / "site" / "pamphlet").iterdir()) == sorted(
        p.name for p in (tmp_path / "alone").iterdir()) == ["pamphlet.epub"]
    assert (tmp_path / "site" / "covers" / "pamphlet.png").is_file()
    assert (tmp_path / "site" / "thumbnails" / "pamphlet.png").is_file()
