"""Benchmarks of the writing loop: `brochure check`, and `brochure serve` from a save to the
browser, each beside a cold `brochure build` of the same book in the same run.

    .venv/bin/python benchmarks/loop.py                  # both, on the seed and Mutual Aid
    .venv/bin/python benchmarks/loop.py --check-only     # no browser

check: the checks of `brochure check` (the stages up to the rendering, and lint.py) timed
in this process, with the memo warm (the Markdown of the chapters kept from an earlier run,
as after any build or check) and cold (an empty cache folder), and the command as a user runs
it (process start included). serve: a copy of the book is served, the system's Chromium
opens the preview (Selenium), and a sentence is put at the start of the edited chapter's
first paragraph, so that it lands on the page the preview shows; the time from the save to
the sentence in the reading view, and to that page of the new PDF drawn in the browser.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BOOKS = {"seed essay": (ROOT / "manuscript", "article.md"),
         "Mutual Aid": (ROOT / "tests" / "corpus" / "mutual-aid", "11-appendix.md")}


def median_range(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def command_seconds(args: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "brochure", *args], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - started


def cold_build(book: Path) -> float:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(folder) / "cache")}
        return command_seconds(["build", str(book), "--out", str(Path(folder) / "out"),
                                "--no-cache"], env)


def bench_check(book: Path, repeat: int) -> dict[str, list[float]]:
    from brochure.loop.check import check
    from brochure.runtime.build import BuildOptions

    figures: dict[str, list[float]] = {"warm": [], "cold": [], "command": [], "build": []}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            os.environ["XDG_CACHE_HOME"] = folder
            started = time.perf_counter()
            check(BuildOptions(book))
            figures["cold"].append(time.perf_counter() - started)
            started = time.perf_counter()
            check(BuildOptions(book))
            figures["warm"].append(time.perf_counter() - started)
            env = {**os.environ, "XDG_CACHE_HOME": folder}
            figures["command"].append(command_seconds(["check", str(book)], env))
        figures["build"].append(cold_build(book))
    return figures


def open_browser(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=1400,1000"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


READING = """
const frame = document.getElementById('reading');
const body = frame.contentDocument && frame.contentDocument.body;
return body ? body.textContent.includes(arguments[0]) : false;"""
PAGE = """
const box = document.getElementById('pages');
const image = box.querySelector('img.current');
return box.dataset.version === arguments[0] && image !== null && image.complete
    && image.naturalWidth > 0 && image.src.includes('/book/' + arguments[0] + '/');"""
VERSION = "return document.getElementById('pages').dataset.version || '0';"


def wait(driver, script: str, *args, timeout: float = 300) -> float:
    deadline = time.perf_counter() + timeout
    while not driver.execute_script(script, *args):
        if time.perf_counter() > deadline:
            raise TimeoutError(script)
        time.sleep(0.01)
    return time.perf_counter()


def insert_sentence(chapter: Path, sentence: str) -> None:
    """The sentence at the start of the chapter's first paragraph (after its heading)."""
    lines = chapter.read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines)
                 if i and line.strip() and not line.startswith("#") and not lines[i - 1].strip())
    lines[index] = f"{sentence} {lines[index]}"
    chapter.write_text("\n".join(lines), encoding="utf-8")


def bench_serve(book: Path, chapter_name: str, repeat: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"reading": [], "page": [], "build": []}
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "book"
        shutil.copytree(book, copy)
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(folder) / "cache")}
        server = subprocess.Popen([sys.executable, "-m", "brochure", "serve", str(copy),
                                   "--port", "0"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        assert server.stdout is not None
        url = server.stdout.readline().split()[2]
        driver = open_browser(Path(folder) / "profile")
        try:
            driver.get(url)
            chapter = copy / chapter_name
            for attempt in range(repeat + 1):  # the first edit moves the preview there
                version = int(driver.execute_script(VERSION))
                deadline = time.perf_counter() + 600
                while int(driver.execute_script(VERSION)) == version and version == 0:
                    time.sleep(0.05)  # the first build
                    if time.perf_counter() > deadline:
                        raise TimeoutError("first build")
                version = int(driver.execute_script(VERSION))
                time.sleep(1)
                sentence = f"Benchmark sentence number {attempt} was written here."
                saved = time.perf_counter()
                insert_sentence(chapter, sentence)
                read = wait(driver, READING, sentence)
                page = wait(driver, PAGE, str(version + 1))
                if attempt:
                    figures["reading"].append(read - saved)
                    figures["page"].append(page - saved)
        finally:
            driver.quit()
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    figures["build"] = [cold_build(book) for _ in range(max(1, repeat // 3))]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--check-only", action="store_true")
    parser.add_argument("--books", default=",".join(BOOKS))
    args = parser.parse_args()
    chosen = [name.strip() for name in args.books.split(",")]
    print("| book | check, memo warm | check, memo cold | `brochure check` | cold `brochure build` |")
    print("|---|---|---|---|---|")
    for name in chosen:
        figures = bench_check(BOOKS[name][0], args.repeat)
        print(f"| {name} | {median_range(figures['warm'])} | {median_range(figures['cold'])} | "
              f"{median_range(figures['command'])} | {median_range(figures['build'])} |")
    if args.check_only:
        return
    print()
    print("| book | save to reading view | save to the new page | cold `brochure build` |")
    print("|---|---|---|---|")
    for name in chosen:
        figures = bench_serve(*BOOKS[name], args.repeat)
        print(f"| {name} | {median_range(figures['reading'])} | {median_range(figures['page'])} | "
              f"{median_range(figures['build'])} |")


if __name__ == "__main__":
    main()
