"""How much rendering the PDF in chunks on two cores could gain: the measured limit.

    python benchmarks/parallel_probe.py MANUSCRIPT [--chunks 2]

Renders brochure's final HTML once whole, then cut into chunks of whole chapters (the front
matter with the first chunk, the notes with the last), each chunk in its own process, all at
once. It prints the wall time of each, the page counts, and the speed-up. The chunks are not
joined: this measures the ceiling of the scheme, before the second pass (start page numbers,
cross-chunk page references) and the join that a correct parallel PDF needs.
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import sys
import time
from pathlib import Path

import weasyprint

from brochure.assemble import assemble_book
from brochure.diagnostics import Report
from brochure.page_setup import with_page_setup
from brochure.read import read_manuscript
from brochure.render import render_book
from brochure.write_pdf import BASE_URL, BookFetcher
from brochure.xhtml import local_name, serialize


def _render(html: str, files: dict) -> tuple[int, float]:
    started = time.perf_counter()
    document = weasyprint.HTML(string=html, base_url=BASE_URL,
                               url_fetcher=BookFetcher(files, [])).render()
    document.write_pdf()
    return len(document.pages), time.perf_counter() - started


def _chunks(document, count: int) -> list[str]:
    """Chunks of whole chapters of about the same amount of text (the notes count with the
    last chunk, the front matter with the first)."""
    body = next(el for el in document.getroot() if local_name(el) == "body")
    sections = list(body)
    chapters = [i for i, el in enumerate(sections) if (el.get("id") or "").startswith("chapter-")]
    weight = [len("".join(el.itertext())) for el in sections]
    total = sum(weight)
    groups: list[list[int]] = [[]]
    done = sum(weight[:chapters[0]])
    for i in chapters:
        if groups[-1] and done >= total * len(groups) / count and len(groups) < count:
            groups.append([])
        groups[-1].append(i)
        done += weight[i]
    htmls = []
    for n, group in enumerate(groups):
        keep = set(group)
        if n == 0:
            keep |= set(range(chapters[0]))  # title page, imprint, contents
        if n == len(groups) - 1:
            keep |= set(range(chapters[-1] + 1, len(sections)))  # notes
        piece = copy.deepcopy(document)
        piece_body = next(el for el in piece.getroot() if local_name(el) == "body")
        for i, el in reversed(list(enumerate(piece_body))):
            if i not in keep:
                piece_body.remove(el)
        htmls.append(serialize(piece).decode("utf-8"))
    return htmls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manuscript", type=Path)
    parser.add_argument("--chunks", type=int, default=2)
    args = parser.parse_args()
    report = Report()
    rendering = render_book(assemble_book(with_page_setup(read_manuscript(args.manuscript, report)),
                                          report))
    files = {a.href: (a.data, a.media_type) for a in rendering.book.assets}
    whole = serialize(rendering.document).decode("utf-8")
    pieces = _chunks(rendering.document, args.chunks)
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:  # a fresh process, like each chunk's
        pages, single = pool.apply(_render, (whole, files))
    started = time.perf_counter()
    with context.Pool(len(pieces)) as pool:
        results = pool.starmap(_render, [(piece, files) for piece in pieces])
    parallel = time.perf_counter() - started
    print(f"single render: {pages} pages in {single:.1f} s")
    for n, (chunk_pages, seconds) in enumerate(results, start=1):
        print(f"chunk {n}: {chunk_pages} pages in {seconds:.1f} s")
    print(f"{len(pieces)} chunks at once: {sum(p for p, _ in results)} pages in {parallel:.1f} s "
          f"(speed-up {single / parallel:.2f}x)", file=sys.stdout)


if __name__ == "__main__":
    main()
