"""Settings are declared once: the README's table, the command line's options and the checks of
book.yaml all come from the declarations."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import ROOT

from brochure.cli import main
from brochure.core.diagnostics import BrochureError
from brochure.core.settings import PrintMode, Settings, declarations
from brochure.core.settings_doc import with_table
from brochure.manuscript.metadata import parse_yaml, settings_from_yaml


def test_the_readme_table_is_the_declarations():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert readme == with_table(readme), "run: .venv/bin/python -m brochure.core.settings_doc"


def test_every_setting_with_an_option_is_on_the_command_line():
    done = CliRunner().invoke(main, ["build", "--help"])
    for declaration in declarations():
        if declaration.option:
            assert declaration.option in done.output


@pytest.mark.parametrize("declaration", declarations(), ids=lambda d: d.key)
def test_every_setting_refuses_a_wrong_value_at_its_line(tmp_path, declaration):
    path = tmp_path / "book.yaml"
    doc = parse_yaml(f"title: T\nlang: en\n{declaration.key}: [[nonsense]]\n", path)
    with pytest.raises(BrochureError) as caught:
        settings_from_yaml(doc)
    assert str(caught.value).startswith(f"{path}:3: error: '{declaration.key}' ")


def test_values_are_typed_whichever_way_they_come():
    from_yaml = settings_from_yaml(parse_yaml("print: shop\n", ROOT / "book.yaml"))
    from_options = Settings().overridden({"print_mode": "shop"})
    assert from_yaml.print_mode is PrintMode.SHOP and from_options.print_mode is PrintMode.SHOP


def test_a_wrong_option_names_itself_once():
    done = CliRunner().invoke(main, ["build", "--trim", "B7"])
    assert done.exit_code == 2
    assert "Invalid value for '--trim': must be one of A6, A5" in done.output
    assert done.output.count("trim") == 1


def test_usage_errors_and_internal_errors_have_their_own_status():
    assert CliRunner().invoke(main, ["build", "--format", "pfd"]).exit_code == 2
    assert CliRunner().invoke(main, []).exit_code == 2
