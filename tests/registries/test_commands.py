"""`uslugi registries ...` and the demo loader."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from uslugi.registries import demo
from uslugi.registries.models import InsuredPerson, PopulationRun, RegistryFault
from uslugi.registries.services import population_delete, registry_fault_set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_registries() -> None:
    """Start from empty registries (the shared sandbox population is rolled back after)."""
    population_delete()


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("registries", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_generate_then_refuse_without_reset_then_reset() -> None:
    output = _run("generate", "--persons", "80", "--seed", "3")
    assert "generated 80 persons" in output
    assert InsuredPerson.objects.count() == 80
    with pytest.raises(CommandError, match="--reset"):
        _run("generate", "--persons", "10", "--seed", "3")
    figures = json.loads(_run("generate", "--persons", "40", "--seed", "4", "--reset", "--json"))
    assert figures["persons"] == 40
    assert figures["counts"]["registries.InsuredPerson"] == 40
    assert set(figures["timings"]) == {"generate", "build", "insert"}
    assert InsuredPerson.objects.count() == 40
    assert PopulationRun.objects.count() == 1


def test_generate_needs_persons() -> None:
    with pytest.raises(CommandError):
        _run("generate", "--persons", "0")


def test_demo_identities_command() -> None:
    with pytest.raises(CommandError, match="no population"):
        _run("demo-identities")
    _run("generate", "--persons", "300", "--seed", "2026")
    output = _run("demo-identities")
    assert "SNILS" in output
    assert "passport" in output
    assert output.count("\n  1. ") == 1


def test_delete_keeps_faults() -> None:
    registry_fault_set(registry="fns", mode="down")
    _run("generate", "--persons", "20", "--seed", "1")
    assert "removed" in _run("delete")
    assert not InsuredPerson.objects.exists()
    assert not PopulationRun.objects.exists()
    assert RegistryFault.objects.filter(registry="fns").exists()


def test_fault_command() -> None:
    assert "injected" in _run("fault", "gibdd", "slow", "--delay-ms", "200")
    fault = RegistryFault.objects.get(registry="gibdd")
    assert (fault.mode, fault.delay_ms) == ("slow", 200)
    assert "normally" in _run("fault", "gibdd", "clear")
    assert not RegistryFault.objects.exists()
    with pytest.raises(CommandError):
        _run("fault", "gibdd", "slow", "--delay-ms", "999999")


def test_demo_load_is_idempotent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "DEMO_PERSONS", 300)
    first = io.StringIO()
    demo.load(first)
    assert "generated 300 persons" in first.getvalue()
    identities = first.getvalue().split("demo identities", 1)[1]
    assert "driver with unpaid fines" in identities
    assert "\n  3. " in identities
    again = io.StringIO()
    demo.load(again)
    assert "generated" not in again.getvalue()
    assert again.getvalue().split("demo identities", 1)[1] == identities
    assert InsuredPerson.objects.count() == 300
