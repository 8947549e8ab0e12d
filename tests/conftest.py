"""Session fixtures: each fixture manuscript is built once per test run, and checked once."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from brochure.core.diagnostics import Report
from brochure.epub.epubcheck import check_epub
from brochure.runtime.build import BuildOptions, BuildResult, build

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EPOCH = "1700000000"
# EPUBCheck's usage messages (-u) that docs/typography.md lists and explains; any other fails.
ACCEPTED_USAGE = ("CSS-028",)  # the stylesheet declares the fonts the book carries


_CHECKED: dict[str, list] = {}  # EPUBCheck's messages by the EPUB's hash: one JVM run each


def epubcheck_messages(path: Path) -> list:
    """EPUBCheck's messages about an EPUB, usage messages on: run once per distinct EPUB in a
    test process (EPUBCheck takes seconds of CPU; equal EPUBs of two fixtures share a run)."""
    data = path.read_bytes()
    key = hashlib.sha256(data).hexdigest()
    if key not in _CHECKED:
        _CHECKED[key] = check_epub(data, usage=True)
    return _CHECKED[key]


def epubcheck(path: Path) -> list:
    """EPUBCheck's errors, warnings and usage messages about an EPUB, but the accepted usage."""
    accepted = tuple(f"EPUBCheck USAGE {message}:" for message in ACCEPTED_USAGE)
    return [d for d in epubcheck_messages(path) if not d.message.startswith(accepted)]


@dataclass
class Built:
    manuscript: Path
    result: BuildResult
    report: Report

    @property
    def epub(self) -> Path:
        return self.result.outputs["epub"]

    @property
    def pdf(self) -> Path:
        return self.result.outputs["pdf"]

    @property
    def booklet(self) -> Path:
        return self.result.outputs["booklet"]


def build_fixture(manuscript: Path, out: Path, formats: tuple[str, ...] = (),
                  settings: dict | None = None, **options) -> Built:
    report = Report()
    chosen = {**(settings or {}), **({"formats": formats} if formats else {})}
    result = build(BuildOptions(manuscript=manuscript, out_dir=out, settings=chosen, **options),
                   report)
    return Built(manuscript, result, report)


@pytest.fixture(scope="session", autouse=True)
def drawing_loaded():
    """WeasyPrint and the covers' code loaded once in the test process, so that each build's
    PDF worker (forked from it) starts with them, as the preview's warm builder does."""
    import brochure.cover.make
    import brochure.pdf.write  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Builds made by the tests keep their cache records out of the user's cache folder."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """A test's own cache folder (no record of another test's builds) and the tests' epoch."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture(scope="session")
def epoch_env():
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    yield
    mp.undo()


@pytest.fixture(scope="session")
def seed(tmp_path_factory, epoch_env) -> Built:
    """The bundled manuscript, built as a user would."""
    return build_fixture(ROOT / "manuscript", tmp_path_factory.mktemp("seed"))


@pytest.fixture(scope="session")
def two_chapters(tmp_path_factory, epoch_env) -> Built:
    return build_fixture(FIXTURES / "two-chapters", tmp_path_factory.mktemp("two"))


@pytest.fixture(scope="session")
def seed_epubcheck(seed):
    return epubcheck(seed.epub)


@pytest.fixture(scope="session")
def two_chapters_epubcheck(two_chapters):
    return epubcheck(two_chapters.epub)


@pytest.fixture(scope="session")
def two_chapters_messages(two_chapters):
    """All of EPUBCheck's messages on the two-chapter book, the accepted usage ones too."""
    return epubcheck_messages(two_chapters.epub)


@pytest.fixture
def project(tmp_path) -> Path:
    """A writable copy of the two-chapter fixture, for tests that break it."""
    target = tmp_path / "book"
    shutil.copytree(FIXTURES / "two-chapters", target)
    return target


@pytest.fixture(scope="session")
def figures(tmp_path_factory, epoch_env) -> Built:
    """A book with every kind of metadata, figures, a table, notes: EPUB and PDF."""
    return build_fixture(FIXTURES / "figures", tmp_path_factory.mktemp("figures"))


# ---- Print (page setup, booklet, print shop) ----------------------------------------------

@pytest.fixture(scope="session")
def manifesto(tmp_path_factory, epoch_env) -> Built:
    """A real pamphlet whose book.yaml asks for chapters on right-hand pages and a booklet."""
    return build_fixture(FIXTURES / "manifesto", tmp_path_factory.mktemp("manifesto"))


@pytest.fixture(scope="session")
def manifesto_epubcheck(manifesto):
    return epubcheck(manifesto.epub)


@pytest.fixture(scope="session")
def shop(tmp_path_factory, epoch_env) -> Built:
    """The two-chapter book for a print shop: bleed, crop marks, PDF/X-4; and its booklet."""
    return build_fixture(FIXTURES / "two-chapters", tmp_path_factory.mktemp("shop"),
                         formats=("epub", "pdf", "booklet"), settings={"print_mode": "shop"})


@pytest.fixture(scope="session")
def shop_epubcheck(shop):
    return epubcheck(shop.epub)
