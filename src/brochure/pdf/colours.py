"""Rewrite a PDF's page drawing for a press: RGB greys as black ink, and, where the PDF/X
forbids transparency, WeasyPrint's invisible (alpha 0) fills and strokes dropped.

WeasyPrint draws the crop marks in RGB black, each line as a path filled with alpha 0 and
stroked: a CMYK press wants the black as K only, and PDF/X-1a and X-3 forbid any alpha other
than 1, even an invisible one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pikepdf

_RGB_TO_CMYK = {"rg": "k", "RG": "K"}
# What a painting operator becomes when its fill (or its stroke) is invisible.
_WITHOUT_FILL = {"B": "S", "B*": "S", "b": "s", "b*": "s", "f": "n", "F": "n", "f*": "n"}
_WITHOUT_STROKE = {"B": "f", "B*": "f*", "S": "n", "s": "n"}


@dataclass
class Leftovers:
    """What could not be rewritten: RGB colours that are not grey, partial transparency."""

    rgb: int = 0
    transparency: int = 0


_ALPHA_KEYS = {"/Type", "/ca", "/CA"}


def _alpha_only(state) -> tuple[float, float] | None:
    """(fill, stroke) alphas of a graphic state that sets only opaque or invisible alphas."""
    if not set(state.keys()) <= _ALPHA_KEYS:
        return None
    fill, stroke = float(state.get("/ca", 1)), float(state.get("/CA", 1))
    return (fill, stroke) if {fill, stroke} <= {0.0, 1.0} else None


def _rewrite(pdf: pikepdf.Pdf, holder, resources, opaque: bool, found: Leftovers) -> None:
    instructions = []
    changed = False
    stack: list[tuple[bool, bool]] = []
    fill_hidden = stroke_hidden = False
    for instruction in pikepdf.parse_content_stream(holder):
        operands: Any = instruction.operands
        operator = instruction.operator
        name = str(operator)
        if name == "q":
            stack.append((fill_hidden, stroke_hidden))
        elif name == "Q" and stack:
            fill_hidden, stroke_hidden = stack.pop()
        elif name in _RGB_TO_CMYK and len(operands) == 3:
            r, g, b = (float(v) for v in operands)
            if r == g == b:
                operands, operator = [0, 0, 0, round(1 - r, 4)], pikepdf.Operator(_RGB_TO_CMYK[name])
                changed = True
            else:
                found.rgb += 1
        elif name == "gs" and opaque:
            state = (resources or {}).get("/ExtGState", {}).get(str(operands[0]), {})
            alphas = _alpha_only(state)
            if alphas is not None:  # a state changes only the alphas it names
                if "/ca" in state:
                    fill_hidden = alphas[0] == 0
                if "/CA" in state:
                    stroke_hidden = alphas[1] == 0
                changed = True
                continue  # nothing left for the state to say
            if "/SMask" in state or float(state.get("/ca", 1)) < 1 or float(state.get("/CA", 1)) < 1:
                found.transparency += 1
        elif opaque and fill_hidden and name in _WITHOUT_FILL:
            operator, changed = pikepdf.Operator(_WITHOUT_FILL[name]), True
        elif opaque and stroke_hidden and name in _WITHOUT_STROKE:
            operator, changed = pikepdf.Operator(_WITHOUT_STROKE[name]), True
        instructions.append((operands, operator))
    if not changed:
        return
    data = pikepdf.unparse_content_stream(instructions)
    if isinstance(holder, pikepdf.Page):
        holder.obj.Contents = pikepdf.Stream(pdf, data)
    else:
        holder.write(data)


def to_print_colours(pdf: pikepdf.Pdf, opaque: bool) -> Leftovers:
    """Rewrite every page and form XObject of ``pdf``; ``opaque`` for PDF/X-1a and X-3."""
    found = Leftovers()
    done: set[tuple[int, int]] = set()

    def forms(resources) -> None:
        for xobject in (resources or {}).get("/XObject", {}).values():
            if xobject.get("/Subtype") == "/Form" and xobject.objgen not in done:
                done.add(xobject.objgen)
                _rewrite(pdf, xobject, xobject.get("/Resources"), opaque, found)
                forms(xobject.get("/Resources"))

    for page in pdf.pages:
        resources: Any = page.obj.get("/Resources")
        _rewrite(pdf, page, resources, opaque, found)
        forms(resources)
    if opaque:  # the alpha-only graphic states are no longer used
        for resources in [page.obj.get("/Resources") for page in pdf.pages] + [
                pdf.get_object(objgen).get("/Resources") for objgen in done]:
            states: Any = (resources or {}).get("/ExtGState", {})
            for key in [k for k, state in states.items() if _alpha_only(state) is not None]:
                del states[key]
    return found
