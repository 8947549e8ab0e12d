"""[a](#missing) and [b](../../../etc/passwd) passed silently and made an invalid EPUB. A link
to no place in the book is removed, its text kept, with a warning at its line; a link to a
chapter's file leads to that chapter."""

from __future__ import annotations

from brochure.core.diagnostics import Report
from brochure.core.xhtml import q
from brochure.runtime.build import BuildOptions, book_of, read


def test_links_lead_to_the_book_or_are_removed(tmp_path):
    (tmp_path / "book.yaml").write_text("title: T\nlang: en\n")
    (tmp_path / "01.md").write_text("# One\n\nText.\n\n[a](#missing), [b](../../../etc/passwd), "
                                    "[two](02.md), [web](https://example.org).\n")
    (tmp_path / "02.md").write_text("# Two\n\nText.\n")
    report = Report()
    book = book_of(read(BuildOptions(tmp_path), report), report)
    links = [(a.text, a.get("href")) for a in book.chapters[0].body.iter(q("a"))]
    assert links == [("two", "#chapter-2"), ("web", "https://example.org")]
    assert "a, b, two, web." in "".join(book.chapters[0].body.itertext())
    assert [str(w).split("\n")[0] for w in report.warnings] == [
        f"{tmp_path / '01.md'}:5: warning: link to '{href}' leads to no place in the book; it is "
        "removed (its text is kept)" for href in ("#missing", "../../../etc/passwd")]
