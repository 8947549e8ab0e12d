"""Each typographic rule on its own, in the order the registry applies them."""

from __future__ import annotations

import pytest

from brochure.book.typography import RULES
from brochure.book.typography.rules import CHARACTER_RULES, RUN_RULES, Run, decide
from brochure.core.settings import TYPOGRAPHY_LANGUAGES

EN, FR = RULES["en"], RULES["fr"]


def applied(text: str, rules=EN) -> str:
    changes = decide(text, rules)
    return "".join(changes.get(i, ch) for i, ch in enumerate(text))


def test_the_languages_are_the_settings_languages():
    assert tuple(RULES) == TYPOGRAPHY_LANGUAGES


def test_the_rules_are_applied_in_their_documented_order():
    assert [name for name, _ in RUN_RULES] == ["protected addresses", "digit groups",
                                               "single quotes found"]
    assert [name for name, _, _ in CHARACTER_RULES] == [
        "double quotes", "single quotes and apostrophes", "typed guillemets", "ellipsis",
        "em dash", "en dash", "spaced hyphen", "space before punctuation"]


@pytest.mark.parametrize(("text", "rules", "expected"), [
    # protected addresses: nothing inside a URL changes
    ("see http://a.org/x--y...z", EN, "see http://a.org/x--y...z"),
    # digit groups: the language's space, none in English
    ("500 000 personnes", FR, "500\u202f000 personnes"),
    ("500 000 people", EN, "500 000 people"),
    # double quotes, nested ones alternating
    ('"a "b" c"', EN, "\u201ca \u2018b\u2019 c\u201d"),
    ('"a"', FR, "\u00ab\u202fa\u202f\u00bb"),
    # single quotes: a quotation, or an apostrophe
    ("'tis 'a' l'x", EN, "\u2019tis \u2018a\u2019 l\u2019x"),
    # typed guillemets get their spaces
    ("\u00abmot\u00bb", FR, "\u00ab\u202fmot\u202f\u00bb"),
    # ellipsis: three dots, not two
    ("a... b..", EN, "a\u2026 b.."),
    # dashes
    ("a---b a--b", EN, "a\u2014b a\u2013b"),
    ("a - b", EN, "a \u2013 b"),
    # space before punctuation, not in times, one before ?!
    ("Quoi?! Oui : 10:30 ; 5%", FR, "Quoi\u202f?! Oui\u00a0: 10:30\u202f; 5\u202f%"),
])
def test_each_rule(text, rules, expected):
    assert applied(text, rules) == expected


def test_a_rule_reads_what_the_rules_before_it_decided():
    # The closing quote is decided before the colon after it: French space before the colon.
    assert applied('Il dit "oui":', FR) == "Il dit \u00ab\u202foui\u202f\u00bb\u00a0:"


def test_a_run_starts_with_nothing_decided():
    run = Run("text", EN)
    assert run.out == {} and run.open_quotes == []
