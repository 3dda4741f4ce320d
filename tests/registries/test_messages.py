"""Every registry answers its documented cases on generated data: found, not found,
mismatch (and lost passports, paid and unpaid fines, ...), with schema-valid answers."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.factories.registries import passport_payload, snils_payload
from tests.registries.conftest import call
from uslugi.core import clock
from uslugi.core.validators import format_snils
from uslugi.exchange.interfaces import (
    InvalidRequestError,
    MismatchError,
    NotFoundError,
    get_message_type,
    message_types,
)
from uslugi.registries.messages.base import PROVISIONS

pytestmark = pytest.mark.django_db

TYPES = {
    "pfr.snils-verify/1": "pfr",
    "pfr.pension-statement/1": "pfr",
    "mvd.passport-verify/1": "mvd",
    "mvd.foreign-document-verify/1": "mvd",
    "fns.inn-by-passport/1": "fns",
    "fns.tax-debts/1": "fns",
    "gibdd.fines/1": "gibdd",
    "gibdd.vehicles-by-owner/1": "gibdd",
    "fssp.proceedings/1": "fssp",
    "egrul.extract/1": "egrul",
    "egrip.extract/1": "egrul",
    "zags.birth-records/1": "zags",
    "zags.marriage-records/1": "zags",
}


def _person_fields(person: Any) -> dict[str, str]:
    return {
        "surname": person.surname,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "birth_date": person.birth_date.isoformat(),
    }


def _passport_fields(person: Any) -> dict[str, str]:
    number = person.current_passport.series_number
    return {"series": number[:4], "number": number[4:]}


# --- Registration and schemas --------------------------------------------------------------


def test_every_message_type_is_registered_with_its_provider() -> None:
    registered = message_types()
    for key, provider in TYPES.items():
        assert key in registered, key
        assert registered[key].provider == provider
    assert set(PROVISIONS) == set(TYPES)


@pytest.mark.parametrize("key", sorted(TYPES))
def test_schemas_are_valid_2020_12_and_examples_match_them(key: str) -> None:
    message_type = get_message_type(key)
    assert message_type is not None
    for schema in (message_type.request_schema, message_type.response_schema):
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)
    checker = Draft202012Validator.FORMAT_CHECKER
    request = Draft202012Validator(message_type.request_schema, format_checker=checker)
    response = Draft202012Validator(message_type.response_schema, format_checker=checker)
    assert message_type.examples
    for example in message_type.examples:
        assert not list(request.iter_errors(example["request"]))
        assert not list(response.iter_errors(example["response"]))


def test_invalid_request_lists_every_path_without_values(population: Any) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        call(
            "pfr.snils-verify/1",
            {
                "snils": "12345",
                "surname": "",
                "gender": "robot",
                "birth_date": "1990-13-45",
                "x": 1,
            },
        )
    paths = {error["path"] for error in caught.value.details["errors"]}
    assert paths == {"/snils", "/surname", "/first_name", "/gender", "/birth_date", "/x"}
    assert "12345" not in str(caught.value.details)
    assert "robot" not in caught.value.message


def test_invalid_nested_paths_and_alternatives(population: Any) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        call("gibdd.fines/1", {"include_paid": "yes"})
    paths = {error["path"] for error in caught.value.details["errors"]}
    assert "/include_paid" in paths
    assert "/" in paths  # neither sts nor driver_licence


def test_snils_with_wrong_check_digits_is_an_invalid_request(population: Any) -> None:
    person = population.persons[0]
    payload = snils_payload(person)
    digits = person.snils
    payload["snils"] = digits[:9] + f"{(int(digits[9:]) + 1) % 100:02d}"
    with pytest.raises(InvalidRequestError) as caught:
        call("pfr.snils-verify/1", payload)
    assert caught.value.details["errors"] == [
        {"path": "/snils", "message": "check digits do not match"}
    ]


# --- PFR -------------------------------------------------------------------------------------


def test_snils_verify_match(population: Any) -> None:
    for person in population.persons[:20]:
        answer = call("pfr.snils-verify/1", snils_payload(person))
        assert answer == {"result": "match", "match": True, "snils": format_snils(person.snils)}


def test_snils_verify_compares_names_without_case_and_yo(population: Any) -> None:
    person = population.find(lambda p: "ё" in p.surname.lower() or "ё" in p.first_name)
    payload = snils_payload(person)
    payload["surname"] = payload["surname"].upper().replace("Ё", "Е")
    payload["first_name"] = payload["first_name"].replace("ё", "е")
    payload["snils"] = person.snils  # digits only is fine too
    assert call("pfr.snils-verify/1", payload)["result"] == "match"


def test_snils_verify_mismatch_names_the_fields(population: Any) -> None:
    person = population.persons[0]
    payload = snils_payload(person)
    payload["birth_date"] = (person.birth_date + dt.timedelta(days=1)).isoformat()
    payload["gender"] = "female" if person.gender == "male" else "male"
    with pytest.raises(MismatchError) as caught:
        call("pfr.snils-verify/1", payload)
    assert caught.value.details["fields"] == ["gender", "birth_date"]
    assert person.birth_date.isoformat() not in str(caught.value.details)


def test_snils_verify_not_found(population: Any) -> None:
    known = {p.snils for p in population.persons}
    nine = next(f"{n:09d}" for n in range(2_000_000, 3_000_000) if f"{n:09d}" not in known)
    from uslugi.registries.population import numbers

    payload = snils_payload(population.persons[0]) | {"snils": numbers.snils(nine)}
    with pytest.raises(NotFoundError):
        call("pfr.snils-verify/1", payload)


def test_pension_statement(population: Any) -> None:
    person = population.find(lambda p: p.pension and p.pension["years"])
    payload = {"snils": person.snils, **_person_fields(person)}
    answer = call("pfr.pension-statement/1", payload)
    assert answer["years"] == person.pension["years"]
    assert Decimal(answer["points_total"]) == person.pension["points_total"]
    assert Decimal(answer["points_total"]) >= Decimal(answer["points_before"])
    with pytest.raises(MismatchError):
        call("pfr.pension-statement/1", payload | {"first_name": "Некто"})


def test_pension_statement_of_a_child_is_empty(population: Any) -> None:
    child = population.find(lambda p: p.pension is None)
    answer = call("pfr.pension-statement/1", {"snils": child.snils, **_person_fields(child)})
    assert answer["years"] == []
    assert answer["points_total"] == "0.000"


# --- MVD -------------------------------------------------------------------------------------


def test_passport_valid(population: Any) -> None:
    person = population.find(lambda p: p.passports and p.passports[-1].status == "valid")
    answer = call("mvd.passport-verify/1", passport_payload(person))
    assert answer["status"] == "valid"
    assert answer["valid"] is True
    assert answer["division_code"] == person.passports[-1].division_code


def test_passport_replaced_keeps_the_old_surname(population: Any) -> None:
    person = population.find(
        lambda p: (
            len(p.passports) > 1
            and p.passports[-2].status == "replaced"
            and p.passports[-2].surname != p.surname
        )
    )
    answer = call("mvd.passport-verify/1", passport_payload(person, index=-2))
    assert answer == answer | {"status": "replaced", "valid": False}
    assert answer["status_changed_on"] == person.passports[-1].issue_date.isoformat()
    # The same old passport under the married surname is someone else's data.
    with pytest.raises(MismatchError) as caught:
        call(
            "mvd.passport-verify/1",
            passport_payload(person, index=-2) | {"surname": person.surname},
        )
    assert caught.value.details["fields"] == ["surname"]


def test_passport_lost(population: Any) -> None:
    person = population.find(lambda p: len(p.passports) > 1 and p.passports[-2].status == "lost")
    answer = call("mvd.passport-verify/1", passport_payload(person, index=-2))
    assert answer["status"] == "lost"
    assert answer["valid"] is False


def test_passport_expired(population: Any) -> None:
    person = population.find(lambda p: p.passports and p.passports[-1].status == "expired")
    answer = call("mvd.passport-verify/1", passport_payload(person))
    assert answer["status"] == "expired"
    assert answer["valid"] is False


def test_passport_mismatch_and_not_found(population: Any) -> None:
    person = population.find(lambda p: p.passports)
    payload = passport_payload(person)
    with pytest.raises(MismatchError) as caught:
        call("mvd.passport-verify/1", payload | {"issue_date": "2001-01-01"})
    assert caught.value.details["fields"] == ["issue_date"]
    with pytest.raises(NotFoundError):
        call("mvd.passport-verify/1", payload | {"series": "0000", "number": "000001"})


def test_foreign_document(population: Any) -> None:
    document = next(f for f in population.foreigners if f.status == "valid")
    payload = {
        "number": document.number,
        "citizenship": document.citizenship,
        "surname": document.surname.lower(),
        "first_name": document.given_names,
        "birth_date": document.birth_date.isoformat(),
    }
    answer = call("mvd.foreign-document-verify/1", payload)
    assert answer["status"] == "valid"
    assert answer["kind"] == document.kind
    with pytest.raises(MismatchError) as caught:
        call("mvd.foreign-document-verify/1", payload | {"citizenship": "FRA"})
    assert caught.value.details["fields"] == ["citizenship"]
    with pytest.raises(NotFoundError):
        call("mvd.foreign-document-verify/1", payload | {"number": "ZZ0000000"})


# --- FNS -------------------------------------------------------------------------------------


def test_inn_by_passport(population: Any) -> None:
    person = population.find(lambda p: p.passports)
    payload = _person_fields(person) | _passport_fields(person)
    assert call("fns.inn-by-passport/1", payload) == {"inn": person.inn}
    with pytest.raises(MismatchError):
        call("fns.inn-by-passport/1", payload | {"surname": "Другой"})
    with pytest.raises(NotFoundError):
        call("fns.inn-by-passport/1", payload | {"number": "000001"})


def test_tax_debts(population: Any) -> None:
    person = population.find(lambda p: p.tax_debts and p.passports)
    answer = call("fns.tax-debts/1", {"inn": person.inn})
    assert sorted(d["uin"] for d in answer["debts"]) == sorted(d.uin for d in person.tax_debts)
    expected = sum((d.amount + d.penalty for d in person.tax_debts), Decimal(0))
    assert Decimal(answer["total"]) == expected


def test_tax_debts_none_and_unknown(population: Any) -> None:
    person = population.find(lambda p: not p.tax_debts and p.passports)
    assert call("fns.tax-debts/1", {"inn": person.inn})["debts"] == []
    from uslugi.registries.population import numbers

    with pytest.raises(NotFoundError):
        call("fns.tax-debts/1", {"inn": numbers.inn12("0000000001")})
    with pytest.raises(InvalidRequestError):
        call("fns.tax-debts/1", {"inn": person.inn[:-1] + str((int(person.inn[-1]) + 1) % 10)})


# --- GIBDD -----------------------------------------------------------------------------------


def _with_paid_and_unpaid(person: Any) -> bool:
    fines = [f for v in person.vehicles for f in v.fines]
    return any(f.paid for f in fines) and any(not f.paid for f in fines)


def test_fines_by_sts_unpaid_then_all(population: Any) -> None:
    person = population.find(_with_paid_and_unpaid)
    vehicle = next(v for v in person.vehicles if v.fines)
    sts = f"{vehicle.sts[:2]} {vehicle.sts[2:4]} {vehicle.sts[4:]}"
    unpaid = call("gibdd.fines/1", {"sts": sts})
    assert {f["uin"] for f in unpaid["fines"]} == {f.uin for f in vehicle.fines if not f.paid}
    assert all(f["found_by"] == "sts" and f["plate"] == vehicle.plate for f in unpaid["fines"])
    everything = call("gibdd.fines/1", {"sts": vehicle.sts, "include_paid": True})
    assert {f["uin"] for f in everything["fines"]} == {f.uin for f in vehicle.fines}
    paid = [f for f in everything["fines"] if f["paid"]]
    assert paid
    assert all(f["amount_to_pay"] == "0.00" and f["paid_on"] for f in paid)


def test_fines_discount_halves_the_amount_until_its_date(population: Any) -> None:
    person = population.find(
        lambda p: any(f.discount_until and not f.paid for v in p.vehicles for f in v.fines)
    )
    vehicle, fine = next(
        (v, f) for v in person.vehicles for f in v.fines if f.discount_until and not f.paid
    )
    at = dt.datetime.combine(fine.discount_until, dt.time(12), tzinfo=dt.UTC)

    def to_pay() -> str:
        answer = call("gibdd.fines/1", {"sts": vehicle.sts})
        return next(f["amount_to_pay"] for f in answer["fines"] if f["uin"] == fine.uin)

    with clock.frozen(at):
        assert Decimal(to_pay()) == fine.amount / 2
    with clock.frozen(at + dt.timedelta(days=1)):
        assert Decimal(to_pay()) == fine.amount


def test_fines_by_driver_licence(population: Any) -> None:
    person = population.find(
        lambda p: p.licence and any(f.by_licence for v in p.vehicles for f in v.fines)
    )
    answer = call("gibdd.fines/1", {"driver_licence": person.licence.number, "include_paid": True})
    expected = {f.uin for v in person.vehicles for f in v.fines if f.by_licence}
    assert {f["uin"] for f in answer["fines"]} == expected
    assert all(f["found_by"] == "driver_licence" for f in answer["fines"])


def test_fines_unknown_documents(population: Any) -> None:
    with pytest.raises(NotFoundError) as caught:
        call("gibdd.fines/1", {"sts": "00 00 000000", "driver_licence": "00 00 000000"})
    assert caught.value.details["documents"] == ["sts", "driver_licence"]


def test_vehicles_by_owner(population: Any) -> None:
    person = (
        population.find(lambda p: len(p.vehicles) > 1)
        if any(len(p.vehicles) > 1 for p in population.persons)
        else population.find(lambda p: p.vehicles)
    )
    payload = _person_fields(person) | _passport_fields(person)
    answer = call("gibdd.vehicles-by-owner/1", payload)
    assert {v["vin"] for v in answer["vehicles"]} == {v.vin for v in person.vehicles}
    with pytest.raises(MismatchError) as caught:
        call("gibdd.vehicles-by-owner/1", payload | {"birth_date": "1900-01-01"})
    assert caught.value.details["fields"] == ["birth_date"]
    nobody = population.find(lambda p: p.passports and not p.vehicles)
    answer = call("gibdd.vehicles-by-owner/1", _person_fields(nobody) | _passport_fields(nobody))
    assert answer == {"vehicles": []}


# --- FSSP ------------------------------------------------------------------------------------


def test_proceedings_found_by_name_birth_date_and_region(population: Any) -> None:
    person = population.find(lambda p: p.proceedings)
    payload = _person_fields(person) | {"region_code": person.region.code}
    answer = call("fssp.proceedings/1", payload)
    assert {p["number"] for p in answer["proceedings"]} == {p.number for p in person.proceedings}
    statuses = [p["status"] for p in answer["proceedings"]]
    assert statuses == sorted(statuses)  # active first
    assert Decimal(answer["total_remaining"]) == sum(p.remaining for p in person.proceedings)


def test_proceedings_none_for_other_birth_date_or_region(population: Any) -> None:
    person = population.find(lambda p: p.proceedings)
    payload = _person_fields(person) | {"region_code": person.region.code}
    other_day = {"birth_date": (person.birth_date - dt.timedelta(days=1)).isoformat()}
    assert call("fssp.proceedings/1", payload | other_day)["proceedings"] == []
    other_region = "99" if person.region.code != "99" else "98"
    assert call("fssp.proceedings/1", payload | {"region_code": other_region}) == {
        "proceedings": [],
        "total_remaining": "0.00",
    }


# --- EGRUL / EGRIP ---------------------------------------------------------------------------


def test_egrul_extract_by_ogrn_and_inn(population: Any) -> None:
    person = population.find(lambda p: p.organisation)
    organisation = person.organisation
    by_ogrn = call("egrul.extract/1", {"ogrn": organisation.ogrn})
    assert by_ogrn["inn"] == organisation.inn
    assert by_ogrn["status"] == organisation.status
    assert by_ogrn["head"]["surname"] == person.surname
    assert by_ogrn["head"]["inn"] == person.inn
    assert call("egrul.extract/1", {"inn": organisation.inn}) == by_ogrn
    assert call("egrul.extract/1", {"ogrn": organisation.ogrn, "inn": organisation.inn}) == by_ogrn


def test_egrul_mismatch_and_not_found(population: Any) -> None:
    first, second = [p.organisation for p in population.persons if p.organisation][:2]
    with pytest.raises(MismatchError):
        call("egrul.extract/1", {"ogrn": first.ogrn, "inn": second.inn})
    from uslugi.registries.population import numbers

    with pytest.raises(NotFoundError):
        call("egrul.extract/1", {"ogrn": numbers.ogrn("102770000000")})
    with pytest.raises(InvalidRequestError):
        call("egrul.extract/1", {"ogrn": first.ogrn[:-1] + str((int(first.ogrn[-1]) + 1) % 10)})


def test_egrip_extract(population: Any) -> None:
    person = population.find(lambda p: p.entrepreneur)
    answer = call("egrip.extract/1", {"ogrnip": person.entrepreneur.ogrnip})
    assert answer["inn"] == person.inn
    assert answer["surname"] == person.surname
    assert call("egrip.extract/1", {"inn": person.inn}) == answer
    other = population.find(lambda p: not p.entrepreneur and p.passports)
    with pytest.raises(MismatchError):
        call("egrip.extract/1", {"ogrnip": person.entrepreneur.ogrnip, "inn": other.inn})
    with pytest.raises(NotFoundError):
        call("egrip.extract/1", {"inn": other.inn})


# --- ZAGS ------------------------------------------------------------------------------------


def test_birth_record_by_birth_name(population: Any) -> None:
    person = population.find(lambda p: p.birth.father is not None)
    payload = _person_fields(person) | {"surname": person.birth_surname}
    [record] = call("zags.birth-records/1", payload)["records"]
    assert record["record_number"] == person.birth.record_number
    assert record["child"]["birth_date"] == person.birth_date.isoformat()
    # The patronymic comes from the father's first name.
    assert record["father"]["first_name"] == person.birth.father[1]
    assert record["mother"]["surname"] == person.birth.mother[0]
    by_number = call("zags.birth-records/1", payload | {"record_number": record["record_number"]})
    assert by_number["records"] == [record]


def test_birth_record_mismatch_and_not_found(population: Any) -> None:
    person = population.persons[0]
    payload = _person_fields(person) | {"surname": person.birth_surname}
    with pytest.raises(MismatchError):
        call(
            "zags.birth-records/1",
            payload | {"record_number": person.birth.record_number, "first_name": "Другое"},
        )
    with pytest.raises(NotFoundError):
        call("zags.birth-records/1", payload | {"birth_date": "1939-01-01"})


def test_marriage_records_of_both_spouses(population: Any) -> None:
    marriage = next(
        m for m in population.marriages if m.wife_surname_before != m.wife_surname_after
    )
    husband, wife = population.by_seq(marriage.husband), population.by_seq(marriage.wife)
    by_husband = call("zags.marriage-records/1", _person_fields(husband))["records"]
    assert [r["record_number"] for r in by_husband] == [marriage.record_number]
    record = by_husband[0]
    assert record["wife"]["surname_after"] == wife.surname
    assert record["wife"]["surname_before"] == wife.birth_surname
    for surname in (wife.surname, wife.birth_surname):
        by_wife = call("zags.marriage-records/1", _person_fields(wife) | {"surname": surname})
        assert by_wife["records"] == by_husband


def test_marriage_records_none(population: Any) -> None:
    single = population.find(lambda p: p.married_on is None and p.passports)
    assert call("zags.marriage-records/1", _person_fields(single)) == {"records": []}


# --- Any payload ------------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_FIELDS = [
    "snils",
    "surname",
    "first_name",
    "patronymic",
    "gender",
    "birth_date",
    "series",
    "number",
    "issue_date",
    "inn",
    "ogrn",
    "ogrnip",
    "sts",
    "driver_licence",
    "region_code",
    "record_number",
    "citizenship",
    "include_paid",
]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    key=st.sampled_from(sorted(TYPES)),
    payload=st.dictionaries(
        st.sampled_from(_FIELDS), _JSON | st.from_regex(r"[0-9 -]{1,16}"), max_size=6
    ),
)
def test_any_payload_gets_an_answer_or_a_typed_error(
    population: Any, key: str, payload: dict[str, Any]
) -> None:
    # A schema-valid answer (checked by `call`) or a typed error; anything else fails.
    with contextlib.suppress(InvalidRequestError, NotFoundError, MismatchError):
        call(key, payload)
