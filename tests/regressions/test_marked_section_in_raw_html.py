"""<div><![foo[x]]></div> made Python's html.parser raise AssertionError inside the audit: an
internal error (33 of 1,026 random runs). It is the input's error, at its line."""

from __future__ import annotations

from click.testing import CliRunner

from brochure.cli import main


def test_a_marked_section_is_an_error_at_its_line(tmp_path, epoch_env):
    (tmp_path / "book.yaml").write_text("title: T\nlang: en\n")
    (tmp_path / "a.md").write_text("Text.\n\n<div><![foo[x]]></div>\n")
    done = CliRunner().invoke(main, ["build", str(tmp_path), "--out", str(tmp_path / "out"),
                                     "--format", "epub", "--no-cache"])
    assert done.exit_code == 1, done.output
    assert (f"{tmp_path / 'a.md'}:3: error: raw HTML that cannot be read: unknown status keyword "
            "'foo' in marked section") in done.output
