"""ISBNs as a user writes them: ISBN-10 or ISBN-13, with or without hyphens, spaces, an
"ISBN" label or a ``urn:isbn:`` prefix. The check digit is verified here, so that the message
can name the digit expected; the hyphenation follows the registration groups' ranges, which
python-stdnum ships (offline)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stdnum import isbn as stdnum_isbn

_PREFIX = re.compile(r"^\s*(?:urn:isbn:|isbn(?:-1[03])?\s*:?)\s*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-‐‑‒–]")  # hyphens as typed or as a word processor made them


@dataclass(frozen=True)
class Isbn:
    """A checked ISBN, kept as its 13 digits."""

    isbn13: str

    @property
    def hyphenated(self) -> str:
        """The ISBN-13 with hyphens between prefix, group, registrant, publication and check."""
        return str(stdnum_isbn.format(self.isbn13))

    @property
    def isbn10(self) -> str | None:
        """The ISBN-10 form, which only 978- ISBNs have."""
        if not self.isbn13.startswith("978"):
            return None
        body = self.isbn13[3:12]
        return body + isbn10_check_digit(body)


def looks_like_isbn(text: str) -> bool:
    """Whether ``text`` is written as an ISBN would be (labelled, or 10 or 13 digits)."""
    prefix = _PREFIX.match(text)
    if prefix and prefix.group().strip():
        return True
    digits = _SEPARATORS.sub("", text)
    return bool(re.fullmatch(r"\d{9}[\dXx]|97[89]\d{10}", digits))


def parse_isbn(text: str) -> Isbn:
    """The ISBN written in ``text``; ValueError names what is wrong (length, characters, the
    check digit expected)."""
    digits = _SEPARATORS.sub("", _PREFIX.sub("", text))
    if len(digits) == 10:
        if not re.fullmatch(r"\d{9}[\dXx]", digits):
            raise ValueError(f"ISBN-10 '{text}': nine digits and a digit or X expected")
        expected = isbn10_check_digit(digits[:9])
        if digits[9].upper() != expected:
            raise ValueError(f"ISBN-10 '{text}' has the check digit {digits[9]}, "
                             f"where its other digits give {expected}")
        body = "978" + digits[:9]
        return Isbn(body + isbn13_check_digit(body))
    if len(digits) == 13:
        if not digits.isdigit():
            raise ValueError(f"ISBN-13 '{text}': only digits expected")
        if digits[:3] not in ("978", "979"):
            raise ValueError(f"ISBN-13 '{text}' starts with {digits[:3]}, not 978 or 979")
        expected = isbn13_check_digit(digits[:12])
        if digits[12] != expected:
            raise ValueError(f"ISBN-13 '{text}' has the check digit {digits[12]}, "
                             f"where its other digits give {expected}")
        return Isbn(digits)
    raise ValueError(f"ISBN '{text}' has {len(digits)} digits; an ISBN has 10 or 13")


def isbn13_check_digit(first12: str) -> str:
    """The check digit of an ISBN-13 (EAN-13): weights 1 and 3, modulo 10."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def isbn10_check_digit(first9: str) -> str:
    """The check digit of an ISBN-10: weights 10 down to 2, modulo 11 (10 is written X)."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)
