"""Typography per language: Markdown in, the exact code points a reader gets out."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from brochure.book.typography import RULES, rules_for, typeset_text
from brochure.core.diagnostics import BrochureError, Report
from brochure.core.xhtml import XHTML_NS
from brochure.manuscript.read import read_manuscript
from brochure.runtime.build import book_of

NNBSP, NBSP = "\u202f", "\u00a0"


def assemble(tmp_path: Path, lang: str, text: str, extra: str = ""):
    (tmp_path / "book.yaml").write_text(f'title: T\nlang: {lang}\n{extra}', encoding="utf-8")
    (tmp_path / "one.md").write_text(text, encoding="utf-8")
    report = Report()
    return book_of(read_manuscript(tmp_path, report), report)


def body_xml(tmp_path: Path, lang: str, text: str) -> str:
    """The chapter's XHTML, without the namespace declaration."""
    book = assemble(tmp_path, lang, text)
    xml = etree.tostring(book.chapters[0].body, encoding="unicode")
    return xml.replace(f' xmlns="{XHTML_NS}"', "")


def para(tmp_path: Path, lang: str, text: str) -> str:
    """The inner XHTML of the single paragraph ``text`` makes."""
    xml = body_xml(tmp_path, lang, text)
    return xml.removeprefix("<div><p>").removesuffix("</p></div>")


FRENCH = [
    # straight quotes -> « » with narrow no-break spaces; apostrophe; colon with a no-break space
    ('Il a dit "bonjour" : c\'est tout.',
     f"Il a dit «{NNBSP}bonjour{NNBSP}»{NBSP}: c’est tout."),
    # nested quotes: single quotes and doubles inside doubles take the second pair
    ('"Le \'vrai\' travail" et "un "mot" dedans"',
     f"«{NNBSP}Le “vrai” travail{NNBSP}» et «{NNBSP}un “mot” dedans{NNBSP}»"),
    # "?!": one narrow space, before the first mark only
    ("Vraiment?! Oui ?!", f"Vraiment{NNBSP}?! Oui{NNBSP}?!"),
    # an existing space is normalised, not doubled; a missing one is added
    ("Profession : bénévole; payé! quoi? voilà:",
     f"Profession{NBSP}: bénévole{NNBSP}; payé{NNBSP}! quoi{NNBSP}? voilà{NBSP}:"),
    ("Déjà « cité » et «collé» et\u00a0«\u00a0large\u00a0»",
     f"Déjà «{NNBSP}cité{NNBSP}» et «{NNBSP}collé{NNBSP}» et{NBSP}«{NNBSP}large{NNBSP}»"),
    # ellipsis, apostrophe at a word start, spaced hyphen as a dash, times left alone
    ("Et... 'tain, à 10:30 - enfin", "Et… ’tain, à 10:30 – enfin"),
    # a URL with "?" in it keeps its characters; the sentence's own "?" gets its space
    ("Voir https://exemple.org/page?id=1&x=2:3 ?",
     f'Voir <span class="url">https://exemple.org/page?id=1&amp;x=2:3</span>{NNBSP}?'),
    # code spans are code, quotes around them are text
    ('Tapez `a ? "b" : c` puis "`ok`" !',
     f'Tapez <code>a ? "b" : c</code> puis «{NNBSP}<code>ok</code>{NNBSP}»{NNBSP}!'),
    # a quotation that opens before emphasis and closes after it
    ('Un "*vrai* travail" ?', f"Un «{NNBSP}<em>vrai</em> travail{NNBSP}»{NNBSP}?"),
    # centuries and ordinals as real superscripts; 'ème' is written 'e'
    ("Au XXIe siècle, le 1er, la 1re, le 2e, le 3ème. De, Ce.",
     "Au XXI<sup>e</sup> siècle, le 1<sup>er</sup>, la 1<sup>re</sup>, le 2<sup>e</sup>, "
     "le 3<sup>e</sup>. De, Ce."),
    # read across inline elements
    ("Le *XXIe* siècle, la **1re** fois",
     "Le <em>XXI<sup>e</sup></em> siècle, la <strong>1<sup>re</sup></strong> fois"),
    # digit groups and percentages stay on one line
    ("500 000 clients, 1 200 000 euros, 50 % et 12%, en 2007 100 000",
     f"500{NNBSP}000 clients, 1{NNBSP}200{NNBSP}000 euros, 50{NNBSP}% et 12{NNBSP}%, "
     f"en 2007 100{NNBSP}000"),
    # already raised by the author: left as it is
    ("Le XXI<sup>e</sup> siècle", "Le XXI<sup>e</sup> siècle"),
]

ENGLISH = [
    ("\"She said 'hi' to me,\" he wrote.", "“She said ‘hi’ to me,” he wrote."),
    ('"Nested "double" quotes"', "“Nested ‘double’ quotes”"),
    ("'Tis the '80s; don't panic?!", "’Tis the ’80s; don’t panic?!"),
    ("one -- two --- three ... four", "one – two — three … four"),
    ("Note : spacing is the author's", "Note : spacing is the author’s"),
    ('Code `"x"` stays', 'Code <code>"x"</code> stays'),
]

GERMAN = [
    ("\"Er sagte 'ja' und \"nein\"\"", "„Er sagte ‚ja‘ und ‚nein‘“"),
    ("Das ist's: \"gut\"!", "Das ist’s: „gut“!"),
]


@pytest.mark.parametrize(("source", "expected"), FRENCH)
def test_french(tmp_path, source, expected):
    assert para(tmp_path, "fr", source) == expected


@pytest.mark.parametrize(("source", "expected"), ENGLISH)
def test_english(tmp_path, source, expected):
    assert para(tmp_path, "en-GB", source) == expected


@pytest.mark.parametrize(("source", "expected"), GERMAN)
def test_german(tmp_path, source, expected):
    assert para(tmp_path, "de", source) == expected


def test_a_region_with_its_own_row_uses_it(tmp_path):
    assert para(tmp_path, "de-CH", "\"Er sagte 'ja'\"") == "«Er sagte ‹ja›»"
    assert rules_for("fr-CA") == RULES["fr"]


def test_unknown_language_gets_curly_quotes(tmp_path):
    assert para(tmp_path, "sw", "\"Habari\" 'yako'") == "“Habari” ‘yako’"
    assert rules_for("sw") == RULES["en"]


def test_code_blocks_links_and_attributes_are_untouched(tmp_path):
    xml = body_xml(tmp_path, "fr", (
        'Un [lien "x"](https://exemple.org/?q=1 "titre : "a"") et '
        '<abbr title="dit : \'x\'">ONU</abbr> !\n\n'
        '```\nprint("a : b ?")\n```\n\n'
        '    indenté "code" ?\n'))
    assert 'href="https://exemple.org/?q=1"' in xml
    assert 'title="titre : &quot;a&quot;"' in xml
    assert "title=\"dit : 'x'\"" in xml
    assert f"lien «{NNBSP}x{NNBSP}»</a>" in xml
    assert f"</abbr>{NNBSP}!" in xml
    assert '<code>print("a : b ?")</code>' in xml
    assert '<pre><code>indenté "code" ?\n</code></pre>' in xml


def test_an_element_in_another_language_follows_its_rules(tmp_path):
    xml = body_xml(tmp_path, "fr", '<p lang="en">"Hi" : there</p>\n\n"Salut" : toi\n')
    assert '<p lang="en">“Hi” : there</p>' in xml
    assert f"<p>«{NNBSP}Salut{NNBSP}»{NBSP}: toi</p>" in xml


def test_headings_notes_and_title_are_typeset(tmp_path):
    book = assemble(tmp_path, "fr", '## Profession : "bénévole"\n\nTexte[^1].\n\n[^1]: Voir "ceci" ?\n',
                    extra='subtitle: \'Un "essai" : court\'\n')
    [heading] = book.chapters[0].headings
    assert heading.text == f"Profession{NBSP}: «{NNBSP}bénévole{NNBSP}»"
    [note] = book.notes
    assert "".join(note.blocks[0].itertext()) == f"Voir «{NNBSP}ceci{NNBSP}»{NNBSP}?"
    assert book.metadata.subtitle == f"Un «{NNBSP}essai{NNBSP}»{NBSP}: court"


def test_note_call_before_punctuation(tmp_path):
    xml = body_xml(tmp_path, "fr", 'Le "mot"[^1] : fin.\n\n[^1]: n\n')
    assert f"«{NNBSP}mot{NNBSP}»<sup>" in xml
    assert f"</sup>{NBSP}: fin." in xml


def test_every_language_has_two_pairs_of_quotes():
    for lang, rules in RULES.items():
        assert len(rules.quotes) == 2, lang
        assert all(len(mark) == 1 for pair in rules.quotes for mark in pair), lang


def test_a_book_can_choose_other_rules_or_none(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    book = assemble(tmp_path / "a", "fr-CH", '"Salut" : toi', extra="typography: de\n")
    assert "".join(book.chapters[0].body.itertext()) == "„Salut“ : toi"
    book = assemble(tmp_path / "b", "fr", '"Salut" : toi', extra="typography: none\n")
    assert "".join(book.chapters[0].body.itertext()) == '"Salut" : toi'


def test_an_unknown_typography_setting_is_an_error_at_its_line(tmp_path):
    with pytest.raises(BrochureError) as caught:
        assemble(tmp_path, "fr", "x", extra="typography: klingon\n")
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'book.yaml'}:3: error: 'typography' must be one of ")
    assert "auto, none, en, fr, de" in message and "'klingon'" in message


TEXT = st.text(alphabet="ab1 \u00a0\u202f\"'.,;:!?-«»()\n", max_size=40)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, lang=st.sampled_from(["fr", "en", "de", "pl"]))
def test_typography_keeps_the_words_and_is_idempotent(text, lang):
    once = typeset_text(text, lang)
    assert [ch for ch in once if ch.isalnum()] == [ch for ch in text if ch.isalnum()]
    assert typeset_text(once, lang) == once
