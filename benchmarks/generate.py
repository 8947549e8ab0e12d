"""Generate a synthetic manuscript of a chosen size, the same every time for the same arguments.

    python benchmarks/generate.py OUT_DIR --chapters 80 --words 300000 --notes 3000

Chapters have a title, sections, paragraphs of plain words with emphasis, and notes called at
regular places (labels unique in the book, so that peers which merge chapters can read it too).
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

WORDS = (  # noqa: SIM905 - a paragraph of words reads better than a list
    "the of and to in a is that for it as was with be by on not he this are or his from at which "
    "but have an they you were her she there been one all we their has would when if so no what "
    "labour capital market mutual aid city guild village commune council assembly press pamphlet "
    "printer worker wage rent land common hand bread street harbour river bridge winter summer "
    "letter diary morning evening church office money credit"
).split()


def paragraph(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    chosen[0] = chosen[0].capitalize()
    if words > 12:
        k = rng.randrange(2, words - 4)
        chosen[k] = f"*{chosen[k]}*"
    return " ".join(chosen) + "."


def generate(out: Path, chapters: int, words: int, notes: int, seed: int = 1,
             title: str | None = None, author: str = "Nobody") -> Path:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    words_per_chapter = max(1, words // chapters)
    notes_per_chapter = notes // chapters
    names = []
    label = 0
    for number in range(1, chapters + 1):
        lines = [f"# Chapter {number}", ""]
        paragraphs = max(1, words_per_chapter // 120)
        calls = Counter(rng.randrange(paragraphs) for _ in range(notes_per_chapter))
        definitions = []
        for index in range(paragraphs):
            if index and index % 8 == 0:
                lines += [f"## Section {number}.{index // 8}", ""]
            text = paragraph(rng, 120)
            if index in calls:
                marks = []
                for _ in range(calls[index]):
                    label += 1
                    marks.append(f"[^n{label}]")
                    definitions.append(f"[^n{label}]: {paragraph(rng, rng.randrange(8, 40))}")
                text = text[:-1] + "".join(marks) + "."
            lines += [text, ""]
        lines += [d + "\n" for d in definitions]
        name = f"{number:03}-chapter.md"
        (out / name).write_text("\n".join(lines), encoding="utf-8")
        names.append(name)
    chapter_list = "\n".join(f"  - {n}" for n in names)
    (out / "book.yaml").write_text(
        f"title: \"{title or f'A Generated Book of {words} Words'}\"\nauthor: {author}\nlang: en\n"
        f"date: 2020-01-01\n"
        f"chapters:\n{chapter_list}\n", encoding="utf-8")
    return out


WORDS_PER_PAGE = 270  # of an A5 page in brochure's stylesheet, notes included


def generate_shelf(out: Path, books: int, pages: tuple[int, int] = (6, 60), seed: int = 1) -> Path:
    """A shelf of ``books`` pamphlets of ``pages`` pages or so (evenly spread), each in its own
    folder with its own title and author, one note per page or so; the same every time."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    low, high = pages
    for number in range(1, books + 1):
        size = low + (high - low) * (number - 1) // max(1, books - 1)
        subject = " and the ".join(rng.sample(("commune", "harbour", "press", "village", "market",
                                                "guild", "council", "bridge", "bread", "rent"), 2))
        title = f"Pamphlet {number}: On the {subject.capitalize()}"
        author = f"{rng.choice(('Ada', 'Louise', 'Peter', 'Emma', 'Errico'))} " \
                 f"{rng.choice(('Bakunin', 'Michel', 'Goldman', 'Reclus', 'Malatesta'))} {number}"
        generate(out / f"pamphlet-{number:03}", chapters=max(1, size // 12), words=size * 240,
                 notes=max(1, size // 2), seed=seed * 1000 + number, title=title, author=author)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--chapters", type=int, default=80)
    parser.add_argument("--words", type=int, default=300_000)
    parser.add_argument("--notes", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.chapters, args.words, args.notes, args.seed)


if __name__ == "__main__":
    main()
