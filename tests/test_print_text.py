"""What the paper reader sees of words and addresses: hyphenation that leaves at least three
letters on each side of a break, addresses never hyphenated (they may break after a '/'), and
the address of a link whose text hides it printed after the text."""

from __future__ import annotations

import re

import pdfplumber
import pytest
from conftest import ROOT, build_fixture

HYPHEN = "\u2010"  # what WeasyPrint puts at the end of a hyphenated line
GOLDEN_ADDRESSES = ROOT / "tests" / "golden" / "addresses.md"
LONG_LINE = ("\n\nLe volontariat est sollicité par des organisations qui demandent aux bénévoles "
             "de travailler pour https://www.example.org/rapports/annuel/volontariat/index.html "
             "et davantage encore, pour https://example.org/un/long/chemin/vers/la/page.html.\n")


def pdf_page_texts(path) -> list[str]:
    """Each page's lines as drawn (pdfplumber keeps a line-end hyphen and the line break)."""
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _breaks(text: str) -> list[tuple[str, str]]:
    """(end of the line, start of the next) around each hyphenated line end."""
    return re.findall(rf"(\w*){HYPHEN}\n(\w*)", text)


def test_hyphenation_leaves_three_letters_on_each_side(seed):
    breaks = [pair for page in pdf_page_texts(seed.pdf) for pair in _breaks(page)]
    assert len(breaks) > 10  # the essay is justified and hyphenated
    short = [f"{before}-{after}" for before, after in breaks if len(before) < 3 or len(after) < 3]
    assert short == []


@pytest.fixture(scope="module")
def addresses(tmp_path_factory, epoch_env):
    folder = tmp_path_factory.mktemp("addresses")
    (folder / "addresses.md").write_text(GOLDEN_ADDRESSES.read_text() + LONG_LINE)
    return build_fixture(folder / "addresses.md", folder / "out", formats=("pdf",),
                         settings={"trim": "A6"}, cache=False)


def test_addresses_are_never_hyphenated(addresses):
    text = "\n".join(pdf_page_texts(addresses.pdf))
    broken = 0
    for address in ("https://www.example.org/rapports/annuel/volontariat/index.html",
                    "https://example.org/un/long/chemin/vers/la/page.html",
                    "https://example.org/rapports/annuel.pdf"):
        # Found with nothing added but line breaks, each of them after a '/'.
        found = re.search(r"\n?".join(map(re.escape, address)), text)
        assert found, address
        breaks = [i for i, ch in enumerate(found.group()) if ch == "\n"]
        assert all(found.group()[i - 1] == "/" for i in breaks), found.group()
        broken += len(breaks)
    assert broken >= 2  # on an A6 page, the long addresses do break
    assert not re.search(rf"example[^\s]*{HYPHEN}\n", text)


def test_a_link_whose_text_hides_its_address_prints_it(addresses):
    unbroken = "\n".join(pdf_page_texts(addresses.pdf)).replace("\n", " ")
    unbroken = re.sub(r"/ ", "/", unbroken)
    assert "le rapport annuel (https://example.org/rapports/annuel.pdf)" in unbroken
    assert "écrivez-nous (collectif@example.org)" in unbroken.replace("écrivez- nous", "écrivez-nous")
    assert "une page (http://example.net/page?x=1&y=2)" in unbroken
    # A link that shows its address is not followed by it again.
    assert "example.org (" not in unbroken and "rapports/ (" not in unbroken
