"""Progress of a long build: the events the stages tell, and the display on a terminal only."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time

import pikepdf
from conftest import FIXTURES, ROOT, build_fixture

from brochure.core import progress


def test_the_stages_tell_their_progress_from_every_process(tmp_path):
    events: list[dict] = []
    with progress.listen(events.append):
        built = build_fixture(FIXTURES / "two-chapters", tmp_path)
    stages = {(e["name"], e["state"]) for e in events if e["kind"] == "stage"}
    assert {("read", "start"), ("assemble", "end"), ("epub", "end"), ("pdf", "end")} <= stages
    chapters = [e for e in events if e["kind"] == "chapters"]
    assert chapters[-1]["done"] == chapters[-1]["total"] == 2
    # Told in the PDF's worker process, forked from this one.
    parts = [e for e in events if e["kind"] == "part"]
    assert parts and parts[0]["part"] == "the book" and parts[0]["estimate"] >= 1
    pages = [e["laid"] for e in events if e["kind"] == "page"]
    assert pages[:3] == [1, 2, 3]
    # The display counts the pages laid out: the book's pages, numbered as printed; the
    # covers, placed around them afterwards, are among the PDF's pages the build reports.
    laid = [e["pages"] for e in events if e["kind"] == "laid"]
    with pikepdf.open(built.pdf) as pdf:
        labels = [page.label for page in pdf.pages]
    assert laid[-1] == len([label for label in labels if label.isdigit()]) == 6
    assert built.result.pages == len(labels) == 8  # the front cover and its inside too


def terminal_run(args: list[str], env: dict[str, str]) -> str:
    """The command's output as a terminal shows it (stdout and stderr on one pseudo-terminal)."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "brochure", *args], cwd=ROOT,
                               stdin=terminal, stdout=terminal, stderr=terminal,
                               env={**os.environ, "COLUMNS": "100", **env})
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the command ended and closed the terminal
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(controller)
    return output.decode("utf-8", "replace")


def manuscript_with_a_warning(tmp_path):
    book = tmp_path / "book"
    book.mkdir()
    (book / "book.yaml").write_text("title: No language\n")
    (book / "one.md").write_text("# One\n\nText.\n")
    return book


def test_a_terminal_shows_progress_and_coloured_levels(tmp_path):
    book = manuscript_with_a_warning(tmp_path)
    env = {"CI": "", "NO_COLOR": "", "TERM": "xterm"}
    shown = terminal_run(["build", str(book), "--out", str(tmp_path / "out")], env)
    assert "chapters converted" in shown
    assert "PDF, the book: pages" in shown
    assert "\x1b[1;33mwarning\x1b[0m: no 'lang' given" in shown
    assert "built in" in shown


def test_no_progress_in_ci_or_quiet_and_no_colour_with_no_color(tmp_path):
    book = manuscript_with_a_warning(tmp_path)
    env = {"CI": "true", "NO_COLOR": "1", "TERM": "xterm"}
    shown = terminal_run(["build", str(book), "--out", str(tmp_path / "out"), "--format", "epub"],
                         env)
    assert "chapters converted" not in shown and "\x1b[1;33m" not in shown
    assert "warning: no 'lang' given" in shown
    quiet = terminal_run(["build", str(book), "--out", str(tmp_path / "out2"), "--quiet",
                          "--format", "epub"], {"CI": "", "TERM": "xterm"})
    assert "chapters converted" not in quiet and "wrote" not in quiet
    assert "warning" in quiet and "no 'lang' given" in quiet


def test_json_summary_for_scripts(tmp_path):
    book = manuscript_with_a_warning(tmp_path)
    done = subprocess.run([sys.executable, "-m", "brochure", "build", str(book), "--out",
                           str(tmp_path / "out"), "--json", "--format", "epub"],
                          capture_output=True, text=True, cwd=ROOT)
    summary = json.loads(done.stdout)
    assert summary["ok"] is True and summary["notes"] == 0
    [epub] = summary["outputs"]
    assert epub["format"] == "epub" and os.path.getsize(epub["path"]) == epub["bytes"]
    assert summary["diagnostics"][0]["message"].startswith("no 'lang' given")
    assert set(summary["timings"]) >= {"read", "assemble", "epub"}
    (book / "one.md").write_text("Text[^missing].\n")
    failed = subprocess.run([sys.executable, "-m", "brochure", "build", str(book), "--out",
                             str(tmp_path / "out"), "--json"], capture_output=True, text=True,
                            cwd=ROOT)
    assert failed.returncode == 1
    summary = json.loads(failed.stdout)
    assert summary["ok"] is False and summary["status"] == 1
    assert any("never defined" in d["message"] for d in summary["diagnostics"])
