"""Writing the generated population into the registries' tables, in batches.

Each chunk of the generator becomes rows (`{attname: value}`) and is inserted in one
transaction per chunk, either straight (`COPY` on PostgreSQL, `executemany` elsewhere)
or through `bulk_create`; encryption and blind indexes are computed by the fields' own
methods either way, so the rows read back exactly as if saved one by one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction

from uslugi.core import clock
from uslugi.core.fields import BlindIndexField, EncryptedField
from uslugi.core.ids import new_id
from uslugi.core.validators import format_snils
from uslugi.registries.models import (
    BirthRecord,
    DriverLicence,
    EnforcementProceeding,
    Entrepreneur,
    Fine,
    ForeignDocument,
    InsuredPerson,
    MarriageRecord,
    Organisation,
    Passport,
    PensionAccount,
    PopulationRun,
    TaxDebt,
    Taxpayer,
    Vehicle,
)
from uslugi.registries.normalizers import name_key
from uslugi.registries.population.generator import Chunk, PersonRecord

# Parents before children (the order of inserts), and the reverse for deleting.
POPULATION_MODELS: tuple[type[models.Model], ...] = (
    InsuredPerson,
    PensionAccount,
    Passport,
    ForeignDocument,
    Taxpayer,
    TaxDebt,
    Vehicle,
    DriverLicence,
    Fine,
    EnforcementProceeding,
    Organisation,
    Entrepreneur,
    BirthRecord,
    MarriageRecord,
    PopulationRun,
)


@dataclass
class Timings:
    """Seconds spent per phase, summed over chunks."""

    generate: float = 0.0
    build: float = 0.0
    insert: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {"generate": self.generate, "build": self.build, "insert": self.insert}


@dataclass
class Rows:
    """Each model's rows as `{attname: python value}` (FKs as `<name>_id`), parents first."""

    by_model: dict[type[models.Model], list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, model_class: type[models.Model], /, **values: Any) -> dict[str, Any]:
        """Queue a row; rows that others point to get their primary key here."""
        values.setdefault("id", new_id())
        self.by_model.setdefault(model_class, []).append(values)
        return values

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.by_model.values())


def _name(person: PersonRecord) -> dict[str, str]:
    return {
        "surname": person.surname,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
    }


def build_rows(chunk: Chunk) -> Rows:  # noqa: PLR0912 - one step per registry, in order
    """The rows of every registry's share of a chunk (not yet written)."""
    rows = Rows()
    by_seq = {person.seq: person for person in chunk.persons}
    for person in chunk.persons:
        name = _name(person)
        insured = rows.add(
            InsuredPerson,
            snils=person.snils,
            gender=person.gender,
            birth_date=person.birth_date,
            birth_place=person.birth_place,
            region_code=person.region.code,
            registered_on=person.snils_registered_on,
            **name,
        )
        if person.pension is not None:
            rows.add(
                PensionAccount,
                insured_id=insured["id"],
                points_before=person.pension["points_before"],
                points_total=person.pension["points_total"],
                years=person.pension["years"],
                updated_on=dt.date(person.birth_date.year, 1, 1)
                if not person.pension["years"]
                else dt.date(person.pension["years"][-1]["year"] + 1, 2, 1),
            )
        for document in person.passports:
            rows.add(
                Passport,
                series_number=document.series_number,
                surname=document.surname,
                first_name=person.first_name,
                patronymic=person.patronymic,
                gender=person.gender,
                birth_date=person.birth_date,
                birth_place=person.birth_place,
                issue_date=document.issue_date,
                issuer=document.issuer,
                division_code=document.division_code,
                status=document.status,
                status_changed_on=document.status_changed_on,
                registration_address=person.address if document.status == "valid" else None,
            )
        current = person.current_passport
        if current is not None:
            taxpayer = rows.add(
                Taxpayer,
                inn=person.inn,
                birth_date=person.birth_date,
                passport=current.series_number,
                tax_office=person.tax_office,
                registered_on=person.inn_registered_on,
                address=person.address,
                **name,
            )
            for debt in person.tax_debts:
                rows.add(
                    TaxDebt,
                    taxpayer_id=taxpayer["id"],
                    kind=debt.kind,
                    title=debt.title,
                    kbk=debt.kbk,
                    period=debt.period,
                    amount=debt.amount,
                    penalty=debt.penalty,
                    due_date=debt.due_date,
                    uin=debt.uin,
                )
        licence = None
        if person.licence is not None:
            licence = rows.add(
                DriverLicence,
                number=person.licence.number,
                birth_date=person.birth_date,
                issued_on=person.licence.issued_on,
                valid_until=person.licence.valid_until,
                categories=person.licence.categories,
                status=person.licence.status,
                region_code=person.region.code,
                **name,
            )
        for record in person.vehicles if current is not None else ():  # adults: always
            vehicle = rows.add(
                Vehicle,
                vin=record.vin,
                plate=record.plate,
                sts=record.sts,
                make=record.make,
                model=record.model,
                year=record.year,
                colour=record.colour,
                category=record.category,
                registered_on=record.registered_on,
                region_code=person.region.code,
                owner_surname=person.surname,
                owner_first_name=person.first_name,
                owner_patronymic=person.patronymic,
                owner_birth_date=person.birth_date,
                owner_passport=current.series_number if current else None,
            )
            for fine in record.fines:
                rows.add(
                    Fine,
                    uin=fine.uin,
                    vehicle_id=vehicle["id"],
                    licence_id=licence["id"] if licence and fine.by_licence else None,
                    offence_at=fine.offence_at,
                    place=fine.place,
                    article=fine.article,
                    description=fine.description,
                    ruling_date=fine.ruling_date,
                    division=fine.division,
                    amount=fine.amount,
                    discount_until=fine.discount_until,
                    paid=fine.paid,
                    paid_on=fine.paid_on,
                )
        for proceeding in person.proceedings:
            rows.add(
                EnforcementProceeding,
                number=proceeding.number,
                opened_on=proceeding.opened_on,
                debtor_surname=person.surname,
                debtor_first_name=person.first_name,
                debtor_patronymic=person.patronymic,
                debtor_key=name_key(person.surname, person.first_name),
                debtor_birth_date=person.birth_date,
                region_code=person.region.code,
                subject=proceeding.subject,
                document=proceeding.document,
                amount=proceeding.amount,
                remaining=proceeding.remaining,
                department=proceeding.department,
                department_address=proceeding.department_address,
                bailiff=proceeding.bailiff,
                status=proceeding.status,
                closed_on=proceeding.closed_on,
            )
        organisation = person.organisation
        if organisation is not None:
            rows.add(
                Organisation,
                ogrn=organisation.ogrn,
                inn=organisation.inn,
                kpp=organisation.kpp,
                full_name=organisation.full_name,
                short_name=organisation.short_name,
                legal_form=organisation.legal_form,
                registered_on=organisation.registered_on,
                status=organisation.status,
                status_changed_on=organisation.status_changed_on,
                region_code=organisation.region_code,
                address=organisation.address,
                okved_main=organisation.okved_main,
                okved_extra=organisation.okved_extra,
                authorised_capital=organisation.authorised_capital,
                head_surname=person.surname,
                head_first_name=person.first_name,
                head_patronymic=person.patronymic,
                head_position=organisation.head_position,
                head_inn=person.inn,
                head_since=organisation.head_since,
            )
        entrepreneur = person.entrepreneur
        if entrepreneur is not None:
            rows.add(
                Entrepreneur,
                ogrnip=entrepreneur.ogrnip,
                inn=person.inn,
                gender=person.gender,
                region_code=person.region.code,
                registered_on=entrepreneur.registered_on,
                status=entrepreneur.status,
                ceased_on=entrepreneur.ceased_on,
                okved_main=entrepreneur.okved_main,
                **name,
            )
        birth = person.birth
        mother_surname, mother_first, mother_patronymic, mother_birth = birth.mother
        father = birth.father
        rows.add(
            BirthRecord,
            record_number=birth.record_number,
            record_date=birth.record_date,
            office=birth.office,
            surname=person.birth_surname,
            first_name=person.first_name,
            patronymic=person.patronymic,
            person_key=name_key(person.birth_surname, person.first_name),
            gender=person.gender,
            birth_date=person.birth_date,
            birth_place=person.birth_place,
            mother_surname=mother_surname,
            mother_first_name=mother_first,
            mother_patronymic=mother_patronymic,
            mother_birth_date=mother_birth,
            father_surname=father[0] if father else "",
            father_first_name=father[1] if father else "",
            father_patronymic=father[2] if father else "",
            father_birth_date=father[3] if father else None,
            certificate=birth.certificate,
        )
    for marriage in chunk.marriages:
        husband, wife = by_seq[marriage.husband], by_seq[marriage.wife]
        rows.add(
            MarriageRecord,
            record_number=marriage.record_number,
            record_date=marriage.record_date,
            office=marriage.office,
            husband_surname=husband.surname,
            husband_first_name=husband.first_name,
            husband_patronymic=husband.patronymic,
            husband_key=name_key(husband.surname, husband.first_name),
            husband_birth_date=husband.birth_date,
            wife_surname_before=marriage.wife_surname_before,
            wife_surname_after=marriage.wife_surname_after,
            wife_first_name=wife.first_name,
            wife_patronymic=wife.patronymic,
            wife_key_before=name_key(marriage.wife_surname_before, wife.first_name),
            wife_key_after=name_key(marriage.wife_surname_after, wife.first_name),
            wife_birth_date=wife.birth_date,
            dissolved_on=marriage.dissolved_on,
            certificate=marriage.certificate,
        )
    for foreigner in chunk.foreigners:
        rows.add(
            ForeignDocument,
            kind=foreigner.kind,
            citizenship=foreigner.citizenship,
            number=foreigner.number,
            surname=foreigner.surname,
            given_names=foreigner.given_names,
            gender=foreigner.gender,
            birth_date=foreigner.birth_date,
            issue_date=foreigner.issue_date,
            valid_until=foreigner.valid_until,
            status=foreigner.status,
        )
    return rows


def insert_rows(
    rows: Rows, *, batch_size: int, method: str = "copy", dry_run: bool = False
) -> dict[str, int]:
    """Insert every model's rows, parents first, in one transaction; rows per table.

    `method="copy"` (the default) writes prepared rows straight to the database:
    `COPY ... FROM STDIN` on PostgreSQL, `executemany` of one INSERT elsewhere;
    `method="orm"` builds model instances and calls `bulk_create` (the reference path,
    kept for the benchmark's comparison and as a check of the fast one). `dry_run`
    prepares everything (instances, or converted and encrypted rows) and writes nothing.
    """
    if method not in {"copy", "orm"}:
        raise ValueError(f"unknown insert method {method!r}")
    counts: dict[str, int] = {}
    now = clock.now()
    with transaction.atomic():
        for model in POPULATION_MODELS:
            values = rows.by_model.get(model)
            if not values:
                continue
            if method == "orm":
                instances = [model(**row) for row in values]
                if not dry_run:
                    model._default_manager.bulk_create(instances, batch_size=batch_size)
            else:
                writer = TableWriter.for_model(model)
                prepared = writer.prepare(values, now=now)
                if not dry_run:
                    writer.write(prepared)
            counts[model._meta.label] = len(values)
    return counts


def _identity(value: Any) -> Any:
    return value


_VALUE, _BLIND, _NOW = "value", "blind", "now"


class TableWriter:
    """Writes `{attname: value}` rows of one model without model instances: each column's
    value goes through the same conversion the ORM applies (the fields' own `encrypt`
    and `index_for`, the backend's date and decimal adapters), so the rows read back
    exactly as if saved one by one. Defaults as the fields declare them; `created_at`
    and `updated_at` take one timestamp per batch."""

    _cache: dict[tuple[str, type[models.Model]], TableWriter] = {}

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [str(f.column) for f in self.fields]
        # One plan per column, decided once: where the value comes from, how it converts.
        self.plan: list[tuple[str, Any, Callable[[Any], Any]]] = []
        for f in self.fields:
            if isinstance(f, BlindIndexField):
                self.plan.append((_BLIND, f, _identity))
            elif f.name in ("created_at", "updated_at"):
                self.plan.append((_NOW, f.attname, self._converter(f)))
            else:
                self.plan.append((_VALUE, f, self._converter(f)))

    @classmethod
    def for_model(cls, model: type[models.Model]) -> TableWriter:
        key = (connection.vendor, model)
        if key not in cls._cache:
            cls._cache[key] = cls(model)
        return cls._cache[key]

    @staticmethod
    def _converter(f: models.Field[Any, Any]) -> Callable[[Any], Any]:  # noqa: PLR0911 - a table
        ops = connection.ops
        if isinstance(f, EncryptedField):
            return f.encrypt
        if f.is_relation and f.target_field is not None:  # type: ignore[attr-defined]
            return TableWriter._converter(f.target_field)  # type: ignore[attr-defined]
        kind = f.get_internal_type()
        if kind == "UUIDField":
            if connection.features.has_native_uuid_field:
                return _identity
            return lambda v: None if v is None else v.hex
        if kind == "DateField":
            return ops.adapt_datefield_value
        if kind == "DateTimeField":
            return ops.adapt_datetimefield_value
        if kind == "DecimalField":
            digits, places = f.max_digits, f.decimal_places  # type: ignore[attr-defined]
            return lambda v: ops.adapt_decimalfield_value(v, digits, places)
        if kind == "JSONField":
            encoder = f.encoder  # type: ignore[attr-defined]
            return lambda v: None if v is None else json.dumps(v, cls=encoder)
        return _identity

    def _values(self, row: dict[str, Any], now: Any) -> list[Any]:
        values: list[Any] = []
        append = values.append
        for source, f, convert in self.plan:
            if source is _VALUE:
                value = row[f.attname] if f.attname in row else f.get_default()
                append(convert(value))
            elif source is _BLIND:
                append(f.index_for(row.get(f.source)))
            else:
                append(now)
        return values

    def prepare(self, rows: list[dict[str, Any]], *, now: dt.datetime) -> list[list[Any]]:
        """Every row's column values as the database takes them (encrypted, indexed)."""
        stamp = self.plan[[p[0] for p in self.plan].index(_NOW)][2](now)  # converted once
        return [self._values(row, stamp) for row in rows]

    def write(self, prepared: list[list[Any]]) -> None:
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for values in prepared:
                        copy.write_row(values)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - our own columns
                    prepared,
                )


def delete_population() -> None:
    """Empty every population table fast (the faults stay): TRUNCATE on PostgreSQL,
    DELETE children first elsewhere. No per-row signals: nothing listens to these."""
    tables = [model._meta.db_table for model in POPULATION_MODELS]
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows inserted earlier in this transaction leave deferred FK checks pending,
            # which TRUNCATE refuses: run them now, then defer again (Django's default).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(quote(t) for t in tables)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for table in reversed(tables):
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608 - our own table names


# --- Demo identities ---------------------------------------------------------------------


def _passport_dict(
    series_number: str, issue_date: dt.date, division: str, status: str
) -> dict[str, str]:
    return {
        "series": series_number[:4],
        "number": series_number[4:],
        "issue_date": issue_date.isoformat(),
        "division_code": division,
        "status": status,
    }


def identity_of(person: PersonRecord, label: str) -> dict[str, Any]:
    """What a tester needs to sign up and try the services as this person."""
    current = person.current_passport
    identity: dict[str, Any] = {
        "label": label,
        "surname": person.surname,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat(),
        "region": person.region.name,
        "snils": format_snils(person.snils),
        "inn": person.inn,
    }
    if current is not None:
        identity["passport"] = _passport_dict(
            current.series_number, current.issue_date, current.division_code, current.status
        )
    if len(person.passports) > 1:
        old = person.passports[-2]
        identity["previous_passport"] = _passport_dict(
            old.series_number, old.issue_date, old.division_code, old.status
        )
        identity["previous_passport"]["surname"] = old.surname
    if person.licence is not None:
        identity["driver_licence"] = person.licence.number
    if person.vehicles and current is not None:
        vehicle = person.vehicles[0]
        identity["vehicle"] = {
            "plate": vehicle.plate,
            "sts": vehicle.sts,
            "vin": vehicle.vin,
            "fines": len(vehicle.fines),
            "unpaid_fines": sum(not fine.paid for fine in vehicle.fines),
        }
    if person.tax_debts and current is not None:
        identity["tax_debts"] = len(person.tax_debts)
    if person.proceedings:
        identity["enforcement_proceedings"] = len(person.proceedings)
    if person.organisation is not None:
        identity["organisation"] = {
            "ogrn": person.organisation.ogrn,
            "inn": person.organisation.inn,
            "name": person.organisation.short_name,
            "status": person.organisation.status,
        }
    if person.entrepreneur is not None:
        identity["entrepreneur_ogrnip"] = person.entrepreneur.ogrnip
    if person.married_on is not None:
        identity["married_on"] = person.married_on.isoformat()
    return identity


_CRITERIA: tuple[tuple[str, Callable[[PersonRecord], bool]], ...] = (
    (
        "driver with unpaid fines and tax debts",
        lambda p: bool(
            p.licence
            and p.licence.status == "valid"
            and p.vehicles
            and any(not f.paid for f in p.vehicles[0].fines)
            and p.tax_debts
        ),
    ),
    (
        "married, surname changed (old passport replaced)",
        lambda p: bool(
            p.gender == "female"
            and p.surname != p.birth_surname
            and len(p.passports) > 1
            and p.passports[-2].status == "replaced"
            and p.passports[-2].surname != p.surname
        ),
    ),
    (
        "previous passport reported lost",
        lambda p: len(p.passports) > 1 and p.passports[-2].status == "lost",
    ),
    (
        "head of an organisation",
        lambda p: bool(p.organisation and p.organisation.status == "active"),
    ),
    (
        "debtor with enforcement proceedings",
        lambda p: any(pr.status == "active" for pr in p.proceedings),
    ),
)


class IdentityPicker:
    """Chooses the first person of each demo kind as chunks go by (deterministic)."""

    def __init__(self) -> None:
        self.found: dict[str, dict[str, Any]] = {}
        self._used: set[int] = set()

    def see(self, chunk: Chunk) -> None:
        if len(self.found) == len(_CRITERIA):
            return
        for label, matches in _CRITERIA:
            if label in self.found:
                continue
            for person in chunk.persons:
                current = person.current_passport
                usable = current is not None and current.status == "valid"
                if usable and person.seq not in self._used and matches(person):
                    self.found[label] = identity_of(person, label)
                    self._used.add(person.seq)
                    break

    def identities(self) -> list[dict[str, Any]]:
        return [self.found[label] for label, _ in _CRITERIA if label in self.found]
