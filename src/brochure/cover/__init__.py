"""Book covers made from the metadata, for a book that has no cover image of its own.

The front cover sets the title, subtitle, authors, publisher and series in the book's fonts
with the template styles/cover.css; WeasyPrint draws it at the trim size as the PDF's first page,
and pdfium rasterises it for the EPUB. The back cover carries the description, the publisher
and the ISBN's EAN-13 barcode. A cover image the user gives instead is checked for the ebook
stores and for print.

Modules: design (the HTML), draw (PDF and PNG), barcode, isbn, files (what the drawing may
read), fit (text that did not fit), check (a given cover image), make (all in one call).
"""
