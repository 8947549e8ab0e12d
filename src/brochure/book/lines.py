"""The lines of a chapter's Markdown that hold text, for messages that name a line."""

from __future__ import annotations

import re

from brochure.core.model import SourceText

_FENCE_RE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")


def source_lines(source: SourceText) -> list[tuple[int, str]]:
    """(file line number, text) of each line outside fenced code blocks."""
    lines, fence = [], None
    for number, line in enumerate(source.text.split("\n"), start=source.first_line):
        match = _FENCE_RE.match(line)
        if fence is None and match:
            fence = match.group(1)[0]
        elif fence is not None and match and match.group(1)[0] == fence:
            fence = None
        elif fence is None:
            lines.append((number, line))
    return lines
