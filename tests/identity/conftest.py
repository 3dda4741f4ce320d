"""Fixtures of the identity tests: people at each level, operators, the bus ready to
reach the sandbox registries, and helpers to read the development outboxes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from tests.factories.registries import (  # noqa: F401 - fixtures
    _sandbox_population_session,
    registry_fault,
    sandbox_population,
)
from uslugi.core import clock
from uslugi.exchange import conf, services
from uslugi.identity import registry_checks
from uslugi.identity.constants import Citizenship, DocumentType, Gender, Level
from uslugi.identity.models import Account, CentreOperator, PersonalData, ServiceCentre, SmsMessage
from uslugi.identity.roles import OPERATOR_GROUP, ensure_roles

PASSWORD = "Tiger7Moon-Walk"
IDENTITY_TYPES = (
    registry_checks.SNILS_VERIFY,
    registry_checks.PASSPORT_VERIFY,
    registry_checks.FOREIGN_DOCUMENT_VERIFY,
    registry_checks.INN_BY_PASSPORT,
)


def make_account(
    *,
    phone: str | None = "+79161234567",
    email: str | None = None,
    password: str = PASSWORD,
    surname: str = "Смирнова",
    first_name: str = "Анна",
    level: Level = Level.SIMPLIFIED,
    **extra: Any,
) -> Account:
    account = Account(
        phone=phone, email=email, surname=surname, first_name=first_name, level=level, **extra
    )
    account.set_password(password)
    account.save()
    return account


@pytest.fixture
def person(db: None) -> Account:
    """A simplified account with a phone and the password PASSWORD."""
    return make_account()


def give_personal_data(
    account: Account, *, snils: str = "11223344595", number: str = "4508123456"
) -> PersonalData:
    account.level = Level.STANDARD
    account.save(update_fields=["level"])
    return PersonalData.objects.create(
        account=account,
        birth_date=dt.date(1985, 3, 14),
        gender=Gender.FEMALE,
        citizenship=Citizenship.RUS,
        snils=snils,
        document_type=DocumentType.RU_PASSPORT,
        document_number=number,
        document_issued_on=dt.date(2008, 5, 20),
        document_issuer="ОВД Тверского района",
        document_division_code="770-001",
        verified_at=clock.now(),
    )


@pytest.fixture
def standard_person(db: None) -> Account:
    """A standard account (checked personal data) with SNILS 112-233-445 95."""
    account = make_account(phone="+79167654321", email="anna@example.ru")
    give_personal_data(account)
    return account


@pytest.fixture
def centre(db: None) -> ServiceCentre:
    return ServiceCentre.objects.create(
        name="Service centre Tverskoy",
        region_code="77",
        region_name="Moscow",
        address="Moscow, Tverskaya St 9",
        opening_hours="Mon-Sat 8:00-20:00",
        services=["confirm", "restore"],
    )


@pytest.fixture
def operator(db: None, centre: ServiceCentre) -> Account:
    from django.contrib.auth.models import Group

    ensure_roles()
    account = make_account(phone="+79990000001", email="operator@example.ru", surname="Оператор")
    account.groups.add(Group.objects.get(name=OPERATOR_GROUP))
    CentreOperator.objects.create(account=account, centre=centre)
    return Account.objects.get(pk=account.pk)  # fresh permission cache


def signed_in(client: Client, account: Account, password: str = PASSWORD) -> Client:
    """Sign in through the login page (by phone, else email)."""
    response = client.post(
        "/account/login/", {"identifier": account.phone or account.email, "password": password}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.fixture
def bus(sandbox_population: Any) -> Any:  # noqa: F811 - the imported fixture
    """The exchange ready for identity: provider systems and the portal's grants."""
    services.providers_ensure()
    for key in IDENTITY_TYPES:
        services.access_grant(consumer=conf.portal_system(), type_key=key)
    return sandbox_population


def deliver_all() -> None:
    """Run the bus's worker until nothing is due (the tests' stand-in for `uslugi worker`)."""
    for _ in range(20):
        if not services.exchange_deliver_due().claimed:
            break


def last_sms_code(phone: str | None = None) -> str:
    """The code in the newest SMS of the development outbox (optionally for one phone)."""
    for message in SmsMessage.objects.order_by("-created_at"):
        if phone is None or str(message.phone) == phone:
            match = re.search(r"\b(\d{6})\b", str(message.text))
            assert match, "no code in the SMS"
            return match.group(1)
    pytest.fail("no SMS in the outbox")


@pytest.fixture
def later() -> Iterator[Callable[..., None]]:
    """`later(minutes=6)` moves the portal's clock forward (cumulative) for the test."""
    stack: list[Any] = []
    offset = dt.timedelta(0)
    start = clock.now()

    def move(**delta: float) -> None:
        nonlocal offset
        offset += dt.timedelta(**delta)
        manager = clock.frozen(start + offset)
        manager.__enter__()
        stack.append(manager)

    yield move
    while stack:
        stack.pop().__exit__(None, None, None)


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """`with committed(): ...` runs what the block queued for after its commit (exchange
    delivery, callbacks), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def client() -> Client:
    """A browser set to English (the tests read the English source texts)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Services translate texts (SMS, errors) in the active language: English here."""
    from django.utils import translation

    with translation.override("en"):
        yield
