"""Read stage: the manuscript's files -> ``Manuscript``, reading nothing outside the project."""
