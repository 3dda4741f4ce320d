"""Service search: the same Python text analysis (stemming, synonyms) on every database,
full-text and trigram indexes of the database underneath, ranking in Python.
See docs/adr/0008-search.md."""
