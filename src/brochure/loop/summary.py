"""What a build made, as one JSON object for scripts (``brochure build --json``)."""

from __future__ import annotations

import json
from typing import Any

from brochure.core.diagnostics import Diagnostic
from brochure.loop.findings import as_json
from brochure.runtime.build import BuildResult


def built(result: BuildResult) -> dict[str, Any]:
    """The outputs with their paths, sizes and pages; notes; diagnostics; timings."""
    outputs = [{"format": fmt.value, "path": str(path), "bytes": result.sizes[fmt],
                "pages": result.pages if fmt == "pdf" else None,
                "details": result.details.get(fmt.value, [])}
               for fmt, path in result.outputs.items()]
    return {
        "ok": True,
        "outputs": outputs,
        "notes": result.notes,
        "reused": result.reused,
        "recalled": {kind: {"found": found, "needed": needed}
                     for kind, (found, needed) in result.recalled.items()},
        "seconds": round(result.seconds, 3),
        "timings": {stage: round(seconds, 3) for stage, seconds in result.stopwatch.seconds.items()},
        "diagnostics": [as_json(d) for d in result.diagnostics],
    }


def failed(status: int, diagnostics: list[Diagnostic], reason: str) -> dict[str, Any]:
    """A build that ended without outputs: why, and the exit status the command gives."""
    return {"ok": False, "status": status, "reason": reason, "outputs": [],
            "diagnostics": [as_json(d) for d in diagnostics]}


def dumps(summary: dict[str, Any]) -> str:
    return json.dumps(summary, ensure_ascii=False, indent=2)
