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
        return stdnum_isbn.format(self.isbn13)

    @property
    def isbn10(self) -> str | None:
        """The ISBN-10 form, which only 978- ISBNs have."""
        if not self.isbn13.startswith("978"):
            return None
        body = self.isbn13[3:12]
        return body + isbn10_check_digit(body)


def parse_isbn(text: str) -> Isbn:
    """The ISBN written in ``text``; ValueError names what is wrong (length, characters, the
    check digit expected)."""
    digits = _SEPARATORS.sub("", _PREFIX.sub("", text))
    if len(digits) == 10:
        if not re.fullmatch(r"\d{9}[\dXx]", digits):
            raise ValueError(f"ISBN-10 {text!r}: nine digits and a digit or X expected")
        expected = isbn10_check_digit(digits[:9])
        if digits[9].upper() != expected:
            raise ValueError(f"ISBN-10 {text!r}: wrong check digit {digits[9]!r}, expected {expected!r}")
        body = "978" + digits[:9]
        return Isbn(body + isbn13_check_digit(body))
    if len(digits) == 13:
        if not digits.isdigit():
            raise ValueError(f"ISBN-13 {text!r}: only digits expected")
        if digits[:3] not in ("978", "979"):
            raise ValueError(f"ISBN-13 {text!r}: starts with 978 or 979, not {digits[:3]}")
        expected = isbn13_check_digit(digits[:12])
        if digits[12] != expected:
            raise ValueError(f"ISBN-13 {text!r}: wrong check digit {digits[12]!r}, expected {expected!r}")
        return Isbn(digits)
    raise ValueError(f"ISBN {text!r}: 10 or 13 digits expected, found {len(digits)} characters")


def isbn13_check_digit(first12: str) -> str:
    """EAN-13's check digit: weights 1 and 3 alternating, from the left."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str(-total % 10)


def isbn10_check_digit(first9: str) -> str:
    """ISBN-10's check digit: weights 10 down to 2, modulo 11, where 10 is written X."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(first9))
    check = -total % 11
    return "X" if check == 10 else str(check)
