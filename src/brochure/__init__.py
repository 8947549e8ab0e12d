"""brochure: a Markdown manuscript with notes -> an EPUB 3 ebook and a print-ready PDF.

The packages are the pipeline, in the order the data flows; each imports only from the ones
above it in this list (tests/test_architecture.py keeps it so):

    core/        what every stage shares: the document model (model.py), settings declared
                 once (settings.py), diagnostics, XHTML helpers, bounded child processes
                 (sandbox.py), results kept across builds (memo.py), atomic files
    manuscript/  the files -> Manuscript: book.yaml or front matter checked at its lines,
                 chapters decoded, stylesheets and what they name, through the one resolver
                 that decides what may be read (resolver.py), images checked before decoding
    book/        Manuscript -> Book: each chapter's Markdown to sanitised XHTML (markdown.py,
                 audit.py), notes numbered (notes.py), typography (typography.py), assembled
    render/      Book -> Rendering: the one XHTML document both formats are written from,
                 its notes placed (notes.py), front matter, the generated page setup
    epub/        Rendering -> EPUB: split per part, fonts subset, packaged; EPUBCheck
    pdf/         Rendering -> PDF with WeasyPrint: in one piece or in parts side by side
                 (parts.py, cut.py, join.py, font_subsets.py), every use of WeasyPrint's
                 internals in internals.py; the print shop's PDF/X and the booklet
    runtime/     the recipe (build.py), the cache of whole builds, the output folder's lock,
                 publishing all outputs or none
    shelf/       many books: a shelf and its catalogue.yaml, books side by side (books.py) or
                 on a Dask cluster from their bytes (cluster.py, job.py, remote.py), the site's
                 OPDS catalogues and page (site.py, feeds.py)
    cli.py       the command
"""

__version__ = "0.1.0"
