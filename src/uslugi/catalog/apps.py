from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    name = "uslugi.catalog"
    label = "catalog"
    verbose_name = "Catalogue of services"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(
            _ensure_search_schema, sender=self, dispatch_uid="uslugi.catalog.search_schema"
        )


def _ensure_search_schema(sender: AppConfig, using: str, **kwargs: Any) -> None:
    # The migration creates these; this covers databases built without migrations (the
    # test suite runs with --no-migrations) and structures dropped since.
    from uslugi.catalog.search.schema import ensure_search_schema

    ensure_search_schema(connections[using])
