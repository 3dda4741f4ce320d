"""Pension Fund: SNILS verification and the individual pension account statement."""

from __future__ import annotations

from typing import Any

from uslugi.core.fields import blind_index_for
from uslugi.core.validators import format_snils, normalize_snils, snils_check_digits
from uslugi.exchange.interfaces import HandlerContext, NotFoundError
from uslugi.registries.messages.base import (
    DATE,
    GENDER,
    PERSON_NAME_PROPERTIES,
    POINTS,
    SNILS,
    array,
    differing_fields,
    invalid,
    iso,
    mismatch,
    obj,
    provides,
)
from uslugi.registries.models import InsuredPerson, PensionAccount

PERSON = {**PERSON_NAME_PROPERTIES, "gender": GENDER, "birth_date": DATE}

_VERIFY_EXAMPLE = {
    "snils": "112-233-445 95",
    "surname": "Иванова",
    "first_name": "Мария",
    "patronymic": "Сергеевна",
    "gender": "female",
    "birth_date": "1985-03-14",
}


def find_insured(snils: str) -> InsuredPerson:
    digits = normalize_snils(snils)
    if int(digits[:9]) > 1001998 and snils_check_digits(digits[:9]) != digits[9:]:
        raise invalid("/snils", "check digits do not match")
    index = blind_index_for(InsuredPerson, "snils_index", digits)
    person = InsuredPerson.objects.filter(snils_index=index).first()
    if person is None:
        raise NotFoundError("no insured person with this SNILS")
    return person


def _compare(person: InsuredPerson, payload: dict[str, Any]) -> None:
    expected = {
        "surname": person.surname,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "gender": person.gender,
        "birth_date": person.birth_date,
    }
    fields = differing_fields(expected, payload)
    if fields:
        raise mismatch(fields, "insured person")


@provides(
    code="pfr.snils-verify",
    title="Verify a SNILS against the person's name, gender and birth date",
    description=(
        "Answers `match` when the Pension Fund holds this SNILS for this person. A SNILS of "
        "someone else answers `mismatch` with the differing fields in `details.fields` "
        "(never the registry's values); an unknown SNILS answers `not_found`."
    ),
    request=obj(
        PERSON | {"snils": SNILS}, ["snils", "surname", "first_name", "gender", "birth_date"]
    ),
    response=obj(
        {"result": {"const": "match"}, "match": {"const": True}, "snils": SNILS},
        ["result", "match", "snils"],
    ),
    examples=[
        {
            "request": _VERIFY_EXAMPLE,
            "response": {"result": "match", "match": True, "snils": "112-233-445 95"},
        },
    ],
)
def snils_verify(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
    """Does this SNILS belong to this person?"""
    person = find_insured(payload["snils"])
    _compare(person, payload)
    return {"result": "match", "match": True, "snils": format_snils(str(person.snils))}


_YEAR = obj(
    {
        "year": {"type": "integer", "minimum": 2002},
        "employer_name": {"type": "string"},
        "employer_inn": {"type": "string", "pattern": "^[0-9]{10}$"},
        "contributions": {"type": "string", "pattern": "^[0-9]+\\.[0-9]{2}$"},
        "points": POINTS,
    },
    ["year", "employer_name", "employer_inn", "contributions", "points"],
)


@provides(
    code="pfr.pension-statement",
    title="Individual pension account statement",
    description=(
        "The statement of the individual pension account: pension points of earlier years, "
        "then each recent year's employer, insurance contributions paid (roubles) and "
        "points earned. The person is identified by SNILS and checked by name and birth "
        "date (`mismatch` if they differ). A person without working years gets an empty list."
    ),
    request=obj(
        {"snils": SNILS, **PERSON_NAME_PROPERTIES, "birth_date": DATE},
        ["snils", "surname", "first_name", "birth_date"],
    ),
    response=obj(
        {
            "snils": SNILS,
            "points_before": POINTS,
            "points_total": POINTS,
            "updated_on": {**DATE, "type": ["string", "null"]},
            "years": array(_YEAR),
        },
        ["snils", "points_before", "points_total", "updated_on", "years"],
    ),
    examples=[
        {
            "request": {
                "snils": "112-233-445 95",
                "surname": "Иванова",
                "first_name": "Мария",
                "birth_date": "1985-03-14",
            },
            "response": {
                "snils": "112-233-445 95",
                "points_before": "81.250",
                "points_total": "90.120",
                "updated_on": "2026-02-01",
                "years": [
                    {
                        "year": 2025,
                        "employer_name": "ООО «Вектор»",
                        "employer_inn": "7701234567",
                        "contributions": "237600.00",
                        "points": "8.870",
                    }
                ],
            },
        }
    ],
)
def pension_statement(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
    """The person's pension points and contributions by year."""
    person = find_insured(payload["snils"])
    _compare(person, payload)
    account = PensionAccount.objects.filter(insured=person).first()
    if account is None:
        return {
            "snils": format_snils(str(person.snils)),
            "points_before": "0.000",
            "points_total": "0.000",
            "updated_on": None,
            "years": [],
        }
    return {
        "snils": format_snils(str(person.snils)),
        "points_before": f"{account.points_before:.3f}",
        "points_total": f"{account.points_total:.3f}",
        "updated_on": iso(account.updated_on),
        "years": list(account.years),
    }
