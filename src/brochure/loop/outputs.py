"""``brochure check --outputs``: the built files, as a reader's or a print shop's tools see them.

The EPUB: EPUBCheck with its usage messages (as notes), and DAISY Ace where it is installed
(``ace`` or ``ace-cli`` on the PATH). The PDFs: every font embedded, the page boxes the
settings ask for, and links a reader can click (a link of zero height cannot be).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pikepdf

from brochure.core.diagnostics import Diagnostic, Level, Location
from brochure.core.paper import POINTS_PER_MM
from brochure.core.settings import Format, PrintMode, Settings
from brochure.epub.epubcheck import check_epub

ACE_NAMES = ("ace", "ace-cli")
ACE_SECONDS = 300
BOX_TOLERANCE = 0.5  # points: WeasyPrint rounds page sizes
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")


def check_outputs(paths: dict[Format, Path], settings: Settings) -> list[Diagnostic]:
    """What the tools say of each built file; a missing file is an error with a hint."""
    found: list[Diagnostic] = []
    for fmt, path in paths.items():
        if not path.is_file():
            found.append(Diagnostic("error", f"'{path}' has not been built", Location(path),
                                    "run brochure build first, with the same --out"))
        elif fmt == Format.EPUB:
            found += _at(path, _summarised(check_epub(path.read_bytes(), usage=True)))
            found += check_accessibility(path)
        else:
            found += check_pdf(path, settings, booklet=fmt == Format.BOOKLET)
    return found


def _at(path: Path, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [Diagnostic(d.level, d.message, d.location or Location(path), d.hint)
            for d in diagnostics]


def _summarised(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Notes said once per message with their count (EPUBCheck says CSS-028 once per font)."""
    counted = Counter(d.message.split(" (")[0] for d in diagnostics if d.level == "note")
    kept, said = [], set()
    for d in diagnostics:
        if d.level != "note":
            kept.append(d)
            continue
        key = d.message.split(" (")[0]
        if key not in said:
            said.add(key)
            times = f" ({counted[key]} times)" if counted[key] > 1 else ""
            kept.append(Diagnostic("note", key + times, d.location, d.hint))
    return kept


def ace_command() -> str | None:
    return next((found for name in ACE_NAMES if (found := shutil.which(name))), None)


def check_accessibility(epub: Path) -> list[Diagnostic]:
    """DAISY Ace's violations, where Ace is installed (a note that it is not, otherwise)."""
    ace = ace_command()
    if ace is None:
        return [Diagnostic("note", "DAISY Ace is not installed: the EPUB's accessibility was "
                           "not checked", Location(epub), "npm install -g @daisy/ace")]
    env = dict(os.environ)
    if "PUPPETEER_EXECUTABLE_PATH" not in env and SYSTEM_CHROMIUM.exists():
        env["PUPPETEER_EXECUTABLE_PATH"] = str(SYSTEM_CHROMIUM)
    with tempfile.TemporaryDirectory(prefix="brochure-ace-") as folder:
        said = ""
        try:
            done = subprocess.run([ace, "--silent", "--force", "--outdir", folder, str(epub)],
                                  capture_output=True, env=env, timeout=ACE_SECONDS, check=False)
            said = done.stderr.decode(errors="replace")
            report = json.loads((Path(folder) / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            return [Diagnostic("warning", f"DAISY Ace did not run: {(said or str(exc)).strip()[-300:]}",
                               Location(epub))]
    return [_violation(epub, subject, assertion) for subject, assertion in _failures(report)]


def _failures(report: dict) -> Iterable[tuple[str, dict]]:
    for checked in report.get("assertions", []):
        subject = checked.get("earl:testSubject", {}).get("url", "")
        for assertion in checked.get("assertions", []):
            if assertion.get("earl:result", {}).get("earl:outcome") == "fail":
                yield subject, assertion


def _violation(epub: Path, subject: str, assertion: dict) -> Diagnostic:
    test = assertion.get("earl:test", {})
    impact = test.get("earl:impact", "")
    level: Level = "error" if impact in ("critical", "serious") else "warning"
    description = assertion.get("earl:result", {}).get("dct:description", "")
    hint = test.get("help", {}).get("dct:description")
    return Diagnostic(level, f"Ace {test.get('dct:title', '?')} ({impact}) in {subject.lstrip('/')}: "
                      f"{description}", Location(epub), hint)


def check_pdf(path: Path, settings: Settings, booklet: bool = False) -> list[Diagnostic]:
    """Fonts embedded, page boxes as the settings ask, links that can be clicked."""
    where = Location(path)
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PdfError as exc:
        return [Diagnostic("error", f"the PDF cannot be read: {exc}", where)]
    with pdf:
        found = _fonts(pdf, where)
        if not booklet:
            found += _boxes(pdf, settings, where)
            found += _links(pdf, where)
    return found


def _fonts(pdf: pikepdf.Pdf, where: Location) -> list[Diagnostic]:
    missing: set[str] = set()
    for page in pdf.pages:
        resources: Any = page.obj.get("/Resources", {})
        for font in resources.get("/Font", {}).values():
            for described in [font, *font.get("/DescendantFonts", [])]:
                descriptor = described.get("/FontDescriptor")
                if descriptor is not None and not any(
                        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    missing.add(str(described.get("/BaseFont", "?")).lstrip("/"))
    return [Diagnostic("error", f"font {name} is not embedded", where,
                       "a print shop refuses a PDF whose fonts are not in it; use fonts the "
                       "stylesheet names with @font-face") for name in sorted(missing)]


def _boxes(pdf: pikepdf.Pdf, settings: Settings, where: Location) -> list[Diagnostic]:
    width, height = settings.trim.points
    found = []
    for number, page in enumerate(pdf.pages, 1):
        trim = _box(page.obj.get("/TrimBox") or page.mediabox)
        size = (trim[2] - trim[0], trim[3] - trim[1])
        if abs(size[0] - width) > BOX_TOLERANCE or abs(size[1] - height) > BOX_TOLERANCE:
            found.append(Diagnostic(
                "error", f"page {number} is {size[0]:.1f}×{size[1]:.1f} pt, not the trim "
                f"{settings.trim.name} ({width:.1f}×{height:.1f} pt)", where,
                "a stylesheet's @page size overrides the trim setting; remove it"))
            break
        if settings.print_mode == PrintMode.SHOP:
            bleed = page.obj.get("/BleedBox")
            wanted = settings.bleed * POINTS_PER_MM
            if bleed is None or abs(trim[0] - _box(bleed)[0] - wanted) > BOX_TOLERANCE:
                found.append(Diagnostic(
                    "error", f"page {number} has no bleed of {settings.bleed:g} mm around its "
                    "trim", where, "build again with 'print: shop'"))
                break
    return found


def _links(pdf: pikepdf.Pdf, where: Location) -> list[Diagnostic]:
    flat: list[int] = []
    for number, page in enumerate(pdf.pages, 1):
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") != "/Link":
                continue
            x1, y1, x2, y2 = _box(annotation.get("/Rect", [0, 0, 0, 0]))
            if abs(x2 - x1) < 0.5 or abs(y2 - y1) < 0.5:
                flat.append(number)
    if not flat:
        return []
    pages = ", ".join(str(p) for p in sorted(set(flat))[:10]) + (", ..." if len(set(flat)) > 10 else "")
    return [Diagnostic("warning", f"{len(flat)} link(s) cannot be clicked: their area has no "
                       f"height or width (pages {pages})", where,
                       "a link inside text with 'line-height: 0' (such as a note call in "
                       "<sup>) has no height; give it one in the stylesheet")]


def _box(box) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) for v in box)
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)
