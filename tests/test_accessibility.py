"""Accessibility: the EPUB's metadata says what the book holds, the conformance claim is made
only when the checks hold, and DAISY Ace finds nothing to report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, build_fixture
from lxml import etree

ACE = ROOT / "tests" / "ace" / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OPF = {"opf": "http://www.idpf.org/2007/opf"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def metadata(epub: Path) -> dict[str, list[str]]:
    with zipfile.ZipFile(epub) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
    found: dict[str, list[str]] = {}
    for meta in opf.xpath("//opf:meta[@property]", namespaces=OPF):
        found.setdefault(meta.get("property"), []).append(meta.text)
    return found


def summary_element(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
    return opf.xpath("//opf:meta[@property='schema:accessibilitySummary']", namespaces=OPF)[0]


def test_a_book_whose_checks_hold_claims_conformance(figures):
    found = metadata(figures.epub)
    assert found["schema:accessMode"] == ["textual", "visual"]
    assert found["schema:accessModeSufficient"] == ["textual", "textual,visual"]
    assert set(found["schema:accessibilityFeature"]) == {
        "ARIA", "alternativeText", "displayTransformability", "pageNavigation",
        "printPageNumbers", "readingOrder", "structuralNavigation", "tableOfContents"}
    assert found["schema:accessibilityHazard"] == ["none"]
    assert found["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert found["a11y:certifiedBy"] == ["Test Press"]
    assert "Every image has a text alternative." in found["schema:accessibilitySummary"][0]


def test_an_image_without_alt_text_withdraws_the_claim(tmp_path, epoch_env):
    (tmp_path / "map.svg").write_bytes((FIXTURES / "figures" / "map.svg").read_bytes())
    path = tmp_path / "essay.md"
    path.write_text("---\ntitle: T\nlang: en\n---\nText.\n\n![](map.svg)\n", "utf-8")
    built = build_fixture(path, tmp_path / "out", formats=("epub",))
    assert any("has no alt text" in str(d) for d in built.report.warnings)
    found = metadata(built.epub)
    assert "dcterms:conformsTo" not in found and "a11y:certifiedBy" not in found
    assert found["schema:accessModeSufficient"] == ["textual,visual"]
    assert "alternativeText" not in found["schema:accessibilityFeature"]
    assert "Some images have no text alternative." in found["schema:accessibilitySummary"][0]


def test_the_summary_is_in_the_books_language(seed, tmp_path, epoch_env):
    summary = summary_element(seed.epub)
    assert summary.text.startswith("Cette publication satisfait à EPUB Accessibility 1.1")
    assert summary.get(XML_LANG) is None
    path = tmp_path / "essay.md"
    path.write_text("---\ntitle: T\nlang: pl\n---\nTekst.\n", "utf-8")
    polish = build_fixture(path, tmp_path / "out", formats=("epub",))
    assert summary_element(polish.epub).get(XML_LANG) == "en"  # no Polish sentences yet


def test_a_book_without_its_language_makes_no_claim(tmp_path, epoch_env):
    path = tmp_path / "essay.md"
    path.write_text("---\ntitle: T\n---\nText.\n", "utf-8")
    built = build_fixture(path, tmp_path / "out", formats=("epub",))
    assert "dcterms:conformsTo" not in metadata(built.epub)


# ---- DAISY Ace ----------------------------------------------------------------------------

def ace_violations(epub: Path, out: Path) -> list[str]:
    """What Ace reports about an EPUB (rule, impact, where), empty when it reports nothing."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is absent: DAISY Ace cannot run (scripts/test installs it)")
    assert ACE.exists(), "DAISY Ace is not installed: run scripts/test, which installs it"
    environment = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": CHROMIUM}
    done = subprocess.run([str(ACE), "--silent", "--force", "--outdir", str(out), str(epub)],
                          capture_output=True, text=True, env=environment, timeout=300,
                          check=False)
    report_file = out / "report.json"
    assert report_file.exists(), done.stdout + done.stderr
    report = json.loads(report_file.read_text("utf-8"))
    found = []
    for document in report["assertions"]:
        for assertion in document.get("assertions", []):
            test = assertion["earl:test"]
            found.append(f"{test['dct:title']} ({test['earl:impact']}) in "
                         f"{document['earl:testSubject']['url']}")
    return found


def test_ace_reports_nothing_on_figures_and_tables(figures, tmp_path):
    assert ace_violations(figures.epub, tmp_path) == []


def test_ace_reports_nothing_on_the_seed(seed, tmp_path):
    assert ace_violations(seed.epub, tmp_path) == []


@pytest.mark.slow
@pytest.mark.parametrize("book", ["communist-manifesto", "mutual-aid"])
def test_ace_reports_nothing_on_the_corpus(book, tmp_path, epoch_env):
    built = build_fixture(FIXTURES.parent / "corpus" / book, tmp_path / "out")
    assert ace_violations(built.epub, tmp_path / "ace") == []
