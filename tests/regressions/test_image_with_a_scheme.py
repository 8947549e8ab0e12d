"""<img src="file:///etc/hostname"> on line 7, or ![x](a:b.png), was reported as
"01.md:1: error: '' is not a relative path": the sanitiser had emptied the src before the
image was looked at. The image is refused at its own line, named as written."""

from __future__ import annotations

import pytest

from brochure.book.markdown import parse_chapter
from brochure.core.diagnostics import BrochureError, Report
from brochure.core.model import SourceText
from brochure.manuscript.resolver import Resolver


def test_images_with_a_scheme_are_refused_at_their_lines(tmp_path):
    text = "a\n\nb\n\nc\n\n<img src=\"file:///etc/hostname\">\n\n![x](a:b.png)\n"
    report = Report()
    parse_chapter(SourceText(tmp_path / "01.md", text), Resolver.for_roots(tmp_path), report)
    with pytest.raises(BrochureError) as caught:
        report.raise_if_errors()
    assert [str(d).split("\n")[0] for d in caught.value.diagnostics] == [
        f"{tmp_path / '01.md'}:{line}: error: image '{src}' is not a file of the project: only "
        "relative paths are read" for line, src in ((7, "file:///etc/hostname"), (9, "a:b.png"))]
