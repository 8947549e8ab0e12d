"""brochure: a Markdown manuscript with notes -> an EPUB 3 ebook and a print-ready PDF.

The packages are the pipeline, in the order the data flows; each imports only from the ones
above it in this list (tests/test_architecture.py keeps it so):

    core/        what every stage shares: the document model (model.py), settings declared
                 once (settings.py), diagnostics, XHTML helpers, bounded child processes
                 that die with the build (sandbox.py) and its temporary folder (scratch.py),
                 results kept across builds (memo.py), atomic files
    manuscript/  the files -> Manuscript: book.yaml or front matter checked at its lines,
                 chapters decoded, stylesheets and every URL they name (css_urls.py), through
                 the one resolver that decides what may be read (resolver.py), images, SVG
                 (svg_check.py) and fonts checked before decoding
    book/        Manuscript -> Book: each chapter's Markdown to sanitised XHTML (markdown.py,
                 audit.py), figures and their references (figures.py), notes numbered
                 (notes.py), typography (typography.py), web addresses marked for paper
                 (addresses.py), assembled, links checked (links.py); whether an output holds
                 the manuscript's text (text_check.py)
    render/      Book -> Rendering: the one XHTML document both formats are written from,
                 its notes placed (notes.py), front matter and credits, the generated page
                 setup, which fonts draw what (faces.py)
    cover/       the covers from the metadata and the template styles/cover.css (or the
                 given cover image): drawn by WeasyPrint, rasterised for the EPUB, checked
    epub/        Rendering -> EPUB: split per part, fonts subset, the cover, the PDF's page
                 numbers (page_list.py), metadata and accessibility metadata, packaged;
                 checked before it is published (verify.py); EPUBCheck
    pdf/         Rendering -> PDF with WeasyPrint: in one piece or in parts side by side
                 (parts.py, cut.py, join.py, font_subsets.py), every use of WeasyPrint's
                 internals in internals.py; covers, tags, Info and XMP metadata; the print
                 shop's PDF/X and the booklet; what of the machine changes the PDF
                 (environment.py); checked (verify.py)
    runtime/     the recipe (build.py), the cache of whole builds keyed on what the build
                 read, the output folder's lock, publishing all outputs or none
    loop/        the author's loop around the build: new, check (lint.py, outputs.py), the
                 progress display, the JSON summary
    preview/     brochure serve: the warm builder, the watcher, the preview's server and page
    shelf/       many books: a shelf and its catalogue.yaml, books side by side (books.py) or
                 on a Dask cluster from their bytes (cluster.py, job.py, remote.py), the site's
                 OPDS catalogues and page (site.py, feeds.py)
    cli.py       the commands
"""

__version__ = "0.1.0"
