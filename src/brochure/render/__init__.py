"""Render stage: ``Book`` -> ``Rendering``, the one XHTML document both formats are written from."""
