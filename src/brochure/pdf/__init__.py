"""PDF writer: ``Rendering`` -> a PDF with WeasyPrint; the print shop's PDF/X and the booklet."""
