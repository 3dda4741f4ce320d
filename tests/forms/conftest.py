from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.factories.people import verified_person
from tests.factories.registries import (  # noqa: F401 - fixtures
    _sandbox_population_session,
    registry_fault,
    sandbox_population,
)
from uslugi.exchange import conf as exchange_conf
from uslugi.exchange import services as exchange_services
from uslugi.forms.services import definitions_load
from uslugi.identity.models import Account


@pytest.fixture
def published(db: None) -> None:
    definitions_load(publish=True)


@pytest.fixture
def applicant(db: None) -> Account:
    """A standard account with checked personal data (passport 45 08 123456)."""
    return verified_person()


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
