"""One measurement in a fresh process, printed as JSON (run by benchmarks/run.py).

    python benchmarks/measure.py brochure MANUSCRIPT OUT_DIR   # the whole build, per stage
    python benchmarks/measure.py floor MANUSCRIPT              # WeasyPrint alone on brochure's HTML
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from pathlib import Path


def measure_brochure(manuscript: Path, out: Path) -> dict:
    from brochure.core.diagnostics import Report
    from brochure.core.sandbox import Limits
    from brochure.runtime.build import BuildOptions, build

    # No time limit that a long book on a busy machine could reach (Pepys: half an hour).
    limits = Limits.scaled(seconds=6 * 3600)
    result = build(BuildOptions(manuscript=manuscript, out_dir=out, limits=limits), Report())
    return {
        "seconds": result.stopwatch.seconds,
        "peak_rss_kib": result.stopwatch.peak_rss_kib,
        "total": result.stopwatch.total,
        "pages": result.pages,
        "notes": result.notes,
    }


def measure_floor(manuscript: Path) -> dict:
    """WeasyPrint rendering brochure's final HTML and CSS, with nothing of brochure around it."""
    import weasyprint

    from brochure.core.diagnostics import Report
    from brochure.core.xhtml import serialize
    from brochure.manuscript.read import read_manuscript
    from brochure.pdf.draw import BASE_URL, BookFetcher
    from brochure.render.document import render_book
    from brochure.render.page_setup import with_page_setup
    from brochure.runtime.build import book_of

    report = Report()
    # The same steps as the build, so that WeasyPrint gets the same HTML and the same CSS.
    rendering = render_book(book_of(with_page_setup(read_manuscript(manuscript, report)),
                                          report))
    html = serialize(rendering.document).decode("utf-8")
    files = {a.href: (a.data, a.media_type) for a in rendering.book.assets}
    del rendering, report  # WeasyPrint's memory alone, as far as one process allows
    gc.collect()
    started = time.perf_counter()
    document = weasyprint.HTML(string=html, base_url=BASE_URL,
                               url_fetcher=BookFetcher(files, [])).render()
    document.write_pdf()
    seconds = time.perf_counter() - started
    return {"seconds": {"floor": seconds}, "total": seconds, "pages": len(document.pages),
            "peak_rss_kib": {"floor": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}


if __name__ == "__main__":
    kind, manuscript = sys.argv[1], Path(sys.argv[2])
    data = measure_brochure(manuscript, Path(sys.argv[3])) if kind == "brochure" \
        else measure_floor(manuscript)
    print(json.dumps(data))
