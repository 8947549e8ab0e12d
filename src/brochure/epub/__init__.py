"""EPUB writer: ``Rendering`` -> an EPUB 3 file, and its check by EPUBCheck."""
