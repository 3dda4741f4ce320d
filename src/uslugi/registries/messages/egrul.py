"""EGRUL and EGRIP: extracts about an organisation or an individual entrepreneur."""

from __future__ import annotations

from typing import Any

from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from uslugi.core.fields import blind_index_for
from uslugi.exchange.interfaces import HandlerContext, NotFoundError
from uslugi.registries.data.reference import OKVED
from uslugi.registries.messages.base import (
    ADDRESS,
    DATE,
    MONEY,
    NULLABLE_DATE,
    ORGANISATION_INN,
    PERSONAL_INN,
    REGION_CODE,
    array,
    invalid,
    iso,
    mismatch,
    money,
    obj,
    provides,
)
from uslugi.registries.models import Entrepreneur, Organisation

_OKVED_TITLES = dict(OKVED)
OKVED_ITEM = obj({"code": {"type": "string"}, "title": {"type": "string"}}, ["code", "title"])


def _okved(code: str) -> dict[str, str]:
    return {"code": code, "title": _OKVED_TITLES.get(code, "")}


def _check(payload: dict[str, Any], field: str, validator: Any) -> None:
    if field in payload and not validator.is_valid(payload[field]):
        raise invalid(f"/{field}", "check digit does not match")


@provides(
    code="egrul.extract",
    title="Extract from the register of legal entities (EGRUL)",
    description=(
        "An organisation by OGRN or INN (or both: a pair that names two different "
        "organisations answers `mismatch`): names, status, address, activities (OKVED), "
        "authorised capital and the head who may act without a power of attorney."
    ),
    request=obj(
        {"ogrn": {"type": "string", "pattern": "^[0-9]{13}$"}, "inn": ORGANISATION_INN},
        anyOf=[{"required": ["ogrn"]}, {"required": ["inn"]}],
    ),
    response=obj(
        {
            "ogrn": {"type": "string", "pattern": "^[0-9]{13}$"},
            "inn": ORGANISATION_INN,
            "kpp": {"type": "string", "pattern": "^[0-9]{9}$"},
            "full_name": {"type": "string"},
            "short_name": {"type": "string"},
            "legal_form": {"type": "string"},
            "registered_on": DATE,
            "status": {"enum": ["active", "liquidating", "liquidated"]},
            "status_changed_on": NULLABLE_DATE,
            "region_code": REGION_CODE,
            "address": ADDRESS,
            "okved_main": OKVED_ITEM,
            "okved_extra": array(OKVED_ITEM),
            "authorised_capital": MONEY,
            "head": obj(
                {
                    "surname": {"type": "string"},
                    "first_name": {"type": "string"},
                    "patronymic": {"type": "string"},
                    "position": {"type": "string"},
                    "inn": PERSONAL_INN,
                    "since": DATE,
                },
                ["surname", "first_name", "patronymic", "position", "inn", "since"],
            ),
        },
        [
            "ogrn",
            "inn",
            "kpp",
            "full_name",
            "short_name",
            "legal_form",
            "registered_on",
            "status",
            "status_changed_on",
            "region_code",
            "address",
            "okved_main",
            "okved_extra",
            "authorised_capital",
            "head",
        ],
    ),
    examples=[
        {
            "request": {"ogrn": "1027700132195"},
            "response": {
                "ogrn": "1027700132195",
                "inn": "7707083893",
                "kpp": "770701001",
                "full_name": "Общество с ограниченной ответственностью «Вектор»",
                "short_name": "ООО «Вектор»",
                "legal_form": "Общество с ограниченной ответственностью",
                "registered_on": "2002-08-16",
                "status": "active",
                "status_changed_on": None,
                "region_code": "77",
                "address": {
                    "postcode": "101000",
                    "region_code": "77",
                    "region": "г. Москва",
                    "city": "Москва",
                    "street": "ул. Мира",
                    "house": "5",
                    "flat": None,
                    "office": "12",
                },
                "okved_main": {
                    "code": "62.01",
                    "title": "Разработка компьютерного программного обеспечения",
                },
                "okved_extra": [],
                "authorised_capital": "10000.00",
                "head": {
                    "surname": "Петров",
                    "first_name": "Иван",
                    "patronymic": "Сергеевич",
                    "position": "Генеральный директор",
                    "inn": "772012345674",
                    "since": "2002-08-16",
                },
            },
        }
    ],
)
def egrul_extract(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
    """An organisation's record by OGRN and/or INN."""
    _check(payload, "ogrn", stdnum_ogrn)
    _check(payload, "inn", stdnum_inn)
    by_ogrn = by_inn = None
    if "ogrn" in payload:
        by_ogrn = Organisation.objects.filter(ogrn=payload["ogrn"]).first()
    if "inn" in payload:
        by_inn = Organisation.objects.filter(inn=payload["inn"]).first()
    if by_ogrn is not None and "inn" in payload and by_inn != by_ogrn:
        raise mismatch(["inn"], "organisation")
    org = by_ogrn or by_inn
    if org is None or ("ogrn" in payload and by_ogrn is None):
        raise NotFoundError("no organisation with this number")
    return {
        "ogrn": org.ogrn,
        "inn": org.inn,
        "kpp": org.kpp,
        "full_name": org.full_name,
        "short_name": org.short_name,
        "legal_form": org.legal_form,
        "registered_on": org.registered_on.isoformat(),
        "status": org.status,
        "status_changed_on": iso(org.status_changed_on),
        "region_code": org.region_code,
        "address": dict(org.address),
        "okved_main": _okved(org.okved_main),
        "okved_extra": [_okved(code) for code in org.okved_extra],
        "authorised_capital": money(org.authorised_capital),
        "head": {
            "surname": org.head_surname,
            "first_name": org.head_first_name,
            "patronymic": org.head_patronymic,
            "position": org.head_position,
            "inn": str(org.head_inn),
            "since": org.head_since.isoformat(),
        },
    }


@provides(
    code="egrip.extract",
    title="Extract from the register of individual entrepreneurs (EGRIP)",
    description=(
        "An individual entrepreneur by OGRNIP or personal INN (both: a pair of different "
        "entrepreneurs answers `mismatch`): name, status, registration and main activity."
    ),
    request=obj(
        {"ogrnip": {"type": "string", "pattern": "^[0-9]{15}$"}, "inn": PERSONAL_INN},
        anyOf=[{"required": ["ogrnip"]}, {"required": ["inn"]}],
    ),
    response=obj(
        {
            "ogrnip": {"type": "string", "pattern": "^[0-9]{15}$"},
            "inn": PERSONAL_INN,
            "surname": {"type": "string"},
            "first_name": {"type": "string"},
            "patronymic": {"type": "string"},
            "gender": {"enum": ["male", "female"]},
            "region_code": REGION_CODE,
            "registered_on": DATE,
            "status": {"enum": ["active", "ceased"]},
            "ceased_on": NULLABLE_DATE,
            "okved_main": OKVED_ITEM,
        },
        [
            "ogrnip",
            "inn",
            "surname",
            "first_name",
            "patronymic",
            "gender",
            "region_code",
            "registered_on",
            "status",
            "ceased_on",
            "okved_main",
        ],
    ),
    examples=[
        {
            "request": {"ogrnip": "304770000123458"},
            "response": {
                "ogrnip": "304770000123458",
                "inn": "772012345674",
                "surname": "Петров",
                "first_name": "Иван",
                "patronymic": "Сергеевич",
                "gender": "male",
                "region_code": "77",
                "registered_on": "2004-05-17",
                "status": "active",
                "ceased_on": None,
                "okved_main": {
                    "code": "45.20",
                    "title": "Техническое обслуживание и ремонт автотранспортных средств",
                },
            },
        }
    ],
)
def egrip_extract(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
    """An entrepreneur's record by OGRNIP and/or INN."""
    _check(payload, "ogrnip", stdnum_ogrn)
    _check(payload, "inn", stdnum_inn)
    by_ogrnip = by_inn = None
    if "ogrnip" in payload:
        by_ogrnip = Entrepreneur.objects.filter(ogrnip=payload["ogrnip"]).first()
    if "inn" in payload:
        index = blind_index_for(Entrepreneur, "inn_index", payload["inn"])
        by_inn = Entrepreneur.objects.filter(inn_index=index).first()
    if by_ogrnip is not None and "inn" in payload and by_inn != by_ogrnip:
        raise mismatch(["inn"], "entrepreneur")
    person = by_ogrnip or by_inn
    if person is None or ("ogrnip" in payload and by_ogrnip is None):
        raise NotFoundError("no entrepreneur with this number")
    return {
        "ogrnip": person.ogrnip,
        "inn": str(person.inn),
        "surname": person.surname,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "gender": person.gender,
        "region_code": person.region_code,
        "registered_on": person.registered_on.isoformat(),
        "status": person.status,
        "ceased_on": iso(person.ceased_on),
        "okved_main": _okved(person.okved_main),
    }
