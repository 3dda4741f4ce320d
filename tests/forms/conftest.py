from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.factories.registries import (  # noqa: F401 - fixtures
    _sandbox_population_session,
    registry_fault,
    sandbox_population,
)
from uslugi.core import clock
from uslugi.exchange import conf as exchange_conf
from uslugi.exchange import services as exchange_services
from uslugi.forms.services import definitions_load
from uslugi.identity.constants import Citizenship, DocumentType, Gender, Level
from uslugi.identity.models import Account, PersonalData


@pytest.fixture
def published(db: None) -> None:
    definitions_load(publish=True)


@pytest.fixture
def applicant(db: None) -> Account:
    """A standard account with checked personal data (passport 45 08 123456)."""
    account = Account(
        phone="+79167654321",
        email="anna@example.ru",
        surname="Смирнова",
        first_name="Анна",
        level=Level.STANDARD,
    )
    account.set_unusable_password()
    account.save()
    PersonalData.objects.create(
        account=account,
        birth_date=dt.date(1985, 3, 14),
        gender=Gender.FEMALE,
        citizenship=Citizenship.RUS,
        snils="11223344595",
        document_type=DocumentType.RU_PASSPORT,
        document_number="4508123456",
        document_issued_on=dt.date(2008, 5, 20),
        document_issuer="ОВД Тверского района",
        document_division_code="770-001",
        verified_at=clock.now(),
    )
    return account


@pytest.fixture
def signed_in(client: Client, applicant: Account) -> Client:
    client.force_login(applicant)
    return client


@pytest.fixture
def fines_bus(sandbox_population: Any) -> Any:  # noqa: F811 - the imported fixture
    """The exchange ready for the fines service: providers and the portal's grant."""
    exchange_services.providers_ensure()
    exchange_services.access_grant(consumer=exchange_conf.portal_system(), type_key="gibdd.fines/1")
    return sandbox_population


@pytest.fixture
def client() -> Client:
    """A browser set to English (the tests read the English source texts)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    from django.utils import translation

    with translation.override("en"):
        yield
