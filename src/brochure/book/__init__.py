"""Book stage: ``Manuscript`` -> ``Book`` (chapters parsed and sanitised, notes numbered, typography)."""
