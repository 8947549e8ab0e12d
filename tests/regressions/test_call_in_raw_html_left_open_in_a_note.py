"""Found by the fuzzing test: in a note, `<sup>[^d]<a href="x">[^a][^d]` (raw HTML left open)
had the HTML parser move the call to [^a] into the raw <sup>, so that numbering it replaced the
first call to [^d] too, and the EPUB's note d linked back to a call that was gone (a broken
book, exit 70). A call that raw HTML left open has moved or wrapped is now the input's error."""

from __future__ import annotations

import pytest

from brochure.core.diagnostics import BrochureError
from brochure.runtime.build import BuildOptions, build


def test_a_call_moved_by_raw_html_left_open_is_an_error_at_its_line(tmp_path, epoch_env):
    book = tmp_path / "book"
    book.mkdir()
    (book / "book.yaml").write_text("title: T\nlang: en\n")
    (book / "01.md").write_text("word[^b]\n\n[^a]: A.\n\n"
                                '[^b]: <sup>[^d]<a href="x">[^a][^d]\n\n[^d]: D.\n')
    with pytest.raises(BrochureError) as caught:
        build(BuildOptions(book, tmp_path / "out", settings={"formats": ("epub",)}, cache=False))
    assert "01.md:5: error: note [^a] is called inside raw HTML left open" in str(caught.value)
    assert not (tmp_path / "out").exists()
