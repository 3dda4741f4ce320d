"""The sandbox registries for any app's tests: a small generated population and injected
faults. The registries are reached only over the exchange, so tests of other apps use
these fixtures to set up data and faults, never the registries' code directly.

In a conftest.py:

    from tests.factories.registries import registry_fault, sandbox_population  # noqa: F401

    def test_snils_check_when_pfr_is_down(registry_fault, sandbox_population):
        registry_fault("pfr", mode="down")
        person = sandbox_population.find(lambda p: p.passports)
        ...
        registry_fault.clear("pfr")  # back up
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from uslugi.core.validators import format_snils
from uslugi.registries import faults, services
from uslugi.registries.models import InsuredPerson, RegistryFault
from uslugi.registries.population.generator import (
    Chunk,
    ForeignerRecord,
    MarriageData,
    PersonRecord,
    Population,
)
from uslugi.registries.population.writer import build_rows, delete_population, insert_rows

SANDBOX_SEED = 4242
SANDBOX_PERSONS = 200
SANDBOX_AS_OF = dt.date(2026, 6, 1)


@dataclass
class SandboxPopulation:
    """The generated records (the registries hold the same data), to pick test subjects."""

    persons: list[PersonRecord]
    marriages: list[MarriageData]
    foreigners: list[ForeignerRecord]
    seed: int
    as_of: dt.date

    def find(self, matches: Callable[[PersonRecord], bool]) -> PersonRecord:
        """The first person that matches (fails the test if none does)."""
        for person in self.persons:
            if matches(person):
                return person
        pytest.fail("no person in the sandbox population matches")

    def by_seq(self, seq: int) -> PersonRecord:
        return next(p for p in self.persons if p.seq == seq)


def population_records(*, persons: int, seed: int, as_of: dt.date) -> SandboxPopulation:
    """The population the generator makes for these arguments, in memory."""
    chunks: list[Chunk] = list(Population(persons=persons, seed=seed, as_of=as_of).chunks())
    return SandboxPopulation(
        persons=[p for c in chunks for p in c.persons],
        marriages=[m for c in chunks for m in c.marriages],
        foreigners=[f for c in chunks for f in c.foreigners],
        seed=seed,
        as_of=as_of,
    )


def generate_sandbox(
    *, persons: int = SANDBOX_PERSONS, seed: int = SANDBOX_SEED, as_of: dt.date = SANDBOX_AS_OF
) -> SandboxPopulation:
    """Fill the registries (replacing what they hold) and return the records.

    Through the writer, not `population_generate`: no run record and no audit entry, so
    a population committed for the whole test session leaves other tables untouched.
    """
    delete_population()
    for chunk in Population(persons=persons, seed=seed, as_of=as_of).chunks():
        insert_rows(build_rows(chunk), batch_size=5_000)
    return population_records(persons=persons, seed=seed, as_of=as_of)


@pytest.fixture(scope="module")
def _sandbox_population_session(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[SandboxPopulation]:
    # Generated once per test module and committed, so tests read it inside their own
    # rolled-back transactions; removed when the module's tests are done, so no other
    # test ever sees committed registry rows (key rotation tests read every table).
    with django_db_blocker.unblock():
        population = generate_sandbox()
    yield population
    with django_db_blocker.unblock():
        delete_population()


@pytest.fixture
def sandbox_population(
    _sandbox_population_session: SandboxPopulation, db: None
) -> SandboxPopulation:
    """200 generated persons in every registry (seed 4242, as of 2026-06-01), generated
    once per test module."""
    if not InsuredPerson.objects.exists():
        # A transactional test emptied the tables since: make it again for this test.
        generate_sandbox()
    return _sandbox_population_session


class FaultSwitch:
    """`registry_fault("pfr", mode="down")`; `.clear("pfr")` brings it back; `.sleeps`
    records the delays of slow registries (nothing really sleeps in tests)."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def __call__(
        self, registry: str, *, mode: str = "down", delay_ms: int = 0, error_rate: int = 0
    ) -> RegistryFault:
        return services.registry_fault_set(
            registry=registry, mode=mode, delay_ms=delay_ms, error_rate=error_rate
        )

    def clear(self, registry: str | None = None) -> None:
        registries = (
            [registry]
            if registry
            else list(RegistryFault.objects.values_list("registry", flat=True))
        )
        for code in registries:
            services.registry_fault_clear(registry=code)


@pytest.fixture
def registry_fault(db: None, monkeypatch: pytest.MonkeyPatch) -> FaultSwitch:
    """Inject faults into sandbox registries for one test (undone by the rollback)."""
    switch = FaultSwitch()
    monkeypatch.setattr(faults, "sleep", switch.sleeps.append)
    return switch


def snils_payload(person: PersonRecord) -> dict[str, Any]:
    """A `pfr.snils-verify/1` request that matches the person."""
    return {
        "snils": format_snils(person.snils),
        "surname": person.surname,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat(),
    }


def passport_payload(person: PersonRecord, *, index: int = -1) -> dict[str, Any]:
    """A `mvd.passport-verify/1` request for one of the person's passports."""
    passport = person.passports[index]
    return {
        "series": f"{passport.series_number[:2]} {passport.series_number[2:4]}",
        "number": passport.series_number[4:],
        "issue_date": passport.issue_date.isoformat(),
        "surname": passport.surname,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "birth_date": person.birth_date.isoformat(),
    }
