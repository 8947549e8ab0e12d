"""brochure: a Markdown manuscript with endnotes -> an EPUB 3 ebook and a print-ready PDF."""

__version__ = "0.1.0"
