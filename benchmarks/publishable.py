"""What the publishable book costs: the page-list, the tags, the covers, each beside its peer.

    nice .venv/bin/python benchmarks/publishable.py manuscript tests/corpus/communist-manifesto

For each book, in one process and with the same rendering (seconds, CPU time of this process
and its children, median of ``--repeat`` runs):

- ``epub alone``: the whole EPUB, as a build without the PDF writes it (no page-list);
  ``epub fonts``: the part of it made while the PDF is laid out (the fonts cut down);
  ``epub after pdf``: the rest, made once the PDF's pages are known (markers, page-list,
  package): what the page-list adds to the wall time of a build of both formats;
- ``page starts``: reading where each page starts from WeasyPrint's boxes (in the PDF's process);
- ``pdf untagged`` and ``pdf tagged``: the PDF laid out in one piece, without and with tags;
- ``covers``: the front cover drawn and rasterised for the EPUB (and the back cover).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import statistics
import sys
import time
from pathlib import Path

from brochure.core.clock import build_time
from brochure.core.diagnostics import Report
from brochure.core.model import notes_layout
from brochure.cover.make import make_covers
from brochure.epub.write import epub_assets, write_epub
from brochure.pdf import draw as pdf_draw
from brochure.pdf import internals
from brochure.pdf.write import write_pdf
from brochure.render.document import render_book
from brochure.runtime.build import BuildOptions, _pdf_job, book_of, read


def cpu() -> float:
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                          resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(repeat: int, function, *args):
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, spent = time.perf_counter(), cpu()
        result = function(*args)
        walls.append(time.perf_counter() - wall)
        cpus.append(cpu() - spent)
    return statistics.median(walls), statistics.median(cpus), result


def one_piece(job, built, tagged: bool):
    """The PDF in one piece, tagged or not (the reading PDF is tagged; the shop's is not)."""
    original = pdf_draw.is_shop
    pdf_draw.is_shop = lambda settings: not tagged
    try:
        return pdf_draw.draw(job.document, job.book, built)
    finally:
        pdf_draw.is_shop = original


def bench(path: Path, repeat: int) -> list[tuple[str, float, float]]:
    report = Report()
    manuscript = read(BuildOptions(manuscript=path), report)
    book = book_of(manuscript, report)
    rendering = render_book(book, notes_layout(book.settings, paged=False))
    built = build_time(book.metadata)
    job = _pdf_job(rendering)
    rows = []
    wall, spent, covers = measure(repeat, make_covers, job.book)
    rows.append(("covers", wall, spent))
    wall, spent, pdf = measure(1, write_pdf, dataclasses.replace(job, covers=covers[0]), built)
    rows.append(("pdf as built", wall, spent))
    alone = dataclasses.replace(rendering, covers=covers[0])
    rows.append(("epub alone", *measure(repeat, write_epub, alone, built)[:2]))
    wall, spent, fonts = measure(repeat, epub_assets, rendering)
    rows.append(("epub fonts", wall, spent))
    after = dataclasses.replace(alone, page_starts=pdf.page_starts, epub_fonts=fonts)
    rows.append(("epub after pdf", *measure(repeat, write_epub, after, built)[:2]))
    assert isinstance(job.document, bytes)  # as the PDF's process gets it
    for tagged in (False, True):
        wall, spent, _ = measure(1, one_piece, job, built, tagged)
        rows.append((f"pdf {'tagged' if tagged else 'untagged'}", wall, spent))
    import weasyprint

    document = weasyprint.HTML(string=job.document.decode(), base_url=pdf_draw.BASE_URL,
                               url_fetcher=pdf_draw.BookFetcher(
                                   {a.href: (a.data, a.media_type) for a in book.assets}, [])
                               ).render()
    rows.append(("page starts", *measure(repeat, internals.page_starts, document.pages)[:2]))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("books", type=Path, nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    print(f"load average at the start: {os.getloadavg()[0]:.1f}")
    for path in args.books:
        print(f"\n{path}")
        for name, wall, spent in bench(path, args.repeat):
            print(f"  {name:<16} {wall:7.2f} s  {spent:7.2f} s CPU", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
