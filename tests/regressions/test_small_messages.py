"""SOURCE_DATE_EPOCH=-1 was accepted; the YAML escape of an emoji as a surrogate pair
("\\ud83c\\udf89") was refused as a control character; the warning for java&#x09;script: had
no line and printed a raw tab."""

from __future__ import annotations

import re

import pytest

from brochure.book.markdown import parse_chapter
from brochure.core.clock import build_time
from brochure.core.diagnostics import BrochureError, Report
from brochure.core.model import SourceText
from brochure.manuscript.read import read_manuscript
from brochure.manuscript.resolver import Resolver


@pytest.mark.parametrize("epoch", ["-1", "+5", "1.5"])
def test_source_date_epoch_must_be_a_non_negative_integer(epoch):
    said = re.escape(f"SOURCE_DATE_EPOCH='{epoch}' is not a number")
    with pytest.raises(BrochureError, match=said):
        build_time(None, {"SOURCE_DATE_EPOCH": epoch})  # type: ignore[arg-type]


def test_a_surrogate_pair_escape_is_one_character(tmp_path):
    (tmp_path / "book.yaml").write_text('title: "Party \\ud83c\\udf89"\nlang: en\n')
    (tmp_path / "a.md").write_text("Text.\n")
    assert read_manuscript(tmp_path, Report()).metadata.title == "Party \U0001f389"


def test_a_link_spelled_with_a_character_reference_is_reported_at_its_line(tmp_path):
    report = Report()
    text = "Text.\n\nA <a href=\"java&#x09;script:x()\">link</a>.\n"
    parse_chapter(SourceText(tmp_path / "a.md", text), Resolver.for_roots(tmp_path), report)
    assert [str(w).split("\n")[0] for w in report.warnings] == [
        f"{tmp_path / 'a.md'}:3: warning: removed link to 'java\\x09script:x()' (javascript: links "
        "are removed)"]
