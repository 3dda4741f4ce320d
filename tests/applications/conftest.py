from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.forms.conftest import applicant, signed_in  # noqa: F401 - fixtures
from tests.forms.test_features import publish
from uslugi.forms.models import DefinitionVersion, Draft
from uslugi.forms.services import draft_start
from uslugi.identity.models import Account

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

SERVICE = {
    "code": "test-permit",
    "variant": "main",
    "kind": "application",
    "title": {"ru": "Тестовое разрешение", "en": "Test permit"},
    "account_level": "standard",
    "routing": {"by": "region", "field": "home", "department": "zags", "fallback": "regional-zags"},
    "mapping": {"applicant.surname": {"var": "surname"}, "address": {"var": "home"}},
    "steps": [
        {
            "id": "about",
            "title": "About you",
            "fields": [
                {"name": "surname", "type": "text", "label": "Surname", "required": True},
                {"name": "home", "type": "address", "label": "Home", "required": True},
                {
                    "name": "office",
                    "type": "select",
                    "label": {"ru": "Где получить", "en": "Where to collect"},
                    "required": True,
                    "options": [
                        {"value": "mfc", "label": {"ru": "МФЦ", "en": "MFC"}},
                        {"value": "office", "label": {"ru": "Отделение", "en": "Office"}},
                    ],
                },
                {
                    "name": "scan",
                    "type": "file",
                    "label": "Scan",
                    "accept": ["application/pdf"],
                    "max_files": 1,
                },
            ],
        }
    ],
}
ANSWERS = {
    "surname": "Смирнова",
    "home": {"region": "77", "street": "Тверская", "house": "1"},
    "office": "mfc",
}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def service(db: None) -> DefinitionVersion:
    return publish(SERVICE)


@pytest.fixture
def draft(service: DefinitionVersion, applicant: Account) -> Draft:  # noqa: F811
    draft = draft_start(account=applicant, version=service)
    draft.data = dict(ANSWERS)
    draft.save(update_fields=["data"])
    return draft


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def stranger(db: None) -> Client:
    other = Account.objects.create(phone="+79160000002", email="stranger@example.ru")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(other)
    return client


BASE = dt.datetime.now(dt.UTC)


def at(hours: float) -> dt.datetime:
    """A moment `hours` after the tests started (near real time: sessions stay fresh)."""
    return BASE + dt.timedelta(hours=hours)
