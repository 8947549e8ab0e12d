"""A shelf: many books built into one site, with its catalogues and its web page."""
