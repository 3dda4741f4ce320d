"""Civil registry: birth and marriage records."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from uslugi.exchange.interfaces import HandlerContext, NotFoundError
from uslugi.registries.messages.base import (
    DATE,
    NULLABLE_DATE,
    PERSON_NAME_PROPERTIES,
    array,
    differing_fields,
    iso,
    mismatch,
    obj,
    provides,
)
from uslugi.registries.models import BirthRecord, MarriageRecord
from uslugi.registries.normalizers import name_key

RECORD_NUMBER = {"type": "string", "pattern": "^[0-9]{21}$"}
_PERSON_OUT = obj(
    {
        "surname": {"type": "string"},
        "first_name": {"type": "string"},
        "patronymic": {"type": "string"},
        "birth_date": NULLABLE_DATE,
    },
    ["surname", "first_name", "patronymic", "birth_date"],
)
_BIRTH = obj(
    {
        "record_number": RECORD_NUMBER,
        "record_date": DATE,
        "office": {"type": "string"},
        "child": obj(
            {
                "surname": {"type": "string"},
                "first_name": {"type": "string"},
                "patronymic": {"type": "string"},
                "gender": {"enum": ["male", "female"]},
                "birth_date": DATE,
                "birth_place": {"type": "string"},
            },
            ["surname", "first_name", "patronymic", "gender", "birth_date", "birth_place"],
        ),
        "mother": _PERSON_OUT,
        "father": {"oneOf": [_PERSON_OUT, {"type": "null"}]},
    },
    ["record_number", "record_date", "office", "child", "mother", "father"],
)


def _person(surname: str, first: str, patronymic: str, birth: Any) -> dict[str, Any]:
    return {
        "surname": surname,
        "first_name": first,
        "patronymic": patronymic,
        "birth_date": iso(birth),
    }


def _birth(record: BirthRecord) -> dict[str, Any]:
    father = None
    if record.father_first_name:
        father = _person(
            record.father_surname,
            record.father_first_name,
            record.father_patronymic,
            record.father_birth_date,
        )
    return {
        "record_number": record.record_number,
        "record_date": record.record_date.isoformat(),
        "office": record.office,
        "child": {
            "surname": record.surname,
            "first_name": record.first_name,
            "patronymic": record.patronymic,
            "gender": record.gender,
            "birth_date": iso(record.birth_date),
            "birth_place": record.birth_place,
        },
        "mother": _person(
            record.mother_surname,
            record.mother_first_name,
            record.mother_patronymic,
            record.mother_birth_date,
        ),
        "father": father,
    }


_BIRTH_EXAMPLE = {
    "record_number": "177012198800000012345",
    "record_date": "1988-05-12",
    "office": "Отдел ЗАГС г. Москва",
    "child": {
        "surname": "Петров",
        "first_name": "Иван",
        "patronymic": "Сергеевич",
        "gender": "male",
        "birth_date": "1988-04-30",
        "birth_place": "г. Москва",
    },
    "mother": {
        "surname": "Петрова",
        "first_name": "Анна",
        "patronymic": "Викторовна",
        "birth_date": "1962-09-01",
    },
    "father": {
        "surname": "Петров",
        "first_name": "Сергей",
        "patronymic": "Иванович",
        "birth_date": "1960-02-17",
    },
}


@provides(
    code="zags.birth-records",
    title="Birth records of a person",
    description=(
        "The birth record of a person by the name given at birth and birth date (or by the "
        "record number, then the name is checked: `mismatch`), with the parents as "
        "recorded. None answers `not_found`."
    ),
    request=obj(
        {"record_number": RECORD_NUMBER, **PERSON_NAME_PROPERTIES, "birth_date": DATE},
        ["surname", "first_name", "birth_date"],
    ),
    response=obj({"records": array(_BIRTH)}, ["records"]),
    examples=[
        {
            "request": {"surname": "Петров", "first_name": "Иван", "birth_date": "1988-04-30"},
            "response": {"records": [_BIRTH_EXAMPLE]},
        }
    ],
)
def birth_records(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
    """Birth records by the child's name and birth date (or record number)."""
    if "record_number" in payload:
        record = BirthRecord.objects.filter(record_number=payload["record_number"]).first()
        if record is None:
            raise NotFoundError("no birth record with this number")
        expected = {
            "surname": record.surname,
            "first_name": record.first_name,
            "patronymic": record.patronymic,
            "birth_date": record.birth_date,
        }
        fields = differing_fields(expected, payload)
        if fields:
            raise mismatch(fields, "birth record")
        return {"records": [_birth(record)]}
    candidates = BirthRecord.objects.filter(
        person_key=name_key(payload["surname"], payload["first_name"])
    ).order_by("record_date", "record_number")
    found = [
        r
        for r in candidates
        if not differing_fields({"patronymic": r.patronymic, "birth_date": r.birth_date}, payload)
    ]
    if not found:
        raise NotFoundError("no birth record for this person")
    return {"records": [_birth(r) for r in found]}


_MARRIAGE = obj(
    {
        "record_number": RECORD_NUMBER,
        "record_date": DATE,
        "office": {"type": "string"},
        "husband": _PERSON_OUT,
        "wife": obj(
            {
                "surname_before": {"type": "string"},
                "surname_after": {"type": "string"},
                "first_name": {"type": "string"},
                "patronymic": {"type": "string"},
                "birth_date": DATE,
            },
            ["surname_before", "surname_after", "first_name", "patronymic", "birth_date"],
        ),
        "dissolved_on": NULLABLE_DATE,
    },
    ["record_number", "record_date", "office", "husband", "wife", "dissolved_on"],
)


@provides(
    code="zags.marriage-records",
    title="Marriage records of a person",
    description=(
        "Marriages in which a person (by surname, either before or after the marriage, "
        "first name and birth date) is a spouse, with the surnames chosen, and when a "
        "marriage was dissolved. Never married is an empty list."
    ),
    request=obj(
        {**PERSON_NAME_PROPERTIES, "birth_date": DATE}, ["surname", "first_name", "birth_date"]
    ),
    response=obj({"records": array(_MARRIAGE)}, ["records"]),
    examples=[
        {
            "request": {"surname": "Петрова", "first_name": "Мария", "birth_date": "1990-07-01"},
            "response": {
                "records": [
                    {
                        "record_number": "277012201500000054321",
                        "record_date": "2015-06-20",
                        "office": "Отдел ЗАГС г. Москва",
                        "husband": {
                            "surname": "Петров",
                            "first_name": "Иван",
                            "patronymic": "Сергеевич",
                            "birth_date": "1988-04-30",
                        },
                        "wife": {
                            "surname_before": "Смирнова",
                            "surname_after": "Петрова",
                            "first_name": "Мария",
                            "patronymic": "Андреевна",
                            "birth_date": "1990-07-01",
                        },
                        "dissolved_on": None,
                    }
                ]
            },
        }
    ],
)
def marriage_records(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
    """Marriages of a person by name and birth date."""
    key = name_key(payload["surname"], payload["first_name"])
    candidates = MarriageRecord.objects.filter(
        Q(husband_key=key) | Q(wife_key_before=key) | Q(wife_key_after=key)
    ).order_by("record_date", "record_number")
    found = []
    for record in candidates:
        if record.husband_key == key:
            expected = {
                "patronymic": record.husband_patronymic,
                "birth_date": record.husband_birth_date,
            }
        else:
            expected = {"patronymic": record.wife_patronymic, "birth_date": record.wife_birth_date}
        if not differing_fields(expected, payload):
            found.append(record)
    return {
        "records": [
            {
                "record_number": r.record_number,
                "record_date": r.record_date.isoformat(),
                "office": r.office,
                "husband": _person(
                    r.husband_surname,
                    r.husband_first_name,
                    r.husband_patronymic,
                    r.husband_birth_date,
                ),
                "wife": {
                    "surname_before": r.wife_surname_before,
                    "surname_after": r.wife_surname_after,
                    "first_name": r.wife_first_name,
                    "patronymic": r.wife_patronymic,
                    "birth_date": iso(r.wife_birth_date),
                },
                "dissolved_on": iso(r.dissolved_on),
            }
            for r in found
        ]
    }
