"""Catalogue models: reference data, service passports, editors, search index."""

from uslugi.catalog.models.reference import (
    Category,
    Department,
    LifeSituation,
    LifeSituationStep,
    Municipality,
    Office,
    Region,
)
from uslugi.catalog.models.search import SearchDocument, SearchTerm
from uslugi.catalog.models.services import (
    DepartmentEditor,
    RequiredDocument,
    Service,
    ServiceVariant,
    ServiceVersion,
)

__all__ = [
    "Category",
    "Department",
    "DepartmentEditor",
    "LifeSituation",
    "LifeSituationStep",
    "Municipality",
    "Office",
    "Region",
    "RequiredDocument",
    "SearchDocument",
    "SearchTerm",
    "Service",
    "ServiceVariant",
    "ServiceVersion",
]
