"""Write the settings table of README.md from the settings' declarations.

``python -m brochure.core.settings_doc`` rewrites the table between its two markers in place;
tests/test_settings.py fails when the README's table is not the one this would write.
"""

from __future__ import annotations

import sys
from pathlib import Path

from brochure.core.fingerprint import PACKAGE
from brochure.core.settings import settings_table

START = "<!-- settings table: generated"
END = "<!-- settings table end -->"


def with_table(readme: str) -> str:
    """``readme`` with the current table between the markers."""
    head, found, rest = readme.partition(START)
    marker_line, _, rest = rest.partition("\n")
    _, found_end, tail = rest.partition(END)
    if not found or not found_end:
        raise ValueError("the README has no settings table markers")
    return f"{head}{START}{marker_line}\n{settings_table()}{END}{tail}"


def main() -> int:
    readme = PACKAGE.parents[1] / "README.md"
    if len(sys.argv) > 1:
        readme = Path(sys.argv[1])
    readme.write_text(with_table(readme.read_text("utf-8")), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
