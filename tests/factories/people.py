"""People for tests: an account at the standard level with checked personal data."""

from __future__ import annotations

import datetime as dt

from uslugi.core import clock
from uslugi.identity.constants import Citizenship, DocumentType, Gender, Level
from uslugi.identity.models import Account, PersonalData


def verified_person(
    *,
    phone: str = "+79167654321",
    email: str = "anna@example.ru",
    surname: str = "Смирнова",
    first_name: str = "Анна",
    patronymic: str = "",
    password: str | None = None,
) -> Account:
    """A standard-level account whose personal data the registries confirmed
    (birth 1985-03-14, SNILS 112-233-445 95, passport 45 08 123456)."""
    account = Account(
        phone=phone,
        email=email,
        surname=surname,
        first_name=first_name,
        patronymic=patronymic,
        level=Level.STANDARD,
    )
    if password:
        account.set_password(password)
    else:
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
