"""The hand-written catalogue, loaded once for this package and committed (tests run in
transactions over it and roll back), removed again when the package is done so other
apps' tests start from empty catalogue tables."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from uslugi.catalog import demo
from uslugi.catalog.models import (
    Category,
    Department,
    LifeSituation,
    Municipality,
    Office,
    Region,
    SearchDocument,
    SearchTerm,
    Service,
)


def _clear() -> None:
    LifeSituation.objects.all().delete()
    Service.objects.all().delete()
    SearchDocument.objects.all().delete()
    SearchTerm.objects.all().delete()
    Office.objects.all().delete()
    Department.objects.filter(parent__isnull=False).delete()
    Department.objects.all().delete()
    Municipality.objects.all().delete()
    Region.objects.all().delete()
    Category.objects.all().delete()


@pytest.fixture(scope="package")
def catalogue_loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        _clear()
        demo.load_catalogue()
    yield
    with django_db_blocker.unblock():
        _clear()


@pytest.fixture
def catalogue(catalogue_loaded: None, db: None) -> None:
    """The hand-written catalogue (each test's changes are rolled back)."""
    cache.clear()  # cached passport pages of another test's data
    if not Service.objects.filter(code="gibdd-fines").exists():  # flushed by a live-server test
        demo.load_catalogue()


@pytest.fixture
def make_account(db: None) -> Any:
    counter = iter(range(1, 10_000))

    def make(**extra: Any) -> Any:
        n = next(counter)
        return get_user_model().objects.create_user(
            f"person{n}@example.test", "Correct-Horse-9", **extra
        )

    return make
