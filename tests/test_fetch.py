"""Nothing outside the book is read: the PDF renderer's fetcher and the resolver."""

from __future__ import annotations

import pytest

from brochure.core.diagnostics import BrochureError
from brochure.manuscript.resolver import Resolver
from brochure.pdf.draw import BASE_URL, BookFetcher


def test_fetcher_serves_only_the_books_files():
    refused: list[str] = []
    fetcher = BookFetcher({"styles/a.css": (b"p{}", "text/css")}, refused)
    assert fetcher.fetch(BASE_URL + "styles/a.css").read() == b"p{}"
    for url in ("file:///etc/passwd", "http://127.0.0.1/x.png", BASE_URL + "../../etc/passwd",
                BASE_URL + "styles/b.css"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(refused) == 4


def test_stylesheet_cannot_read_a_local_file(tmp_path, monkeypatch):
    from brochure.core.diagnostics import Report
    from brochure.runtime.build import BuildOptions, build

    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "a.css").write_text("body { background: url(/etc/hostname) }")
    book = tmp_path / "book"
    book.mkdir()
    (book / "book.yaml").write_text("title: T\nlang: en\n")
    (book / "a.md").write_text("Text.\n")
    with pytest.raises(BrochureError) as caught:
        build(BuildOptions(book, tmp_path / "out"), Report())
    assert "not a relative path" in str(caught.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("reference", [
    "../outside.png", "%2e%2e/outside.png", "/etc/passwd", "file:///etc/passwd",
    "https://example.org/x.png",
])
def test_resolver_refuses_what_is_not_in_the_project(tmp_path, reference):
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(BrochureError):
        Resolver.for_roots(project).reference(reference, project / "chapter.md")


def test_resolver_refuses_symlinks_that_leave_the_project(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (project / "link.png").symlink_to(tmp_path / "secret.png")
    with pytest.raises(BrochureError):
        Resolver.for_roots(project).reference("link.png", project / "chapter.md")
