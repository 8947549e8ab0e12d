"""Property tests over generated manuscripts: a sound EPUB, or brochure's own error; nothing else.

Random Markdown with notes called from paragraphs, headings, quotes, list items and table
cells, with labels of any letters, definitions sometimes missing or unused, and random
metadata. The EPUB is checked as a reader sees it (EPUBCheck and the PDF are validated on
the fixtures elsewhere, and would make this slow).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import yaml
from helpers import Epub
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brochure.core.diagnostics import BrochureError, Report
from brochure.core.sandbox import Bound, Limits
from brochure.runtime.build import BuildOptions, build

OUTCOMES: Counter[str] = Counter()
LIMITS = Limits(markdown=Bound(seconds=20, memory_mib=1024))
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéßçЖ中אب0123456789", min_size=1, max_size=8)
PUNCTUATION = st.sampled_from(["*", "**", "_", "&", "<", ">", "(", ")", "#", "!", "—", "«", "»",
                               "\u200f", "\u00a0", "'", '"', "\\", "|"])
RAW_HTML = st.sampled_from(["<b>", "</b>", "<i>", "</i>", "<span onclick='x()'>", "</span>",
                            "<div>", "</div>", "<br>", "<script>x</script>", "&amp;", "&#0;",
                            "&#xD800;", "&#150;", "<!--", "-->", "<a href='javascript:x'>",
                            "</a>", "<sup>", "<table>", "<td>",
                            '<a class="footnote-ref" href="#fn-x">', "<style>p{}</style>"])
LABELS = st.text(alphabet="abcXYZ019 é\"'ß-_.", min_size=1, max_size=6).filter(
    lambda label: label.strip() == label)


@st.composite
def chapter(draw) -> tuple[str, set[str], bool]:
    """Markdown of one chapter, the labels its text calls, and whether it has raw HTML."""
    labels = draw(st.lists(LABELS, min_size=0, max_size=5, unique=True))
    with_html = draw(st.booleans())  # raw HTML can hide calls (in comments, HTML blocks)
    called: set[str] = set()

    def inline() -> str:
        tokens = []
        for _ in range(draw(st.integers(1, 8))):
            kind = draw(st.integers(0, 10))
            if kind < 6:
                tokens.append(draw(WORDS))
            elif kind < 8:
                tokens.append(draw(PUNCTUATION))
            elif kind == 8:
                tokens.append(draw(RAW_HTML if with_html else WORDS))
            elif labels:
                label = draw(st.sampled_from(labels))
                called.add(label)
                # A call sticks to the word before it, as authors write it (not to a
                # backslash or '!', which would make it an escaped bracket or an image).
                word = tokens.pop() if tokens and tokens[-1][-1:].isalnum() else ""
                tokens.append(word + f"[^{label}]")
        return " ".join(tokens)

    blocks = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["p", "h", "quote", "list", "table"]))
        if kind == "p":
            blocks.append(inline())
        elif kind == "h":
            blocks.append("#" * draw(st.integers(1, 3)) + " " + inline())
        elif kind == "quote":
            blocks.append("> " * draw(st.integers(1, 3)) + inline())
        elif kind == "list":
            blocks.append("\n".join(f"- {inline()}" for _ in range(draw(st.integers(1, 3)))))
        else:
            cells = inline().replace("|", "/")
            blocks.append(f"| a | b |\n|---|---|\n| {cells} | {draw(WORDS)} |")
    defined = set(called)
    if called and draw(st.booleans()) and draw(st.booleans()):
        defined.discard(draw(st.sampled_from(sorted(called))))  # an undefined note: an error
    defined |= set(draw(st.lists(st.sampled_from(labels), max_size=2))) if labels else set()
    definitions = [f"[^{label}]: Note {label!r} " + draw(WORDS) for label in sorted(defined)]
    return "\n\n".join(blocks + definitions) + "\n", called, with_html


GOOD_METADATA = st.fixed_dictionaries(
    {"title": st.text(alphabet="abc éЖאب«»'\"&<>", min_size=1, max_size=30).filter(str.strip),
     "lang": st.sampled_from(["fr", "en-GB", "ar", "he", "de"])},
    optional={"author": st.lists(st.text(alphabet="abc é&<", min_size=1, max_size=10).filter(
                  str.strip), max_size=3),
              "date": st.sampled_from(["2020", "2021-06-01", "1999-12"])},
)
ANY_METADATA = st.fixed_dictionaries(
    {"title": st.one_of(st.text(min_size=0, max_size=30), st.integers(), st.none())},
    optional={
        "lang": st.sampled_from(["fr", "en-GB", "ar", "he", "de", "no", "xx-123456789", ""]),
        "author": st.one_of(st.text(max_size=20), st.lists(st.text(max_size=10), max_size=3)),
        "date": st.sampled_from(["2020", "2020-02-30", "2021-06-01", "yesterday", "1999-12"]),
        "subject": st.lists(st.text(max_size=10), max_size=2),
    },
)


def check_epub(path: Path, called: int, exact: bool) -> None:
    """Sound EPUB; as many notes as distinct labels called (at most, where raw HTML hides some)."""
    epub = Epub.open(path)  # every document is parsed as XML: well-formed or this raises
    for name, document in epub.documents.items():
        ids = Counter(el.get("id") for el in document.iter() if el.get("id"))
        assert not [i for i, n in ids.items() if n > 1], name
    targets = epub.ids()
    calls = epub.find("//h:a[@epub:type='noteref']")
    backlinks = epub.find("//h:a[@role='doc-backlink']")
    for name, link in calls + backlinks:
        assert epub.resolve(name, link.get("href")) in targets, link.get("href")
    notes = epub.find("//h:section[@epub:type='endnotes']//h:li[@class='note']")
    assert len(notes) == called if exact else len(notes) <= called
    assert len(backlinks) == len(calls)
    assert [el.get("id") for _, el in notes] == [f"note-{n}" for n in range(1, len(notes) + 1)]


def build_generated(metadata: dict, chapters: list[tuple[str, set[str], bool]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        book = root / "book"
        book.mkdir()
        (book / "book.yaml").write_text(yaml.safe_dump(metadata, allow_unicode=True))
        for index, (text, _, _) in enumerate(chapters, start=1):
            (book / f"{index:02}.md").write_text(text)
        try:
            result = build(BuildOptions(book, root / "out", settings={"formats": ("epub",)}, limits=LIMITS),
                           Report())
        except BrochureError as exc:
            assert exc.diagnostics and all(d.level == "error" for d in exc.diagnostics)
            OUTCOMES["error"] += 1
            return
        OUTCOMES["built"] += 1
        exact = not any(with_html for _, _, with_html in chapters)
        check_epub(result.outputs["epub"], sum(len(called) for _, called, _ in chapters), exact)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(metadata=GOOD_METADATA, chapters=st.lists(chapter(), min_size=1, max_size=3))
def generated_manuscripts_build_soundly_or_fail_cleanly(metadata, chapters):
    build_generated(metadata, chapters)


def test_generated_manuscripts_build_soundly_or_fail_cleanly_and_mostly_build(epoch_env):
    """The property is only worth something if most examples get as far as an EPUB: counted
    over this very run."""
    OUTCOMES.clear()
    generated_manuscripts_build_soundly_or_fail_cleanly()
    assert sum(OUTCOMES.values()) >= 10
    assert OUTCOMES["built"] >= sum(OUTCOMES.values()) // 3, OUTCOMES


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(metadata=ANY_METADATA, chapters=st.lists(chapter(), min_size=1, max_size=1))
def test_generated_metadata_builds_or_fails_cleanly(metadata, chapters, epoch_env):
    build_generated(metadata, chapters)
