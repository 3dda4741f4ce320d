"""The search index: one document of stemmed terms per service, and the vocabulary of
terms (for typo correction). Database-specific full-text structures over these tables
(PostgreSQL tsvector + pg_trgm, SQLite FTS5) are created by `catalog.search.schema`."""

from __future__ import annotations

from django.db import models

from uslugi.catalog.models.services import Service


class SearchDocument(models.Model):
    """Stemmed, synonym-expanded terms of a service, by field weight (space-separated)."""

    id = models.BigAutoField(primary_key=True)  # FTS5 needs an integer rowid
    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="search_doc")
    title_ru_terms = models.TextField(blank=True)
    title_en_terms = models.TextField(blank=True)
    keyword_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    # The service's status, copied so that a plain search need not join the services.
    published = models.BooleanField(default=False)
    # 1 + log(1 + applications a year) / log(1 + 2 M): the databases order candidates by
    # text rank times this, so popular services survive the candidate limit.
    boost = models.FloatField(default=1.0)

    class Meta:
        verbose_name = "search document"

    def __str__(self) -> str:
        return f"search document of {self.service_id}"


class SearchTerm(models.Model):
    """A term of the index with the number of documents that contain it."""

    id = models.BigAutoField(primary_key=True)
    term = models.CharField(max_length=64, unique=True)
    doc_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "search term"

    def __str__(self) -> str:
        return self.term
