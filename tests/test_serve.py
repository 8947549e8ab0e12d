"""brochure serve, end to end: the preview in the system's Chromium following the edits, what
the server refuses to serve, and a clean stop on Ctrl-C.

One server and one browser are shared by the module's tests (they edit the same copy of the
two-chapter fixture, each leaving it as it found it)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
WAIT = 60  # seconds: a build on a loaded two-core machine


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    manuscript: Path
    errors: list[str] = field(default_factory=list)  # what the command wrote on stderr

    @property
    def port(self) -> int:
        return int(self.url.rstrip("/").rsplit(":", 1)[1])


def start_serving(manuscript: Path, *args: str) -> Served:
    process = subprocess.Popen([sys.executable, "-m", "brochure", "serve", str(manuscript),
                                "--port", "0", *args], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    served = Served(process, "", manuscript)
    errors = process.stderr

    def drain() -> None:
        for line in errors:
            served.errors.append(line)

    threading.Thread(target=drain, daemon=True).start()
    line = process.stdout.readline()
    assert line.startswith("preview at http://"), (line, served.errors)
    served.url = line.split()[2]
    return served


def stop_serving(served: Served) -> int:
    served.process.send_signal(signal.SIGINT)
    return served.process.wait(timeout=30)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    manuscript = tmp_path_factory.mktemp("serve") / "book"
    shutil.copytree(FIXTURES / "two-chapters", manuscript)
    served = start_serving(manuscript)
    yield served
    if served.process.poll() is None:
        stop_serving(served)


@pytest.fixture(scope="module")
def browser(served):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("Chromium and chromedriver are not installed (scripts/test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = served.manuscript.parent / "chromium-profile"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.get(served.url)
    yield driver
    driver.quit()


def wait_for(browser, condition, what: str):
    from selenium.common.exceptions import (
        NoSuchElementException,
        NoSuchFrameException,
        StaleElementReferenceException,
    )
    from selenium.webdriver.support.ui import WebDriverWait

    # The reading view reloads after each build: an element read while it does is looked up
    # again at the next poll.
    reloading = (StaleElementReferenceException, NoSuchElementException, NoSuchFrameException)
    return WebDriverWait(browser, WAIT, poll_frequency=0.1, ignored_exceptions=reloading).until(
        lambda driver: condition(driver), message=what)


def reading_text(browser) -> str:
    """The text of the ebook's reading view, as the reader sees it."""
    from selenium.webdriver.common.by import By

    browser.switch_to.frame(browser.find_element(By.ID, "reading"))
    try:
        return browser.find_element(By.TAG_NAME, "body").text
    finally:
        browser.switch_to.default_content()


def text_of(browser, element_id: str) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, element_id).text


def shown_page_count(browser) -> int:
    text = text_of(browser, "page-count")
    return int(text.split()[0]) if text else 0


def loaded_pages(browser) -> int:
    """Page images of the current PDF that the browser has drawn."""
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('#pages img'))"
        ".filter(i => i.complete && i.naturalWidth > 0).length")


def test_the_preview_shows_the_ebook_and_the_pages(browser):
    wait_for(browser, lambda b: "This chapter calls its first note here" in reading_text(b),
             "the first chapter in the reading view")
    wait_for(browser, lambda b: shown_page_count(b) > 0 and loaded_pages(b) > 0,
             "the pages drawn")
    assert "built in" in text_of(browser, "status")


def test_an_edit_shows_in_the_reading_view_and_the_pages(browser, served):
    chapter = served.manuscript / "two.md"
    original = chapter.read_text(encoding="utf-8")
    wait_for(browser, lambda b: shown_page_count(b) > 0, "a first build")
    pages_before = shown_page_count(browser)
    sentence = "A sentence written while the preview was open."
    try:
        chapter.write_text(original + "\n" + "\n\n".join([sentence] * 40) + "\n", encoding="utf-8")
        wait_for(browser, lambda b: sentence in reading_text(b), "the new sentence in the ebook")
        wait_for(browser, lambda b: shown_page_count(b) > pages_before, "more pages")
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        chosen = Select(browser.find_element(By.ID, "chapter")).first_selected_option.text
        assert chosen == "two.md"  # the preview follows the chapter being edited
    finally:
        chapter.write_text(original, encoding="utf-8")
    wait_for(browser, lambda b: shown_page_count(b) == pages_before, "the pages as before")


def test_an_error_shows_over_the_last_good_version_and_goes_away(browser, served):
    chapter = served.manuscript / "one.md"
    original = chapter.read_text(encoding="utf-8")
    wait_for(browser, lambda b: shown_page_count(b) > 0, "a first build")
    try:
        chapter.write_text(original + "\nA call of a note nobody wrote[^nowhere].\n",
                           encoding="utf-8")
        wait_for(browser, lambda b: "never defined" in text_of(b, "problems"), "the error shown")
        assert "one.md:" in text_of(browser, "problems")
        assert "last good version" in text_of(browser, "status")
        assert "This chapter calls its first note here" in reading_text(browser)
        assert loaded_pages(browser) > 0
    finally:
        chapter.write_text(original, encoding="utf-8")
    wait_for(browser, lambda b: not b.find_element("id", "problems").is_displayed(),
             "the error gone")
    assert "built in" in text_of(browser, "status")


def get(served: Served, path: str, host: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    connection.putrequest("GET", path, skip_host=host is not None)
    if host is not None:
        connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    return response.status, response.read()


def current_state(served: Served) -> dict:
    """The preview's state, as the first event of its stream says it."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    connection.request("GET", "/events")
    response = connection.getresponse()
    lines = []
    while (line := response.readline().decode()) != "\n":
        lines.append(line)
    connection.close()
    return json.loads(next(line[len("data: "):] for line in lines if line.startswith("data: ")))


def test_only_the_books_files_and_the_previews_own_are_served(served):
    deadline = time.monotonic() + WAIT
    while not ((state := current_state(served))["epub"] and state["pdf"]):
        assert time.monotonic() < deadline, "no first build"
        time.sleep(0.2)
    v = state["epub"]["version"]
    assert get(served, f"/book/{v}/epub/EPUB/chapter-1.xhtml")[0] == 200
    assert get(served, f"/book/{state['pdf']['version']}/pdf/1.png")[0] == 200
    assert get(served, "/static/preview.js")[0] == 200
    refused = [
        f"/book/{v}/epub/EPUB/../EPUB/chapter-1.xhtml",
        f"/book/{v}/epub/EPUB/%2e%2e/EPUB/chapter-1.xhtml",
        f"/book/{v}/epub/EPUB/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        f"/book/{v}/epub/%252e%252e%252fbook.yaml",
        f"/book/{v}/epub/..%5c..%5cbook.yaml",
        f"/book/{v}/epub/EPUB/./chapter-1.xhtml",
        f"/book/{v}/epub/", f"/book/{v}/epub/EPUB/", f"/book/{v}/", "/static/",
        "/static/../server.py", "/static/index.html/..", "/book.yaml", "/one.md",
        f"/book/{v}/book.yaml", f"/book/{v}/pdf/0.png", f"/book/{v}/pdf/99999.png",
        "/book/999/book.pdf",
    ]
    for path in refused:
        status, body = get(served, path)
        assert status == 404, path
        assert b"Ada Writer" not in body and b"note" not in body.lower(), path
    # A name that is not this machine's: a web page elsewhere cannot reach the preview.
    assert get(served, "/", host="attacker.example")[0] == 400


def test_another_address_is_said_and_ctrl_c_stops_everything(tmp_path):
    manuscript = tmp_path / "book"
    shutil.copytree(FIXTURES / "two-chapters", manuscript)
    served = start_serving(manuscript, "--host", "0.0.0.0")
    time.sleep(1)  # stopped while its first build runs
    children = _children(served.process.pid)
    assert children  # the builder, at least
    assert stop_serving(served) == 0
    time.sleep(0.5)
    assert any("anyone who can reach this machine" in line for line in served.errors)
    assert served.errors[-1].strip() == "stopped", served.errors
    assert [pid for pid in children if _alive(pid)] == []


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    for child in list(found):
        with _suppress():
            found += _children(child)
    return found


class _suppress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"
