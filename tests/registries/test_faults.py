"""Fault injection: a registry that is down, slow, or fails a share of requests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories.registries import snils_payload
from tests.registries.conftest import call
from uslugi.core.audit import AuditEntry
from uslugi.exchange.interfaces import ProviderUnavailable
from uslugi.registries import faults
from uslugi.registries.constants import MAX_FAULT_DELAY_MS
from uslugi.registries.models import RegistryFault
from uslugi.registries.services import registry_fault_set

pytestmark = pytest.mark.django_db


def test_down_registry_is_unavailable_and_others_are_not(
    population: Any, registry_fault: Any
) -> None:
    person = population.persons[0]
    registry_fault("pfr", mode="down")
    with pytest.raises(ProviderUnavailable) as caught:
        call("pfr.snils-verify/1", snils_payload(person))
    assert caught.value.details == {"fault": "down"}
    # Only that registry: the tax service still answers.
    assert call("fns.tax-debts/1", {"inn": person.inn})["inn"] == person.inn
    registry_fault.clear("pfr")
    assert call("pfr.snils-verify/1", snils_payload(person))["result"] == "match"


def test_down_comes_before_request_validation(registry_fault: Any) -> None:
    registry_fault("gibdd", mode="down")
    with pytest.raises(ProviderUnavailable):
        call("gibdd.fines/1", {})


def test_slow_registry_sleeps_then_answers(population: Any, registry_fault: Any) -> None:
    person = population.persons[0]
    registry_fault("pfr", mode="slow", delay_ms=1500)
    assert call("pfr.snils-verify/1", snils_payload(person))["result"] == "match"
    assert registry_fault.sleeps == [1.5]


def test_slow_delay_is_bounded(population: Any, registry_fault: Any) -> None:
    registry_fault("pfr", mode="slow", delay_ms=MAX_FAULT_DELAY_MS)
    RegistryFault.objects.filter(registry="pfr").update(delay_ms=10 * MAX_FAULT_DELAY_MS)
    call("pfr.snils-verify/1", snils_payload(population.persons[0]))
    assert registry_fault.sleeps == [MAX_FAULT_DELAY_MS / 1000]


def test_error_rate(population: Any, registry_fault: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = snils_payload(population.persons[0])
    registry_fault("pfr", mode="error_rate", error_rate=30)
    draws = iter([0.10, 0.29, 0.30, 0.95])  # below 30 % fails, from 30 % on answers
    monkeypatch.setattr(faults, "chance", lambda: next(draws))
    outcomes = []
    for _ in range(4):
        try:
            call("pfr.snils-verify/1", payload)
            outcomes.append("ok")
        except ProviderUnavailable:
            outcomes.append("unavailable")
    assert outcomes == ["unavailable", "unavailable", "ok", "ok"]


def test_error_rate_extremes(population: Any, registry_fault: Any) -> None:
    payload = snils_payload(population.persons[0])
    registry_fault("pfr", mode="error_rate", error_rate=100)
    for _ in range(5):
        with pytest.raises(ProviderUnavailable):
            call("pfr.snils-verify/1", payload)
    registry_fault("pfr", mode="error_rate", error_rate=0)
    for _ in range(5):
        call("pfr.snils-verify/1", payload)


def test_inactive_or_none_fault_does_nothing(population: Any, registry_fault: Any) -> None:
    payload = snils_payload(population.persons[0])
    registry_fault_set(registry="pfr", mode="down", active=False)
    call("pfr.snils-verify/1", payload)
    registry_fault("pfr", mode="none")
    call("pfr.snils-verify/1", payload)


def test_fault_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown registry"):
        registry_fault_set(registry="nasa", mode="down")
    with pytest.raises(ValueError, match="unknown fault mode"):
        registry_fault_set(registry="pfr", mode="on fire")
    with pytest.raises(ValueError, match="delay_ms"):
        registry_fault_set(registry="pfr", mode="slow", delay_ms=MAX_FAULT_DELAY_MS + 1)
    with pytest.raises(ValueError, match="error_rate"):
        registry_fault_set(registry="pfr", mode="error_rate", error_rate=101)


def test_fault_changes_are_audited(registry_fault: Any) -> None:
    registry_fault("fssp", mode="slow", delay_ms=100)
    registry_fault.clear("fssp")
    actions = list(
        AuditEntry.objects.filter(action__startswith="registries.fault")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["registries.fault_set", "registries.fault_cleared"]
