"""brochure serve: the book rebuilt on every save and shown as an ebook and as pages."""
