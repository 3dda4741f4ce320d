"""Interior Ministry (migration): Russian passports and foreign citizens' documents."""

from __future__ import annotations

from typing import Any

from uslugi.core.fields import blind_index_for
from uslugi.exchange.interfaces import HandlerContext, NotFoundError
from uslugi.registries.messages.base import (
    DATE,
    NAME_PART,
    NULLABLE_DATE,
    OPTIONAL_NAME_PART,
    PASSPORT_NUMBER,
    PASSPORT_SERIES,
    PERSON_NAME_PROPERTIES,
    differing_fields,
    iso,
    mismatch,
    obj,
    provides,
)
from uslugi.registries.models import ForeignDocument, Passport
from uslugi.registries.normalizers import normalize_document

PASSPORT_STATUSES = ["valid", "replaced", "lost", "expired"]
ALPHA2 = {"UZB": "UZ", "TJK": "TJ", "KAZ": "KZ", "ARM": "AM", "DEU": "DE", "CHN": "CN"}


@provides(
    code="mvd.passport-verify",
    title="Verify a Russian passport",
    description=(
        "Looks the passport up by series and number and compares the holder's name and birth "
        "date (and the issue date, if given). `status` is `valid`, or why it is not: "
        "`replaced` by a newer passport, `lost` (reported lost or stolen), `expired` (not "
        "replaced at 20 or 45); `valid` is true only for `valid`. A passport of another "
        "person answers `mismatch` with the differing fields; an unknown one `not_found`."
    ),
    request=obj(
        {
            "series": PASSPORT_SERIES,
            "number": PASSPORT_NUMBER,
            "issue_date": DATE,
            **PERSON_NAME_PROPERTIES,
            "birth_date": DATE,
        },
        ["series", "number", "surname", "first_name", "birth_date"],
    ),
    response=obj(
        {
            "status": {"enum": PASSPORT_STATUSES},
            "valid": {"type": "boolean"},
            "status_changed_on": NULLABLE_DATE,
            "issue_date": DATE,
            "division_code": {"type": "string", "pattern": "^[0-9]{3}-[0-9]{3}$"},
        },
        ["status", "valid", "status_changed_on", "issue_date", "division_code"],
    ),
    examples=[
        {
            "request": {
                "series": "45 08",
                "number": "123456",
                "issue_date": "2008-05-20",
                "surname": "Петров",
                "first_name": "Иван",
                "patronymic": "Сергеевич",
                "birth_date": "1988-04-30",
            },
            "response": {
                "status": "valid",
                "valid": True,
                "status_changed_on": None,
                "issue_date": "2008-05-20",
                "division_code": "770-001",
            },
        }
    ],
)
def passport_verify(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
    """Is this passport valid, and is it this person's?"""
    series_number = payload["series"].replace(" ", "") + payload["number"]
    index = blind_index_for(Passport, "series_number_index", series_number)
    passport = Passport.objects.filter(series_number_index=index).first()
    if passport is None:
        raise NotFoundError("no passport with this series and number")
    expected: dict[str, Any] = {
        "surname": passport.surname,
        "first_name": passport.first_name,
        "patronymic": passport.patronymic,
        "birth_date": passport.birth_date,
        "issue_date": passport.issue_date,
    }
    fields = differing_fields(expected, payload)
    if fields:
        raise mismatch(fields, "passport")
    return {
        "status": passport.status,
        "valid": passport.status == "valid",
        "status_changed_on": iso(passport.status_changed_on),
        "issue_date": passport.issue_date.isoformat(),
        "division_code": passport.division_code,
    }


@provides(
    code="mvd.foreign-document-verify",
    title="Verify a foreign citizen's document",
    description=(
        "A foreign passport, residence permit or temporary residence permit known to the "
        "migration registry, by number, checked against the holder's Latin name and birth "
        "date. `status` is `valid`, `expired` or `invalidated`."
    ),
    request=obj(
        {
            "number": {"type": "string", "minLength": 5, "maxLength": 20},
            "citizenship": {
                "type": "string",
                "pattern": "^[A-Za-z]{2,3}$",
                "description": "ISO 3166-1 alpha-3 (UZB) or alpha-2 (UZ)",
            },
            "surname": NAME_PART,
            "first_name": {**NAME_PART, "description": "given names as in the document"},
            "patronymic": {**OPTIONAL_NAME_PART, "description": "not compared"},
            "birth_date": DATE,
        },
        ["number", "surname", "first_name", "birth_date"],
    ),
    response=obj(
        {
            "status": {"enum": ["valid", "expired", "invalidated"]},
            "valid": {"type": "boolean"},
            "kind": {"enum": ["passport", "residence_permit", "temporary_residence"]},
            "citizenship": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "issue_date": DATE,
            "valid_until": DATE,
        },
        ["status", "valid", "kind", "citizenship", "issue_date", "valid_until"],
    ),
    examples=[
        {
            "request": {
                "number": "UZ1234567",
                "citizenship": "UZB",
                "surname": "KARIMOV",
                "first_name": "RUSTAM",
                "birth_date": "1990-01-15",
            },
            "response": {
                "status": "valid",
                "valid": True,
                "kind": "passport",
                "citizenship": "UZB",
                "issue_date": "2021-06-01",
                "valid_until": "2031-06-01",
            },
        }
    ],
)
def foreign_document_verify(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
    """Is this foreign document valid, and is it this person's?"""
    number = normalize_document(payload["number"])
    if not number:
        raise NotFoundError("no document with this number")
    index = blind_index_for(ForeignDocument, "number_index", number)
    document = ForeignDocument.objects.filter(number_index=index).first()
    if document is None:
        raise NotFoundError("no document with this number")
    expected: dict[str, Any] = {
        "surname": document.surname,
        "first_name": document.given_names,
        "birth_date": document.birth_date,
    }
    fields = differing_fields(expected, payload)
    citizenship = payload.get("citizenship", "").upper()
    if citizenship and citizenship not in {document.citizenship, ALPHA2.get(document.citizenship)}:
        fields.append("citizenship")
    if fields:
        raise mismatch(fields, "document")
    return {
        "status": document.status,
        "valid": document.status == "valid",
        "kind": document.kind,
        "citizenship": document.citizenship,
        "issue_date": document.issue_date.isoformat(),
        "valid_until": document.valid_until.isoformat(),
    }
