"""The typographic rules of each language: quotes, spaces before punctuation, ordinals.

Each language is one row of ``RULES``; a row for a region (``de-CH``) takes precedence over its
language's. The languages are the ones ``core/settings.py`` offers for the ``typography``
setting (tests/test_typography.py checks they agree).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space
APOSTROPHE = "\u2019"
ELLIPSIS = "\u2026"
EN_DASH = "\u2013"
EM_DASH = "\u2014"


@dataclass(frozen=True)
class Rules:
    """How one language sets quotes, spaces and ordinals."""

    quotes: tuple[tuple[str, str], tuple[str, str]]  # (open, close) at levels 1 and 2
    space_inside_quotes: str = ""  # between « and the word, and the word and »
    space_before: dict[str, str] = field(default_factory=dict)  # punctuation -> space before it
    spaced_hyphen: str = EN_DASH  # what " - " between words becomes
    ordinals: re.Pattern[str] | None = None  # group 1 the number, group 2 the suffix to raise
    ordinal_suffixes: dict[str, str] = field(default_factory=dict)  # spelling -> proper suffix
    digit_group_space: str = ""  # the space of 500 000, kept on one line


# French ordinals: 1er, 1re, 2e, 2d, 2nde, XXIe siècle (a Roman numeral only before a word that
# makes it one, since "De", "Ce", "Me" are words).
_FRENCH_ORDINALS = re.compile(
    r"(?<![\w\u00b2\u00b3])"
    r"(\d+|[IVXLCDM]+(?=(?:e|er|ème|eme)s?[ \u00a0\u202f]+(?:si[eè]cles?|mill[eé]naires?"
    r"|arrondissements?|[Rr][ée]publique|[Ee]mpire|[Ii]nternationale|congr[eè]s|dynastie)\b))"
    r"(ers?|res?|nde?s?|ème|èmes|eme|emes|e|es)(?!\w)"
)

RULES: dict[str, Rules] = {
    "en": Rules(quotes=(("\u201c", "\u201d"), ("\u2018", "\u2019"))),
    "fr": Rules(
        quotes=(("\u00ab", "\u00bb"), ("\u201c", "\u201d")),
        space_inside_quotes=NNBSP,
        space_before={";": NNBSP, "!": NNBSP, "?": NNBSP, ":": NBSP, "%": NNBSP},
        ordinals=_FRENCH_ORDINALS,
        digit_group_space=NNBSP,
        ordinal_suffixes={"ème": "e", "eme": "e", "èmes": "es", "emes": "es"},
    ),
    "de": Rules(quotes=(("\u201e", "\u201c"), ("\u201a", "\u2018"))),
    "de-CH": Rules(quotes=(("\u00ab", "\u00bb"), ("\u2039", "\u203a"))),
    "es": Rules(quotes=(("\u00ab", "\u00bb"), ("\u201c", "\u201d"))),
    "it": Rules(quotes=(("\u00ab", "\u00bb"), ("\u201c", "\u201d"))),
    "pt": Rules(quotes=(("\u00ab", "\u00bb"), ("\u201c", "\u201d"))),
    "pl": Rules(quotes=(("\u201e", "\u201d"), ("\u00ab", "\u00bb"))),
    "cs": Rules(quotes=(("\u201e", "\u201c"), ("\u201a", "\u2018"))),
    "nl": Rules(quotes=(("\u201c", "\u201d"), ("\u2018", "\u2019"))),
}
DEFAULT = RULES["en"]


def rules_for(lang: str) -> Rules:
    """The rules of a language tag: its own row (de-CH), else its language's ('fr-CA' -> fr),
    else English-style quotes."""
    by_tag = {tag.lower(): rules for tag, rules in RULES.items()}
    return by_tag.get(lang.lower()) or by_tag.get(lang.split("-")[0].lower(), DEFAULT)


