"""The synthetic population: deterministic, internally consistent, and its numbers pass
the published checksums (python-stdnum and the core validators)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from tests.factories.registries import SandboxPopulation, population_records
from uslugi.core.validators import validate_ogrn, validate_ogrnip, validate_snils
from uslugi.registries.data import names
from uslugi.registries.data.reference import VIN_ALPHABET
from uslugi.registries.data.regions import BY_CODE, REGIONS
from uslugi.registries.models import Fine, InsuredPerson, Passport, PensionAccount, Vehicle
from uslugi.registries.population import numbers
from uslugi.registries.population.generator import BIRTH_FROM, BIRTH_TO, age_on
from uslugi.registries.services import population_generate

AS_OF = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def records() -> SandboxPopulation:
    return population_records(persons=1_500, seed=7, as_of=AS_OF)


def _dump(population: SandboxPopulation) -> list[Any]:
    return [dataclasses.astuple(p) for p in population.persons] + [
        dataclasses.astuple(m) for m in population.marriages
    ]


# --- Determinism ---------------------------------------------------------------------------


def test_same_seed_same_population() -> None:
    one = population_records(persons=300, seed=11, as_of=AS_OF)
    two = population_records(persons=300, seed=11, as_of=AS_OF)
    assert _dump(one) == _dump(two)


def test_different_seed_different_population() -> None:
    one = population_records(persons=300, seed=11, as_of=AS_OF)
    two = population_records(persons=300, seed=12, as_of=AS_OF)
    assert {p.snils for p in one.persons}.isdisjoint({p.snils for p in two.persons}) or (
        _dump(one) != _dump(two)
    )
    assert [p.surname for p in one.persons] != [p.surname for p in two.persons]


def _snapshot() -> list[tuple[Any, ...]]:
    """What the registries hold, read back through the ORM (decrypted), in a stable order."""
    rows: list[tuple[Any, ...]] = sorted(
        (str(p.snils), p.surname, p.patronymic, p.birth_date, p.registered_on)
        for p in InsuredPerson.objects.all()
    )
    rows += sorted(
        (str(p.series_number), p.status, p.issue_date, p.birth_date, p.registration_address)
        for p in Passport.objects.all()
    )
    rows += sorted(
        (v.vin, v.plate, v.sts, v.owner_birth_date, str(v.owner_passport))
        for v in Vehicle.objects.all()
    )
    rows += sorted(
        (f.uin, f.amount, f.offence_at, f.paid, f.vehicle.vin, f.licence_id is not None)
        for f in Fine.objects.select_related("vehicle")
    )
    rows += sorted(
        (a.insured.surname, a.points_total, json.dumps(a.years))
        for a in PensionAccount.objects.select_related("insured")
    )
    return rows


@pytest.mark.django_db
def test_same_seed_same_rows_in_the_database() -> None:
    population_generate(persons=60, seed=5, reset=True, as_of=AS_OF)
    first = _snapshot()
    assert first
    population_generate(persons=60, seed=5, reset=True, as_of=AS_OF)
    assert _snapshot() == first
    population_generate(persons=60, seed=6, reset=True, as_of=AS_OF)
    assert _snapshot() != first


@pytest.mark.django_db
def test_fast_insert_reads_back_as_bulk_create() -> None:
    population_generate(persons=80, seed=9, reset=True, as_of=AS_OF, method="orm")
    through_orm = _snapshot()
    population_generate(persons=80, seed=9, reset=True, as_of=AS_OF, method="copy")
    assert _snapshot() == through_orm


# --- Checksums --------------------------------------------------------------------------------


def test_every_number_passes_the_checksums(records: SandboxPopulation) -> None:
    snils = [p.snils for p in records.persons]
    assert len(set(snils)) == len(snils)
    for person in records.persons:
        validate_snils(person.snils)
        assert len(person.inn) == 12
        assert stdnum_inn.is_valid(person.inn)
        if person.organisation:
            assert len(person.organisation.inn) == 10
            assert stdnum_inn.is_valid(person.organisation.inn)
            assert stdnum_ogrn.is_valid(person.organisation.ogrn)
            validate_ogrn(person.organisation.ogrn)
        if person.entrepreneur:
            assert len(person.entrepreneur.ogrnip) == 15
            assert stdnum_ogrn.is_valid(person.entrepreneur.ogrnip)
            validate_ogrnip(person.entrepreneur.ogrnip)
    inns = [p.inn for p in records.persons]
    assert len(set(inns)) == len(inns)
    assert any(p.organisation for p in records.persons)
    assert any(p.entrepreneur for p in records.persons)


def test_vins_plates_and_uins(records: SandboxPopulation) -> None:
    vehicles = [v for p in records.persons for v in p.vehicles]
    assert vehicles
    for vehicle in vehicles:
        assert len(vehicle.vin) == 17
        assert set(vehicle.vin) <= set(VIN_ALPHABET)
        assert not set(vehicle.vin) & set("IOQ")
        assert numbers.vin(vehicle.vin[:8], vehicle.vin[9:]) == vehicle.vin
        assert re.fullmatch(r"[АВЕКМНОРСТУХ]\d{3}[АВЕКМНОРСТУХ]{2}\d{2}", vehicle.plate)
        assert re.fullmatch(r"\d{10}", vehicle.sts)
    uins = [f.uin for v in vehicles for f in v.fines] + [
        d.uin for p in records.persons for d in p.tax_debts
    ]
    assert len(set(uins)) == len(uins)
    assert {len(u) for u in uins} == {20, 25}
    for uin in uins:
        assert numbers.uin(uin[:-1]) == uin


@given(st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_inn10_and_snils_check_digits(first_nine: str) -> None:
    assert stdnum_inn.is_valid(numbers.inn10(first_nine))
    if int(first_nine) > 1001998:
        validate_snils(numbers.snils(first_nine))


@given(st.from_regex(r"[0-9]{10}", fullmatch=True))
def test_inn12_check_digits(first_ten: str) -> None:
    assert stdnum_inn.is_valid(numbers.inn12(first_ten))


@given(
    st.from_regex(r"[1-9][0-9]{11}", fullmatch=True),
    st.from_regex(r"[34][0-9]{13}", fullmatch=True),
)
def test_ogrn_and_ogrnip_check_digits(twelve: str, fourteen: str) -> None:
    assert stdnum_ogrn.is_valid(numbers.ogrn(twelve))
    ogrnip = numbers.ogrnip(fourteen)
    assert (ogrnip is None) == (int(fourteen) % 13 > 9)
    if ogrnip is not None:
        assert stdnum_ogrn.is_valid(ogrnip)


def test_known_numbers() -> None:
    assert numbers.inn10("770708389") == "7707083893"
    assert numbers.ogrn("102770013219") == "1027700132195"
    assert numbers.vin("1M8GDM9A", "KP042788") == "1M8GDM9AXKP042788"


# --- Consistency ------------------------------------------------------------------------------


def test_names_follow_gender_and_father(records: SandboxPopulation) -> None:
    son = {male: (son, daughter) for male, son, daughter in names.MALE_NAMES}
    male_first = set(son)
    for person in records.persons:
        father_name = person.birth.father[1] if person.birth.father else None
        if person.gender == "male":
            assert person.first_name in male_first
            assert person.surname in names.SURNAMES or person.surname == person.birth_surname
            if father_name:
                assert person.patronymic == son[father_name][0]
        else:
            assert person.first_name in names.FEMALE_NAMES
            assert person.birth_surname == names.female_surname(
                names.male_surname(person.birth_surname)
            )
            if father_name:
                assert person.patronymic == son[father_name][1]
        assert person.birth.mother[0] == names.female_surname(
            names.male_surname(person.birth_surname)
        )


def test_female_surnames() -> None:
    assert names.female_surname("Иванов") == "Иванова"
    assert names.female_surname("Островский") == "Островская"
    assert names.female_surname("Толстой") == "Толстая"
    assert names.female_surname("Шевченко") == "Шевченко"
    assert names.female_surname("Ильин") == "Ильина"
    for surname in names.SURNAMES:
        assert names.male_surname(names.female_surname(surname)) == surname


def test_dates_follow_ages(records: SandboxPopulation) -> None:
    for person in records.persons:
        assert BIRTH_FROM <= person.birth_date <= BIRTH_TO
        assert person.birth.record_date >= person.birth_date
        assert person.birth.mother[3] <= person.birth_date - dt.timedelta(days=18 * 365)
        for passport in person.passports:
            assert age_on(person.birth_date, passport.issue_date) >= 14
            assert passport.issue_date <= AS_OF
            region = BY_CODE[person.region.code]
            assert passport.series_number[:2] == region.passport
            assert passport.series_number[2:4] == f"{passport.issue_date.year % 100:02d}"
            assert re.fullmatch(rf"{region.code}\d-\d{{3}}", passport.division_code)
        if age_on(person.birth_date, AS_OF) < 14:
            assert not person.passports
        if person.licence or person.vehicles or person.organisation:
            assert age_on(person.birth_date, AS_OF) >= 18
        for vehicle in person.vehicles:
            assert vehicle.registered_on >= person.birth_date.replace(
                year=person.birth_date.year + 18
            ) - dt.timedelta(days=1)
            for fine in vehicle.fines:
                assert fine.ruling_date >= fine.offence_at.date()
                assert not fine.paid or fine.paid_on is not None


def test_passport_histories(records: SandboxPopulation) -> None:
    statuses = {p.status for person in records.persons for p in person.passports}
    assert statuses == {"valid", "replaced", "lost", "expired"}
    for person in records.persons:
        *old, current = person.passports or [None]
        for passport in old:
            assert passport is not None
            assert passport.status in {"replaced", "lost"}
            assert passport.status_changed_on is not None
        if current is not None:
            assert current.status in {"valid", "expired"}


def test_marriages_are_consistent(records: SandboxPopulation) -> None:
    assert records.marriages
    for marriage in records.marriages:
        husband, wife = records.by_seq(marriage.husband), records.by_seq(marriage.wife)
        assert husband.gender == "male"
        assert wife.gender == "female"
        for spouse in (husband, wife):
            assert age_on(spouse.birth_date, marriage.record_date) >= 18
            assert spouse.married_on == marriage.record_date
        assert marriage.wife_surname_before == wife.birth_surname
        assert wife.surname == marriage.wife_surname_after
        if marriage.wife_surname_after != marriage.wife_surname_before:
            assert wife.surname == names.female_surname(husband.surname)
            # Passports issued before the marriage carry the maiden name.
            for passport in wife.passports:
                expected = (
                    wife.birth_surname
                    if passport.issue_date < marriage.record_date
                    else wife.surname
                )
                assert passport.surname == expected


def test_regions_are_the_85_subjects() -> None:
    assert len(REGIONS) == 85
    assert len({r.code for r in REGIONS}) == 85
    assert BY_CODE["77"].city == "Москва"


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=1, max_value=60))
def test_any_seed_gives_valid_numbers(seed: int, persons: int) -> None:
    population = population_records(persons=persons, seed=seed, as_of=AS_OF)
    assert len(population.persons) == persons
    for person in population.persons:
        validate_snils(person.snils)
        assert stdnum_inn.is_valid(person.inn)
