"""Traffic police: fines by registration certificate and/or driver licence; vehicles of an
owner."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q

from uslugi.core import clock
from uslugi.core.fields import blind_index_for
from uslugi.exchange.interfaces import HandlerContext, NotFoundError
from uslugi.registries.messages.base import (
    DATE,
    MONEY,
    NULLABLE_DATE,
    PASSPORT_NUMBER,
    PASSPORT_SERIES,
    PERSON_NAME_PROPERTIES,
    array,
    differing_fields,
    iso,
    mismatch,
    money,
    obj,
    provides,
)
from uslugi.registries.models import DriverLicence, Fine, Vehicle
from uslugi.registries.normalizers import normalize_document

STS = {
    "type": "string",
    "pattern": "^[0-9]{2} ?[0-9А-ЯA-Z]{2} ?[0-9]{6}$",
    "description": "registration certificate number, 99 31 123456",
}
LICENCE = {
    "type": "string",
    "pattern": "^[0-9]{2} ?[0-9А-ЯA-Z]{2} ?[0-9]{6}$",
    "description": "driver licence number, 77 12 345678",
}

_FINE = obj(
    {
        "uin": {"type": "string", "pattern": "^[0-9]{20}$|^[0-9]{25}$"},
        "offence_at": {"type": "string", "format": "date-time"},
        "place": {"type": "string"},
        "article": {"type": "string"},
        "description": {"type": "string"},
        "ruling_date": DATE,
        "division": {"type": "string"},
        "plate": {"type": ["string", "null"]},
        "found_by": {"enum": ["sts", "driver_licence"]},
        "amount": MONEY,
        "discount_until": NULLABLE_DATE,
        "amount_to_pay": MONEY,
        "paid": {"type": "boolean"},
        "paid_on": NULLABLE_DATE,
    },
    [
        "uin",
        "offence_at",
        "place",
        "article",
        "description",
        "ruling_date",
        "division",
        "plate",
        "found_by",
        "amount",
        "discount_until",
        "amount_to_pay",
        "paid",
        "paid_on",
    ],
)


def _to_pay(fine: Fine) -> Decimal:
    if fine.paid:
        return Decimal("0.00")
    if fine.discount_until is not None and clock.today() <= fine.discount_until:
        return fine.amount / 2
    return fine.amount


@provides(
    code="gibdd.fines",
    title="Traffic fines by registration certificate and/or driver licence",
    description=(
        "Fines for traffic offences (article of the Code of Administrative Offences) issued "
        "against a vehicle's registration certificate (STS: camera fines) or a driver "
        "licence (stopped by an inspector). Unpaid ones only unless `include_paid`. "
        "`amount_to_pay` is half the fine until `discount_until` (20 days after the ruling) "
        "where the article allows it. A document the registry does not know answers "
        "`not_found` (`details.documents` names which)."
    ),
    request=obj(
        {"sts": STS, "driver_licence": LICENCE, "include_paid": {"type": "boolean"}},
        anyOf=[{"required": ["sts"]}, {"required": ["driver_licence"]}],
    ),
    response=obj({"fines": array(_FINE), "unpaid_total": MONEY}, ["fines", "unpaid_total"]),
    examples=[
        {
            "request": {"sts": "99 31 123456", "driver_licence": "77 12 345678"},
            "response": {
                "fines": [
                    {
                        "uin": "18810177250000123456",
                        "offence_at": "2026-10-02T08:15:00+00:00",
                        "place": "г. Москва, ул. Садовая, д. 12",
                        "article": "12.9 ч.2",
                        "description": "Превышение скорости на 20–40 км/ч",
                        "ruling_date": "2026-10-05",
                        "division": "ЦАФАП ОДД ГИБДД (г. Москва)",
                        "plate": "А123ВС77",
                        "found_by": "sts",
                        "amount": "750.00",
                        "discount_until": "2026-10-25",
                        "amount_to_pay": "750.00",
                        "paid": False,
                        "paid_on": None,
                    }
                ],
                "unpaid_total": "750.00",
            },
        }
    ],
)
def fines(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
    """Fines by STS and/or driver licence."""
    query = Q()
    missing = []
    vehicle = None
    if "sts" in payload:
        vehicle = Vehicle.objects.filter(sts=normalize_document(payload["sts"])).first()
        if vehicle is None:
            missing.append("sts")
        else:
            query |= Q(vehicle=vehicle)
    licence = None
    if "driver_licence" in payload:
        number = normalize_document(payload["driver_licence"])
        licence = DriverLicence.objects.filter(
            number_index=blind_index_for(DriverLicence, "number_index", number)
        ).first()
        if licence is None:
            missing.append("driver_licence")
        else:
            query |= Q(licence=licence)
    if missing:
        raise NotFoundError(
            f"unknown document: {', '.join(missing)}", details={"documents": missing}
        )
    found = Fine.objects.filter(query).select_related("vehicle").order_by("-offence_at", "uin")
    if not payload.get("include_paid", False):
        found = found.filter(paid=False)
    answer = []
    unpaid = Decimal(0)
    for fine in found:
        to_pay = _to_pay(fine)
        unpaid += to_pay
        by_sts = vehicle is not None and fine.vehicle_id == vehicle.pk
        answer.append(
            {
                "uin": fine.uin,
                "offence_at": fine.offence_at.isoformat(),
                "place": fine.place,
                "article": fine.article,
                "description": fine.description,
                "ruling_date": fine.ruling_date.isoformat(),
                "division": fine.division,
                "plate": fine.vehicle.plate if fine.vehicle else None,
                "found_by": "sts" if by_sts else "driver_licence",
                "amount": money(fine.amount),
                "discount_until": iso(fine.discount_until),
                "amount_to_pay": money(to_pay),
                "paid": fine.paid,
                "paid_on": iso(fine.paid_on),
            }
        )
    return {"fines": answer, "unpaid_total": money(unpaid)}


_VEHICLE = obj(
    {
        "vin": {"type": "string", "pattern": "^[0-9A-HJ-NPR-Z]{17}$"},
        "plate": {"type": "string"},
        "sts": {"type": "string"},
        "make": {"type": "string"},
        "model": {"type": "string"},
        "year": {"type": "integer"},
        "colour": {"type": "string"},
        "category": {"type": "string"},
        "registered_on": DATE,
    },
    ["vin", "plate", "sts", "make", "model", "year", "colour", "category", "registered_on"],
)


@provides(
    code="gibdd.vehicles-by-owner",
    title="Vehicles registered to a person",
    description=(
        "Vehicles whose registered owner holds this passport, checked against the owner's "
        "name and birth date (`mismatch` with the differing fields). No vehicles is an "
        "empty list."
    ),
    request=obj(
        {
            "series": PASSPORT_SERIES,
            "number": PASSPORT_NUMBER,
            **PERSON_NAME_PROPERTIES,
            "birth_date": DATE,
        },
        ["series", "number", "surname", "first_name", "birth_date"],
    ),
    response=obj({"vehicles": array(_VEHICLE)}, ["vehicles"]),
    examples=[
        {
            "request": {
                "series": "45 08",
                "number": "123456",
                "surname": "Петров",
                "first_name": "Иван",
                "birth_date": "1988-04-30",
            },
            "response": {
                "vehicles": [
                    {
                        "vin": "XTA21900012345678",
                        "plate": "А123ВС77",
                        "sts": "9931123456",
                        "make": "LADA",
                        "model": "VESTA",
                        "year": 2019,
                        "colour": "белый",
                        "category": "B",
                        "registered_on": "2019-07-12",
                    }
                ]
            },
        }
    ],
)
def vehicles_by_owner(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
    """Vehicles of the holder of this passport."""
    series_number = payload["series"].replace(" ", "") + payload["number"]
    index = blind_index_for(Vehicle, "owner_passport_index", series_number)
    vehicles = list(Vehicle.objects.filter(owner_passport_index=index).order_by("registered_on"))
    for vehicle in vehicles:
        expected = {
            "surname": vehicle.owner_surname,
            "first_name": vehicle.owner_first_name,
            "patronymic": vehicle.owner_patronymic,
            "birth_date": vehicle.owner_birth_date,
        }
        fields = differing_fields(expected, payload)
        if fields:
            raise mismatch(fields, "vehicle owner")
    return {
        "vehicles": [
            {
                "vin": v.vin,
                "plate": v.plate,
                "sts": v.sts,
                "make": v.make,
                "model": v.model,
                "year": v.year,
                "colour": v.colour,
                "category": v.category,
                "registered_on": v.registered_on.isoformat(),
            }
            for v in vehicles
        ]
    }
