"""Tax Service: a person's INN by passport data, and tax debts by INN."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from stdnum.ru import inn as stdnum_inn

from uslugi.core.fields import blind_index_for
from uslugi.exchange.interfaces import HandlerContext, NotFoundError
from uslugi.registries.messages.base import (
    DATE,
    MONEY,
    PASSPORT_NUMBER,
    PASSPORT_SERIES,
    PERSON_NAME_PROPERTIES,
    PERSONAL_INN,
    array,
    differing_fields,
    invalid,
    mismatch,
    money,
    obj,
    provides,
)
from uslugi.registries.models import TaxDebt, Taxpayer


@provides(
    code="fns.inn-by-passport",
    title="Find a person's INN by passport data",
    description=(
        "The Tax Service's INN of the person holding this passport, checked against the "
        "name and birth date (`mismatch` with the differing fields). The Tax Service knows "
        "the passport a person last reported; an older passport answers `not_found`."
    ),
    request=obj(
        {
            **PERSON_NAME_PROPERTIES,
            "birth_date": DATE,
            "series": PASSPORT_SERIES,
            "number": PASSPORT_NUMBER,
        },
        ["series", "number", "surname", "first_name", "birth_date"],
    ),
    response=obj({"inn": PERSONAL_INN}, ["inn"]),
    examples=[
        {
            "request": {
                "surname": "Петров",
                "first_name": "Иван",
                "patronymic": "Сергеевич",
                "birth_date": "1988-04-30",
                "series": "45 08",
                "number": "123456",
            },
            "response": {"inn": "772012345674"},
        }
    ],
)
def inn_by_passport(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
    """The INN of the holder of this passport."""
    series_number = payload["series"].replace(" ", "") + payload["number"]
    index = blind_index_for(Taxpayer, "passport_index", series_number)
    taxpayer = Taxpayer.objects.filter(passport_index=index).first()
    if taxpayer is None:
        raise NotFoundError("no taxpayer with this passport")
    expected = {
        "surname": taxpayer.surname,
        "first_name": taxpayer.first_name,
        "patronymic": taxpayer.patronymic,
        "birth_date": taxpayer.birth_date,
    }
    fields = differing_fields(expected, payload)
    if fields:
        raise mismatch(fields, "taxpayer")
    return {"inn": str(taxpayer.inn)}


_DEBT = obj(
    {
        "kind": {"enum": ["transport", "property", "land", "income"]},
        "title": {"type": "string"},
        "period": {"type": "integer"},
        "amount": MONEY,
        "penalty": MONEY,
        "due_date": DATE,
        "uin": {"type": "string", "pattern": "^[0-9]{20}$|^[0-9]{25}$"},
        "kbk": {"type": "string", "pattern": "^[0-9]{20}$"},
    },
    ["kind", "title", "period", "amount", "penalty", "due_date", "uin", "kbk"],
)


@provides(
    code="fns.tax-debts",
    title="Tax debts of a person",
    description=(
        "Unpaid taxes of the person with this INN, each payable by its UIN, with penalty "
        "interest, and the total. No debts is an empty list; an unknown INN is `not_found`."
    ),
    request=obj({"inn": PERSONAL_INN}, ["inn"]),
    response=obj(
        {"inn": PERSONAL_INN, "total": MONEY, "debts": array(_DEBT)}, ["inn", "total", "debts"]
    ),
    examples=[
        {
            "request": {"inn": "772012345674"},
            "response": {
                "inn": "772012345674",
                "total": "4369.20",
                "debts": [
                    {
                        "kind": "transport",
                        "title": "Транспортный налог",
                        "period": 2024,
                        "amount": "4200.00",
                        "penalty": "169.20",
                        "due_date": "2025-12-01",
                        "uin": "18201234567890123456",
                        "kbk": "18210604012021000110",
                    }
                ],
            },
        }
    ],
)
def tax_debts(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
    """Unpaid taxes by INN."""
    inn = payload["inn"]
    if not stdnum_inn.is_valid(inn):
        raise invalid("/inn", "check digits do not match")
    taxpayer = Taxpayer.objects.filter(
        inn_index=blind_index_for(Taxpayer, "inn_index", inn)
    ).first()
    if taxpayer is None:
        raise NotFoundError("no taxpayer with this INN")
    debts = list(TaxDebt.objects.filter(taxpayer=taxpayer).order_by("period", "kind"))
    total = sum((debt.amount + debt.penalty for debt in debts), Decimal(0))
    return {
        "inn": inn,
        "total": money(total),
        "debts": [
            {
                "kind": debt.kind,
                "title": debt.title,
                "period": debt.period,
                "amount": money(debt.amount),
                "penalty": money(debt.penalty),
                "due_date": debt.due_date.isoformat(),
                "uin": debt.uin,
                "kbk": debt.kbk,
            }
            for debt in debts
        ],
    }
