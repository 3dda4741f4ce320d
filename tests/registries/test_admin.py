"""The registries' admin: read-only, personal data masked, searchable by blind index; the
faults are editable."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from uslugi.core.audit import AuditEntry
from uslugi.core.validators import format_snils
from uslugi.registries.models import InsuredPerson, RegistryFault

pytestmark = pytest.mark.django_db

MODELS = [
    "insuredperson",
    "pensionaccount",
    "passport",
    "foreigndocument",
    "taxpayer",
    "taxdebt",
    "vehicle",
    "driverlicence",
    "fine",
    "enforcementproceeding",
    "organisation",
    "entrepreneur",
    "birthrecord",
    "marriagerecord",
    "populationrun",
    "registryfault",
]


@pytest.fixture
def staff(client: Client) -> Client:
    # No password: hashing one per test would dominate these tests' time.
    user = get_user_model().objects.create_superuser("registries-admin@example.test")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", MODELS)
def test_changelists_render(staff: Client, population: Any, model: str) -> None:
    response = staff.get(reverse(f"admin:registries_{model}_changelist"))
    assert response.status_code == 200


def test_personal_data_is_masked_and_read_only(staff: Client, population: Any) -> None:
    person = population.persons[0]
    insured = InsuredPerson.objects.get(snils_index=_index(person.snils))
    listing = staff.get(reverse("admin:registries_insuredperson_changelist")).content.decode()
    detail = staff.get(
        reverse("admin:registries_insuredperson_change", args=[insured.pk])
    ).content.decode()
    for page in (listing, detail):
        assert person.snils not in page
        assert format_snils(person.snils) not in page
        assert person.birth_date.isoformat() not in page
    assert f"***-***-*** {person.snils[9:]}" in detail
    assert 'name="surname"' not in detail  # no input: read-only
    assert staff.get(reverse("admin:registries_insuredperson_add")).status_code == 403


def test_search_by_snils_through_the_blind_index(staff: Client, population: Any) -> None:
    person = population.persons[3]
    url = reverse("admin:registries_insuredperson_changelist")
    response = staff.get(url, {"q": format_snils(person.snils)})
    assert response.context["cl"].result_count == 1
    assert person.first_name in response.content.decode()


def test_faults_are_editable(staff: Client) -> None:
    response = staff.post(
        reverse("admin:registries_registryfault_add"),
        {
            "registry": "mvd",
            "mode": "error_rate",
            "delay_ms": "0",
            "error_rate": "25",
            "active": "on",
        },
    )
    assert response.status_code == 302
    fault = RegistryFault.objects.get(registry="mvd")
    assert (fault.mode, fault.error_rate, fault.active) == ("error_rate", 25, True)
    assert AuditEntry.objects.filter(action="registries.fault_set").count() == 1
    response = staff.post(
        reverse("admin:registries_registryfault_add"),
        {"registry": "pfr", "mode": "slow", "delay_ms": "999999", "error_rate": "0"},
    )
    assert response.status_code == 200
    assert not RegistryFault.objects.filter(registry="pfr").exists()


def _index(snils: str) -> str:
    from uslugi.core.fields import blind_index_for

    return blind_index_for(InsuredPerson, "snils_index", snils)
