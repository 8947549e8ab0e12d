"""Paper sizes and lengths as book.yaml writes them: ``A5``, ``half-letter``, ``120x180mm``, ``3mm``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MM_PER_INCH = 25.4
POINTS_PER_MM = 72 / MM_PER_INCH


@dataclass(frozen=True)
class TrimSize:
    """The size of a finished page, portrait, in millimetres."""

    name: str  # as the user wrote it, normalised (``A5``, ``120x180mm``)
    width: float
    height: float

    @property
    def points(self) -> tuple[float, float]:
        return self.width * POINTS_PER_MM, self.height * POINTS_PER_MM


NAMED_SIZES = {
    "a6": TrimSize("A6", 105, 148),
    "a5": TrimSize("A5", 148, 210),
    "a4": TrimSize("A4", 210, 297),
    "letter": TrimSize("letter", 8.5 * MM_PER_INCH, 11 * MM_PER_INCH),
    "half-letter": TrimSize("half-letter", 5.5 * MM_PER_INCH, 8.5 * MM_PER_INCH),
}
DEFAULT_TRIM = NAMED_SIZES["a5"]

_NUMBER = r"(\d+(?:\.\d+)?)"
_LENGTH_RE = re.compile(rf"^\s*{_NUMBER}\s*(mm|in)?\s*$", re.IGNORECASE)
_SIZE_RE = re.compile(rf"^\s*{_NUMBER}\s*[x×]\s*{_NUMBER}\s*(mm|in)\s*$", re.IGNORECASE)
# A page smaller than a playing card or larger than A3 is not a pamphlet page.
MIN_SIDE_MM, MAX_SIDE_MM = 50, 420


def _mm(value: float, unit: str | None) -> float:
    return value * MM_PER_INCH if (unit or "mm").lower() == "in" else value


def parse_trim(value: object) -> TrimSize:
    """``A5`` (A6, A4, letter, half-letter) or a custom ``WIDTHxHEIGHT`` with ``mm`` or ``in``."""
    if isinstance(value, TrimSize):
        return value
    text = str(value).strip()
    named = NAMED_SIZES.get(text.lower())
    if named is not None:
        return named
    match = _SIZE_RE.match(text)
    if not match:
        raise ValueError(f"must be one of {', '.join(s.name for s in NAMED_SIZES.values())} "
                         f"or WIDTHxHEIGHT in mm or in (e.g. 120x180mm), not {value!r}")
    unit = match.group(3).lower()
    width, height = (_mm(float(match.group(i)), unit) for i in (1, 2))
    for side in (width, height):
        if not MIN_SIDE_MM <= side <= MAX_SIDE_MM:
            raise ValueError(f"each side must be between {MIN_SIDE_MM} and {MAX_SIDE_MM} mm, "
                             f"not {side:g} mm")
    return TrimSize(f"{match.group(1)}x{match.group(2)}{unit}", width, height)


def length_parser(maximum_mm: float) -> Callable[[object], float]:
    """A parser of a length (``3mm``, ``0.125in``, or a number of millimetres) up to ``maximum_mm``."""

    def parse(value: object) -> float:
        if isinstance(value, float):
            return value
        match = None if isinstance(value, bool) else _LENGTH_RE.match(str(value))
        if not match:
            raise ValueError(f"must be a length such as 3mm or 0.125in, not {value!r}")
        mm = _mm(float(match.group(1)), match.group(2))
        if mm > maximum_mm:
            raise ValueError(f"must be at most {maximum_mm:g} mm, not {mm:g} mm")
        return mm

    return parse
