"""The synthetic population, in memory: plain records, no database, no Django.

Deterministic: one `random.Random(seed)` drives everything, consumed in a fixed order,
and "today" is a parameter (`as_of`), so the same seed, size and date give the same
population. Internally consistent: a woman who took her husband's surname has it in
every registry except on the passports issued before the marriage and in her birth
record; patronymics come from the father's first name in the birth record; passports
follow the ages of issue (14, 20, 45), vehicles and licences belong to adults, and so on.

Generated chunk by chunk (`Population.chunks()`), so a million persons never sit in
memory at once; marriages and employers are drawn within a chunk.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from uslugi.registries.data import names, reference
from uslugi.registries.data.regions import REGIONS, STREETS, WEIGHTS, Region
from uslugi.registries.population import numbers

BIRTH_FROM = dt.date(1940, 1, 1)
BIRTH_TO = dt.date(2008, 12, 31)
RUSSIAN_PASSPORTS_FROM = dt.date(1997, 10, 1)  # the current internal passport
CHUNK = 5_000
_SNILS_SPACE = 998_000_000  # first nine digits from 001-002-000: all carry check digits
_SNILS_OFFSET = 1_002_000
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
_CYRILLIC_PAIRS = ("МЮ", "ЛО", "АГ", "КБ", "ПР", "СТ", "ЖК", "ОМ", "РУ", "НА")


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


# --- Records -----------------------------------------------------------------------------


@dataclass(slots=True)
class PassportRecord:
    series_number: str  # 10 digits
    surname: str
    issue_date: dt.date
    issuer: str
    division_code: str
    status: str  # valid / replaced / lost / expired
    status_changed_on: dt.date | None = None


@dataclass(slots=True)
class FineRecord:
    uin: str
    offence_at: dt.datetime
    place: str
    article: str
    description: str
    ruling_date: dt.date
    division: str
    amount: Decimal
    discount_until: dt.date | None
    paid: bool
    paid_on: dt.date | None
    by_licence: bool  # stopped by an inspector (licence known) rather than a camera


@dataclass(slots=True)
class VehicleRecord:
    vin: str
    plate: str
    sts: str
    make: str
    model: str
    year: int
    colour: str
    category: str
    registered_on: dt.date
    fines: list[FineRecord] = field(default_factory=list)


@dataclass(slots=True)
class LicenceRecord:
    number: str
    issued_on: dt.date
    valid_until: dt.date
    categories: str
    status: str


@dataclass(slots=True)
class TaxDebtRecord:
    kind: str
    title: str
    kbk: str
    period: int
    amount: Decimal
    penalty: Decimal
    due_date: dt.date
    uin: str


@dataclass(slots=True)
class ProceedingRecord:
    number: str
    opened_on: dt.date
    subject: str
    document: str
    amount: Decimal
    remaining: Decimal
    department: str
    department_address: str
    bailiff: str
    status: str
    closed_on: dt.date | None


@dataclass(slots=True)
class OrganisationRecord:
    ogrn: str
    inn: str
    kpp: str
    full_name: str
    short_name: str
    legal_form: str
    registered_on: dt.date
    status: str
    status_changed_on: dt.date | None
    region_code: str
    address: dict[str, Any]
    okved_main: str
    okved_extra: list[str]
    authorised_capital: Decimal
    head_position: str
    head_since: dt.date


@dataclass(slots=True)
class EntrepreneurRecord:
    ogrnip: str
    registered_on: dt.date
    status: str
    ceased_on: dt.date | None
    okved_main: str


@dataclass(slots=True)
class BirthRecordData:
    record_number: str
    record_date: dt.date
    office: str
    mother: tuple[str, str, str, dt.date]
    father: tuple[str, str, str, dt.date] | None
    certificate: str


@dataclass(slots=True)
class MarriageData:
    record_number: str
    record_date: dt.date
    office: str
    husband: int  # seq of the husband in the population
    wife: int
    wife_surname_before: str
    wife_surname_after: str
    dissolved_on: dt.date | None
    certificate: str


@dataclass(slots=True)
class PersonRecord:
    seq: int
    gender: str
    birth_surname: str
    surname: str
    first_name: str
    patronymic: str
    birth_date: dt.date
    region: Region
    birth_place: str
    snils: str
    snils_registered_on: dt.date
    inn: str
    tax_office: str
    inn_registered_on: dt.date
    address: dict[str, Any]
    birth: BirthRecordData
    passports: list[PassportRecord] = field(default_factory=list)
    licence: LicenceRecord | None = None
    vehicles: list[VehicleRecord] = field(default_factory=list)
    tax_debts: list[TaxDebtRecord] = field(default_factory=list)
    proceedings: list[ProceedingRecord] = field(default_factory=list)
    pension: dict[str, Any] | None = None
    organisation: OrganisationRecord | None = None
    entrepreneur: EntrepreneurRecord | None = None
    married_on: dt.date | None = None

    @property
    def current_passport(self) -> PassportRecord | None:
        return self.passports[-1] if self.passports else None


@dataclass(slots=True)
class ForeignerRecord:
    kind: str
    citizenship: str
    number: str
    surname: str
    given_names: str
    gender: str
    birth_date: dt.date
    issue_date: dt.date
    valid_until: dt.date
    status: str


@dataclass(slots=True)
class Chunk:
    persons: list[PersonRecord]
    marriages: list[MarriageData]
    foreigners: list[ForeignerRecord]


# --- The generator ---------------------------------------------------------------------


class Population:
    """`Population(persons=N, seed=S, as_of=day).chunks()` yields the population in chunks."""

    def __init__(self, *, persons: int, seed: int, as_of: dt.date, chunk: int = CHUNK) -> None:
        if persons < 0:
            raise ValueError("persons must not be negative")
        self.persons = persons
        self.seed = seed
        self.as_of = as_of
        self.chunk = chunk
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by design
        rng = self.rng
        # SNILS numbers are a permutation of the sequence number: unique without a set.
        self._snils_a = self._coprime(rng, _SNILS_SPACE)
        self._snils_b = rng.randrange(_SNILS_SPACE)
        self._cum_weights = list(itertools.accumulate(WEIGHTS))
        self._birth_days = (BIRTH_TO - BIRTH_FROM).days
        self._used: dict[str, set[str]] = {
            kind: set() for kind in ("inn", "passport", "licence", "plate", "sts", "uin", "org")
        }
        self._counters = dict.fromkeys(("vin", "zags", "fssp"), 0)
        self._employers: list[tuple[str, str]] = []

    @staticmethod
    def _coprime(rng: random.Random, modulus: int) -> int:
        while True:
            candidate = rng.randrange(modulus // 3, modulus)
            if math.gcd(candidate, modulus) == 1:
                return candidate

    # -- helpers

    def _region(self) -> Region:
        total = self._cum_weights[-1]
        return REGIONS[bisect.bisect_right(self._cum_weights, self.rng.random() * total)]

    def _date_between(self, start: dt.date, end: dt.date) -> dt.date:
        days = (end - start).days
        return start if days <= 0 else start + dt.timedelta(days=self.rng.randint(0, days))

    def _unique(self, kind: str, make: Any) -> str:
        used = self._used[kind]
        while True:
            value = make()
            if value not in used:
                used.add(value)
                return str(value)

    def _digits(self, count: int) -> str:
        return f"{self.rng.randrange(10**count):0{count}d}"

    def _address(self, region: Region) -> dict[str, Any]:
        rng = self.rng
        flat = rng.randint(1, 320) if rng.random() < 0.8 else None
        return {
            "postcode": f"{rng.randint(101000, 692999)}",
            "region_code": region.code,
            "region": region.name,
            "city": region.city,
            "street": rng.choice(STREETS),
            "house": str(rng.randint(1, 150)),
            "flat": None if flat is None else str(flat),
        }

    def _random_person_name(self, gender: str) -> tuple[str, str, str]:
        rng = self.rng
        base = rng.choice(names.SURNAMES)
        father = rng.choice(names.MALE_NAMES)
        if gender == "male":
            return base, rng.choice(names.MALE_NAMES)[0], father[1]
        return names.female_surname(base), rng.choice(names.FEMALE_NAMES), father[2]

    def _office(self) -> str:
        """A tax office number within a region (the 3rd and 4th digits of an INN)."""
        return f"{self.rng.randint(1, 30):02d}"

    # -- chunks

    def chunks(self) -> Iterator[Chunk]:
        for start in range(0, self.persons, self.chunk):
            yield self._chunk(start, min(self.chunk, self.persons - start))

    def _chunk(self, start: int, size: int) -> Chunk:
        persons = [self._person(seq) for seq in range(start, start + size)]
        marriages = self._marry(persons)
        for person in persons:
            self._documents(person)
        self._organisations(persons)
        for person in persons:
            self._pension(person)
        foreigners = [self._foreigner() for _ in range(size // 40)]
        return Chunk(persons=persons, marriages=marriages, foreigners=foreigners)

    def _person(self, seq: int) -> PersonRecord:
        rng = self.rng
        as_of = self.as_of
        gender = "male" if rng.random() < 0.46 else "female"
        birth = BIRTH_FROM + dt.timedelta(days=rng.randint(0, self._birth_days))
        region = self._region()
        birth_region = region if rng.random() < 0.85 else self._region()
        base = rng.choice(names.SURNAMES)
        father = rng.choice(names.MALE_NAMES)
        if gender == "male":
            first, patronymic, surname = rng.choice(names.MALE_NAMES)[0], father[1], base
        else:
            first, patronymic = rng.choice(names.FEMALE_NAMES), father[2]
            surname = names.female_surname(base)
        nine = (self._snils_a * seq + self._snils_b) % _SNILS_SPACE + _SNILS_OFFSET
        snils = numbers.snils(f"{nine:09d}")
        registered = max(
            birth + dt.timedelta(days=rng.randint(20, 400)),
            self._date_between(dt.date(1996, 1, 1), dt.date(2003, 12, 31)),
        )
        if age_on(birth, as_of) >= 16 and registered < _add_years(birth, 16):
            registered = self._date_between(_add_years(birth, 16), _add_years(birth, 18))
        registered = min(registered, as_of)
        office = self._office()
        inn = self._unique(
            "inn", lambda: numbers.inn12(f"{region.code}{office}{rng.randrange(10**6):06d}")
        )
        inn_registered = min(
            as_of, max(dt.date(1999, 1, 1), birth) + dt.timedelta(days=rng.randint(30, 6000))
        )
        # Parents: the father's first name is the one the patronymic came from.
        mother_birth = _add_years(birth, -rng.randint(18, 38)) - dt.timedelta(rng.randint(0, 300))
        mother = (
            names.female_surname(base),
            rng.choice(names.FEMALE_NAMES),
            rng.choice(names.MALE_NAMES)[2],
            mother_birth,
        )
        father_record: tuple[str, str, str, dt.date] | None = None
        if rng.random() < 0.92:
            father_birth = _add_years(birth, -rng.randint(20, 42)) - dt.timedelta(
                rng.randint(0, 300)
            )
            father_record = (base, father[0], rng.choice(names.MALE_NAMES)[1], father_birth)
        self._counters["zags"] += 1
        birth_record = BirthRecordData(
            record_number=f"1{birth_region.code}{rng.randint(1, 120):03d}{birth.year}"
            f"{self._counters['zags']:011d}",
            record_date=birth + dt.timedelta(days=rng.randint(3, 30)),
            office=f"Отдел ЗАГС г. {birth_region.city}",
            mother=mother,
            father=father_record,
            certificate=f"{rng.choice(_ROMAN)}-{rng.choice(_CYRILLIC_PAIRS)} {self._digits(6)}",
        )
        return PersonRecord(
            seq=seq,
            gender=gender,
            birth_surname=surname,
            surname=surname,
            first_name=first,
            patronymic=patronymic,
            birth_date=birth,
            region=region,
            birth_place=f"г. {birth_region.city}",
            snils=snils,
            snils_registered_on=registered,
            inn=inn,
            tax_office=f"{region.code}{office}",
            inn_registered_on=inn_registered,
            address=self._address(region),
            birth=birth_record,
        )

    def _marry(self, persons: list[PersonRecord]) -> list[MarriageData]:
        rng = self.rng
        as_of = self.as_of
        adult = _add_years(as_of, -20)
        men = sorted(
            (p for p in persons if p.gender == "male" and p.birth_date <= adult),
            key=lambda p: p.birth_date,
        )
        women = sorted(
            (p for p in persons if p.gender == "female" and p.birth_date <= adult),
            key=lambda p: p.birth_date,
        )
        men = [p for p in men if rng.random() < 0.6]
        women = [p for p in women if rng.random() < 0.6]
        marriages: list[MarriageData] = []
        for husband, wife in zip(men, women, strict=False):
            if abs((husband.birth_date - wife.birth_date).days) > 3650:
                continue
            earliest = max(_add_years(husband.birth_date, 18), _add_years(wife.birth_date, 18))
            latest = min(_add_years(earliest, 15), as_of - dt.timedelta(days=30))
            married_on = self._date_between(earliest, latest)
            before = wife.surname
            after = before
            if rng.random() < 0.85:
                after = names.female_surname(husband.surname)
                wife.surname = after
            wife.married_on = married_on
            husband.married_on = married_on
            dissolved = None
            if rng.random() < 0.12:
                dissolved = self._date_between(married_on + dt.timedelta(days=365), as_of)
            self._counters["zags"] += 1
            region = wife.region
            marriages.append(
                MarriageData(
                    record_number=f"2{region.code}{rng.randint(1, 120):03d}{married_on.year}"
                    f"{self._counters['zags']:011d}",
                    record_date=married_on,
                    office=f"Отдел ЗАГС г. {region.city}",
                    husband=husband.seq,
                    wife=wife.seq,
                    wife_surname_before=before,
                    wife_surname_after=after,
                    dissolved_on=dissolved,
                    certificate=f"{rng.choice(_ROMAN)}-{rng.choice(_CYRILLIC_PAIRS)} "
                    f"{self._digits(6)}",
                )
            )
        return marriages

    # -- documents

    def _passport(self, person: PersonRecord, issued: dt.date, surname: str) -> PassportRecord:
        rng = self.rng
        region = person.region
        series = f"{region.passport}{issued.year % 100:02d}"
        number = self._unique("passport", lambda: series + f"{rng.randint(1, 999_999):06d}")
        level = rng.choice("0123")
        return PassportRecord(
            series_number=number,
            surname=surname,
            issue_date=issued,
            issuer=f"Отдел по вопросам миграции МВД России, г. {region.city}",
            division_code=f"{region.code}{level}-{rng.randint(1, 60):03d}",
            status="valid",
        )

    def _passports(self, person: PersonRecord) -> None:  # noqa: PLR0912 - the life of one document, in order
        rng = self.rng
        as_of = self.as_of
        birth = person.birth_date
        if age_on(birth, as_of) < 14:
            return
        grace = dt.timedelta(days=90)
        # Ages of issue; someone already grown in 1997 got the new passport in the exchange.
        events: list[tuple[dt.date, str]] = []
        for age in (14, 20, 45):
            day = _add_years(birth, age)
            if day <= as_of:
                events.append((day + dt.timedelta(days=rng.randint(5, 60)), "age"))
        events = [e for e in events if e[0] >= RUSSIAN_PASSPORTS_FROM]
        if _add_years(birth, 14) < RUSSIAN_PASSPORTS_FROM:
            exchange = self._date_between(RUSSIAN_PASSPORTS_FROM, dt.date(2004, 6, 30))
            events = [e for e in events if e[0] > exchange]
            events.insert(0, (exchange, "exchange"))
        if person.married_on and person.surname != person.birth_surname:
            change = person.married_on + dt.timedelta(days=rng.randint(10, 60))
            if events and change > events[0][0]:
                events.append((change, "surname"))
        events = sorted(e for e in events if e[0] <= as_of)
        if not events:
            return
        expired = False
        if len(events) > 1 and rng.random() < 0.01:
            # Did not replace it at 20 or 45: the previous one has run out.
            last_day, reason = events[-1]
            if reason == "age":
                events.pop()
                expired = last_day + grace < as_of
        lost_on: dt.date | None = None
        if rng.random() < 0.03 and events[-1][0] < as_of - dt.timedelta(days=60):
            lost_on = self._date_between(events[-1][0] + dt.timedelta(days=1), as_of)
            reissue = lost_on + dt.timedelta(days=rng.randint(7, 30))
            if reissue <= as_of:
                events.append((reissue, "lost"))
            else:
                lost_on = None
        # Keep the last two documents (the registry's history is longer; two are enough
        # to answer "replaced" and "lost").
        kept = events[-2:]
        passports: list[PassportRecord] = []
        for day, _reason in kept:
            surname = person.surname
            if person.married_on and day < person.married_on:
                surname = person.birth_surname
            passports.append(self._passport(person, day, surname))
        for older, newer, (_, reason) in zip(passports, passports[1:], kept[1:], strict=False):
            older.status = "lost" if reason == "lost" else "replaced"
            older.status_changed_on = lost_on if reason == "lost" else newer.issue_date
        if expired:
            passports[-1].status = "expired"
            passports[-1].status_changed_on = (
                _add_years(birth, 20 if age_on(birth, as_of) < 45 else 45) + grace
            )
        person.passports = passports

    def _documents(self, person: PersonRecord) -> None:  # noqa: PLR0912 - one step per registry
        rng = self.rng
        as_of = self.as_of
        self._passports(person)
        age = age_on(person.birth_date, as_of)
        if age < 18:
            return
        adult_on = _add_years(person.birth_date, 18)
        # Driver licence and vehicles.
        if rng.random() < (0.6 if person.gender == "male" else 0.35):
            roll = rng.random()
            status = "valid"
            if roll < 0.03:
                issued = _add_years(as_of, -10) - dt.timedelta(days=rng.randint(1, 700))
                status = "expired"
            else:
                issued = self._date_between(max(adult_on, _add_years(as_of, -10)), as_of)
                if roll > 0.99:
                    status = "revoked"
            issued = max(issued, adult_on)
            region = person.region
            number = self._unique(
                "licence",
                lambda: f"{region.code}{rng.randint(10, 99)}{rng.randrange(10**6):06d}",
            )
            categories = rng.choice(("B", "B", "B", "A, B", "B, C", "B, C, CE"))
            person.licence = LicenceRecord(
                number=number,
                issued_on=issued,
                valid_until=_add_years(issued, 10),
                categories=categories,
                status=status,
            )
            vehicles = 1 if rng.random() < 0.7 else 0
            if vehicles and rng.random() < 0.12:
                vehicles = 2
            for _ in range(vehicles):
                person.vehicles.append(self._vehicle(person, adult_on))
        # Taxes: transport tax follows vehicles; property and land tax anyone.
        if rng.random() < 0.12 or (person.vehicles and rng.random() < 0.2):
            kinds = [reference.TAX_KINDS[0]] if person.vehicles else []
            kinds += rng.sample(reference.TAX_KINDS[1:], rng.randint(0, 2))
            for kind in kinds or [reference.TAX_KINDS[1]]:
                period = as_of.year - rng.randint(1, 3)
                amount = rng.randint(300, 30_000) + rng.randint(0, 99) / 100
                person.tax_debts.append(
                    TaxDebtRecord(
                        kind=kind.code,
                        title=kind.title,
                        kbk=kind.kbk,
                        period=period,
                        amount=_money(amount),
                        penalty=_money(amount * rng.uniform(0.01, 0.12)),
                        due_date=dt.date(period + 1, 12, 1),
                        uin=self._unique("uin", lambda: numbers.uin("182" + self._digits(16))),
                    )
                )
        # Enforcement proceedings.
        if rng.random() < 0.07:
            for _ in range(rng.randint(1, 3)):
                person.proceedings.append(self._proceeding(person))
        # Individual entrepreneurs.
        if rng.random() < 0.03 and age >= 19:
            registered = self._date_between(max(adult_on, dt.date(2004, 1, 1)), as_of)
            ogrnip: str | None = None
            while ogrnip is None:
                body = f"3{registered.year % 100:02d}{person.region.code}{self._digits(9)}"
                ogrnip = numbers.ogrnip(body)
                if ogrnip is not None and ogrnip in self._used["org"]:
                    ogrnip = None
            self._used["org"].add(ogrnip)
            ceased = None
            if rng.random() < 0.15:
                ceased = self._date_between(registered + dt.timedelta(days=200), as_of)
            person.entrepreneur = EntrepreneurRecord(
                ogrnip=ogrnip,
                registered_on=registered,
                status="ceased" if ceased else "active",
                ceased_on=ceased,
                okved_main=rng.choice(reference.OKVED)[0],
            )

    def _vehicle(self, person: PersonRecord, adult_on: dt.date) -> VehicleRecord:
        rng = self.rng
        as_of = self.as_of
        make, model, category, since = rng.choice(reference.VEHICLE_MODELS)
        year = rng.randint(max(since, as_of.year - 25), as_of.year)
        registered = self._date_between(max(dt.date(year, 1, 1), adult_on), as_of)
        self._counters["vin"] += 1
        wmi = rng.choice(reference.VIN_WMI)
        vds = "".join(rng.choice(reference.VIN_ALPHABET) for _ in range(5))
        year_code = reference.VIN_YEARS[(year - 1980) % len(reference.VIN_YEARS)]
        vin = numbers.vin(wmi + vds, f"{year_code}{self._counters['vin'] % 10**7:07d}")
        letters = reference.PLATE_LETTERS
        region_code = person.region.code
        plate = self._unique(
            "plate",
            lambda: (
                f"{rng.choice(letters)}{rng.randint(1, 999):03d}"
                f"{rng.choice(letters)}{rng.choice(letters)}{region_code}"
            ),
        )
        sts = self._unique("sts", lambda: f"99{rng.randint(1, 99):02d}{self._digits(6)}")
        vehicle = VehicleRecord(
            vin=vin,
            plate=plate,
            sts=sts,
            make=make,
            model=model,
            year=year,
            colour=rng.choice(reference.COLOURS),
            category=category,
            registered_on=registered,
        )
        roll = rng.random()
        count = 0 if roll < 0.5 else 1 if roll < 0.75 else 2 if roll < 0.88 else rng.randint(3, 5)
        for _ in range(count):
            vehicle.fines.append(self._fine(person, registered))
        return vehicle

    def _fine(self, person: PersonRecord, since: dt.date) -> FineRecord:
        rng = self.rng
        as_of = self.as_of
        offence = rng.choice(reference.OFFENCES)
        day = self._date_between(max(since, as_of - dt.timedelta(days=730)), as_of)
        offence_at = dt.datetime.combine(
            day, dt.time(rng.randint(6, 23), rng.randint(0, 59)), tzinfo=dt.UTC
        )
        ruling = min(as_of, day + dt.timedelta(days=rng.randint(1, 10)))
        discount_until = ruling + dt.timedelta(days=20) if offence.discountable else None
        age_days = (as_of - ruling).days
        paid = rng.random() < (0.85 if age_days > 80 else 0.45)
        paid_on = self._date_between(ruling, as_of) if paid else None
        region_code = person.region.code
        if rng.random() < 0.8:
            # 20 digits: the administrator code of the traffic police, region, number.
            def make_uin() -> str:
                return numbers.uin(f"18810{region_code}{self._digits(12)}")
        else:
            # 25 digits: the newer form with the payee's code.
            def make_uin() -> str:
                return numbers.uin(f"03554310{self._digits(16)}")

        return FineRecord(
            uin=self._unique("uin", make_uin),
            offence_at=offence_at,
            place=f"г. {person.region.city}, {rng.choice(STREETS)}, д. {rng.randint(1, 120)}",
            article=offence.article,
            description=offence.description,
            ruling_date=ruling,
            division=f"{reference.FINE_DIVISION} ({person.region.name})",
            amount=Decimal(offence.amount),
            discount_until=discount_until,
            paid=paid,
            paid_on=paid_on,
            by_licence=rng.random() < 0.3,
        )

    def _proceeding(self, person: PersonRecord) -> ProceedingRecord:
        rng = self.rng
        as_of = self.as_of
        opened = self._date_between(as_of - dt.timedelta(days=6 * 365), as_of)
        self._counters["fssp"] += 1
        department_no = rng.randint(1, 40)
        amount = _money(rng.choice((rng.uniform(500, 20_000), rng.uniform(20_000, 500_000))))
        closed = rng.random() < 0.25
        closed_on = self._date_between(opened, as_of) if closed else None
        remaining = Decimal("0.00") if closed else _money(float(amount) * rng.uniform(0.3, 1))
        surname, first, patronymic = self._random_person_name(rng.choice(("male", "female")))
        region = person.region
        return ProceedingRecord(
            number=f"{self._counters['fssp']:d}/{opened.year % 100:02d}/"
            f"{region.code}{department_no:03d}-ИП",
            opened_on=opened,
            subject=rng.choice(reference.FSSP_SUBJECTS),
            document=f"{rng.choice(reference.FSSP_DOCUMENTS)} № {rng.randint(1, 9999)}-"
            f"{opened.year}",
            amount=amount,
            remaining=remaining,
            department=f"ОСП № {department_no} по г. {region.city}",
            department_address=f"г. {region.city}, {rng.choice(STREETS)}, д. {rng.randint(1, 90)}",
            bailiff=f"{surname} {first[0]}. {patronymic[0]}.",
            status="closed" if closed else "active",
            closed_on=closed_on,
        )

    def _organisations(self, persons: list[PersonRecord]) -> None:
        rng = self.rng
        as_of = self.as_of
        for person in persons:
            if rng.random() >= 0.02 or age_on(person.birth_date, as_of) < 21:
                continue
            region = person.region
            registered = self._date_between(
                max(_add_years(person.birth_date, 21), dt.date(2002, 7, 1)), as_of
            )
            office = self._office()
            prefix = f"{region.code}{office}"
            serial_inn = self._unique(
                "org", lambda prefix=prefix: numbers.inn10(f"{prefix}{self._digits(5)}")
            )
            ogrn_prefix = f"1{registered.year % 100:02d}{prefix}"
            ogrn = self._unique("org", lambda p=ogrn_prefix: numbers.ogrn(f"{p}{self._digits(5)}"))
            short_form, full_form = rng.choice(reference.LEGAL_FORMS)
            word = rng.choice(reference.COMPANY_WORDS) + rng.choice(reference.COMPANY_SUFFIXES)
            okved = rng.sample(reference.OKVED, 3)
            status_roll = rng.random()
            status = "active"
            changed = None
            if status_roll < 0.08:
                status = "liquidated"
                changed = self._date_between(registered, as_of)
            elif status_roll < 0.11:
                status = "liquidating"
                changed = self._date_between(registered, as_of)
            person.organisation = OrganisationRecord(
                ogrn=ogrn,
                inn=serial_inn,
                kpp=f"{region.code}{office}01001",
                full_name=f"{full_form} «{word}»",
                short_name=f"{short_form} «{word}»",
                legal_form=full_form,
                registered_on=registered,
                status=status,
                status_changed_on=changed,
                region_code=region.code,
                address={**self._address(region), "flat": None, "office": str(rng.randint(1, 40))},
                okved_main=okved[0][0],
                okved_extra=[code for code, _ in okved[1:]],
                authorised_capital=Decimal(
                    rng.choice((10_000, 10_000, 50_000, 100_000, 1_000_000))
                ),
                head_position=rng.choice(reference.HEAD_POSITIONS),
                head_since=registered,
            )
            if status == "active":
                self._employers.append((person.organisation.short_name, serial_inn))
        if len(self._employers) > 200:
            del self._employers[:-200]

    def _pension(self, person: PersonRecord) -> None:
        rng = self.rng
        as_of = self.as_of
        age = age_on(person.birth_date, as_of)
        if age < 18:
            return
        working_years = max(0, min(age, 65) - 18)
        first_year = max(as_of.year - 6, person.birth_date.year + 18)
        years: list[dict[str, Any]] = []
        points_before = (
            Decimal(f"{working_years * rng.uniform(2.0, 7.0):.3f}")
            if age > 24
            else Decimal("0.000")
        )
        if age <= 70 and rng.random() < 0.8:
            employer = (
                rng.choice(self._employers)
                if self._employers
                else ("ООО «Ромашка»", numbers.inn10("770100001"))
            )
            salary = rng.randint(25, 220) * 1000
            for year in range(first_year, as_of.year):
                if rng.random() < 0.15 and self._employers:
                    employer = rng.choice(self._employers)
                annual = salary * 12
                base = 1_000_000 + (year - 2015) * 100_000  # maximum base, roughly as published
                points = min(Decimal(10), Decimal(f"{10 * min(1.0, annual / base):.3f}"))
                years.append(
                    {
                        "year": year,
                        "employer_name": employer[0],
                        "employer_inn": employer[1],
                        "contributions": f"{annual * 0.22:.2f}",
                        "points": f"{points:.3f}",
                    }
                )
                salary = int(salary * rng.uniform(1.0, 1.12))
        total = points_before + sum((Decimal(y["points"]) for y in years), Decimal(0))
        person.pension = {"points_before": points_before, "points_total": total, "years": years}

    def _foreigner(self) -> ForeignerRecord:
        rng = self.rng
        as_of = self.as_of
        citizenship, surnames, men, women = rng.choice(names.FOREIGN_PEOPLE)
        gender = rng.choice(("male", "female"))
        given = rng.choice(men if gender == "male" else women)
        birth = self._date_between(dt.date(1960, 1, 1), dt.date(2005, 12, 31))
        kind = rng.choice(("passport", "passport", "residence_permit", "temporary_residence"))
        if kind == "passport":
            number = self._unique(
                "passport", lambda: f"{citizenship[:2]}{rng.randrange(10**7):07d}"
            )
            term = 10
        else:
            prefix = "82" if kind == "residence_permit" else "81"
            number = self._unique("passport", lambda: f"{prefix}{rng.randrange(10**7):07d}")
            term = 5 if kind == "residence_permit" else 3
        issued = self._date_between(as_of - dt.timedelta(days=365 * term + 400), as_of)
        valid_until = _add_years(issued, term)
        status = "valid" if valid_until >= as_of else "expired"
        if status == "valid" and rng.random() < 0.03:
            status = "invalidated"
        return ForeignerRecord(
            kind=kind,
            citizenship=citizenship,
            number=number,
            surname=rng.choice(surnames),
            given_names=given,
            gender=gender,
            birth_date=birth,
            issue_date=issued,
            valid_until=valid_until,
            status=status,
        )
