"""Demo and reference data of the catalogue: `uslugi demo` (make run) calls `load`."""

from __future__ import annotations

from typing import Any, TextIO

from uslugi.catalog import reference, services
from uslugi.catalog.models import SearchDocument, Service
from uslugi.catalog.search import indexing


def load_catalogue() -> dict[str, Any]:
    """Reference data, the hand-written services and the life situations (idempotent)."""
    counts: dict[str, Any] = reference.load_reference()
    report = services.register_import(
        records=reference.read_data("services.yaml")["services"], action="load", audit=False
    )
    counts["services"] = report.__dict__
    counts["life_situations"] = services.life_situations_load(
        data=reference.read_data("situations.yaml")["situations"]
    )
    if SearchDocument.objects.count() != Service.objects.count():
        counts["indexed"] = indexing.index_all()
    return counts


def load(stdout: TextIO) -> None:
    counts = load_catalogue()
    report = counts["services"]
    stdout.write(
        f"catalogue: {counts['regions']} regions, {counts['categories']} categories, "
        f"{counts['departments']} departments, services created {report['created']}, "
        f"updated {report['updated']}, unchanged {report['unchanged']}\n"
    )
