"""Bailiffs: enforcement proceedings against a person (the data bank of proceedings)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from uslugi.exchange.interfaces import HandlerContext
from uslugi.registries.messages.base import (
    DATE,
    MONEY,
    NULLABLE_DATE,
    PERSON_NAME_PROPERTIES,
    REGION_CODE,
    array,
    differing_fields,
    iso,
    money,
    obj,
    provides,
)
from uslugi.registries.models import EnforcementProceeding
from uslugi.registries.normalizers import name_key

_PROCEEDING = obj(
    {
        "number": {"type": "string"},
        "opened_on": DATE,
        "subject": {"type": "string"},
        "document": {"type": "string"},
        "amount": MONEY,
        "remaining": MONEY,
        "department": {"type": "string"},
        "department_address": {"type": "string"},
        "bailiff": {"type": "string"},
        "status": {"enum": ["active", "closed"]},
        "closed_on": NULLABLE_DATE,
    },
    [
        "number",
        "opened_on",
        "subject",
        "document",
        "amount",
        "remaining",
        "department",
        "department_address",
        "bailiff",
        "status",
        "closed_on",
    ],
)


@provides(
    code="fssp.proceedings",
    title="Enforcement proceedings against a person",
    description=(
        "Proceedings of the bailiffs' data bank for a debtor found by name, birth date and "
        "region (as the public data bank is searched), active first. No proceedings is an "
        "empty list: the data bank cannot say whether such a person exists."
    ),
    request=obj(
        {**PERSON_NAME_PROPERTIES, "birth_date": DATE, "region_code": REGION_CODE},
        ["surname", "first_name", "birth_date", "region_code"],
    ),
    response=obj(
        {"proceedings": array(_PROCEEDING), "total_remaining": MONEY},
        ["proceedings", "total_remaining"],
    ),
    examples=[
        {
            "request": {
                "surname": "Петров",
                "first_name": "Иван",
                "patronymic": "Сергеевич",
                "birth_date": "1988-04-30",
                "region_code": "77",
            },
            "response": {
                "proceedings": [
                    {
                        "number": "12345/24/77012-ИП",
                        "opened_on": "2024-03-11",
                        "subject": "Задолженность по кредитным платежам (кроме ипотеки)",
                        "document": "Судебный приказ № 512-2024",
                        "amount": "48200.00",
                        "remaining": "31250.40",
                        "department": "ОСП № 12 по г. Москва",
                        "department_address": "г. Москва, ул. Мира, д. 7",
                        "bailiff": "Смирнова А. В.",
                        "status": "active",
                        "closed_on": None,
                    }
                ],
                "total_remaining": "31250.40",
            },
        }
    ],
)
def proceedings(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
    """Proceedings by debtor's name, birth date and region."""
    candidates = EnforcementProceeding.objects.filter(
        debtor_key=name_key(payload["surname"], payload["first_name"]),
        region_code=payload["region_code"],
    )
    found = [
        p
        for p in candidates
        if not differing_fields(
            {"patronymic": p.debtor_patronymic, "birth_date": p.debtor_birth_date}, payload
        )
    ]
    found.sort(key=lambda p: (p.status != "active", -p.opened_on.toordinal(), p.number))
    total = sum((p.remaining for p in found), Decimal(0))
    return {
        "proceedings": [
            {
                "number": p.number,
                "opened_on": p.opened_on.isoformat(),
                "subject": p.subject,
                "document": p.document,
                "amount": money(p.amount),
                "remaining": money(p.remaining),
                "department": p.department,
                "department_address": p.department_address,
                "bailiff": p.bailiff,
                "status": p.status,
                "closed_on": iso(p.closed_on),
            }
            for p in found
        ],
        "total_remaining": money(total),
    }
