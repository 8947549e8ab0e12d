"""The one date a build stamps on its outputs, so that the same input gives the same bytes."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from brochure.core.diagnostics import error
from brochure.core.model import Metadata

FALLBACK = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # the earliest date a zip entry can carry


def build_time(metadata: Metadata, environ: Mapping[str, str] | None = None) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set, else the book's date, else a fixed date (never the clock)."""
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip():
        try:
            seconds = int(epoch.strip())
            if seconds < 0 or not epoch.strip().isdigit():
                raise ValueError("not a non-negative integer")  # the specification's words
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise error(f"SOURCE_DATE_EPOCH='{epoch}' is not a number of seconds since 1970",
                        hint="set it to an integer, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)"
                        ) from None
    if metadata.date:
        parts = [int(p) for p in metadata.date.split("-")] + [1, 1]
        return max(FALLBACK, dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.UTC))
    return FALLBACK
