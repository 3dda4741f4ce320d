"""Demo data of the sandbox registries: a small synthetic population (development only).

`uslugi demo` calls `load()`: it generates 2,000 persons with a fixed seed when the
registries are empty (idempotent), then prints a few identities ready to type into the
portal. `uslugi registries demo-identities` prints them again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol, TextIO

from uslugi.registries import selectors, services
from uslugi.registries.models import InsuredPerson


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


DEMO_PERSONS = 2_000
DEMO_SEED = 2026
# A fixed "today" for the demo population, so every machine gets the same people (and
# docs/registries.md can list them); fines and debts are dated relative to it.
DEMO_AS_OF = dt.date(2026, 11, 1)


def load(stdout: TextIO) -> None:
    if not InsuredPerson.objects.exists():
        result = services.population_generate(
            persons=DEMO_PERSONS, seed=DEMO_SEED, as_of=DEMO_AS_OF
        )
        stdout.write(
            f"sandbox registries: generated {result.persons:,} persons "
            f"({result.rows:,} rows) in {result.duration_s:.1f} s\n"
        )
    write_identities(stdout, selectors.demo_identities())


def _line(label: str, value: Any) -> str:
    return f"    {label:<22} {value}\n"


def write_identities(stdout: Writer, identities: list[dict[str, Any]]) -> None:
    """Print demo identities as a tester reads them (these are synthetic people)."""
    stdout.write("sandbox registries: demo identities (synthetic people, any of them will do)\n")
    for number, person in enumerate(identities, start=1):
        name = f"{person['surname']} {person['first_name']} {person['patronymic']}".strip()
        stdout.write(f"  {number}. {name} — {person['label']}\n")
        stdout.write(_line("gender, birth date", f"{person['gender']}, {person['birth_date']}"))
        stdout.write(_line("region", person["region"]))
        stdout.write(_line("SNILS", person["snils"]))
        stdout.write(_line("INN", person["inn"]))
        passport = person.get("passport")
        if passport:
            stdout.write(
                _line(
                    "passport",
                    f"{passport['series'][:2]} {passport['series'][2:]} {passport['number']}, "
                    f"issued {passport['issue_date']}, division {passport['division_code']} "
                    f"({passport['status']})",
                )
            )
        previous = person.get("previous_passport")
        if previous:
            stdout.write(
                _line(
                    "previous passport",
                    f"{previous['series'][:2]} {previous['series'][2:]} {previous['number']}, "
                    f"issued {previous['issue_date']} to {previous['surname']} "
                    f"({previous['status']})",
                )
            )
        if "driver_licence" in person:
            stdout.write(_line("driver licence", person["driver_licence"]))
        vehicle = person.get("vehicle")
        if vehicle:
            stdout.write(
                _line(
                    "vehicle",
                    f"plate {vehicle['plate']}, STS {vehicle['sts']}, "
                    f"{vehicle['unpaid_fines']} unpaid of {vehicle['fines']} fines",
                )
            )
        if "tax_debts" in person:
            stdout.write(_line("tax debts", person["tax_debts"]))
        if "enforcement_proceedings" in person:
            stdout.write(_line("bailiff proceedings", person["enforcement_proceedings"]))
        organisation = person.get("organisation")
        if organisation:
            stdout.write(
                _line(
                    "organisation",
                    f"{organisation['name']}, OGRN {organisation['ogrn']}, INN {organisation['inn']}",
                )
            )
        if "entrepreneur_ogrnip" in person:
            stdout.write(_line("entrepreneur OGRNIP", person["entrepreneur_ogrnip"]))
        if "married_on" in person:
            stdout.write(_line("married on", person["married_on"]))
