"""Typography of the book's language: the rules of each language (languages.py), the rules
that set a run of text (rules.py), and their application to the document's tree (tree.py)."""

from brochure.book.typography.languages import RULES, Rules, rules_for
from brochure.book.typography.rules import decide
from brochure.book.typography.tree import VERBATIM, typeset, typeset_text

__all__ = ["RULES", "VERBATIM", "Rules", "decide", "rules_for", "typeset", "typeset_text"]
