from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from uslugi.core.audit import AuditEntry

pytestmark = pytest.mark.django_db

BASE = "/forms/gibdd-fines"


def _sts(population: Any) -> str:
    owner = population.find(lambda p: any(v.fines for v in p.vehicles))
    return next(v.sts for v in owner.vehicles if v.fines)


def test_fines_for_a_demo_vehicle(signed_in: Client, published: None, fines_bus: Any) -> None:
    sts = _sts(fines_bus)
    assert signed_in.get(f"{BASE}/")["Location"] == f"{BASE}/step/documents"
    response = signed_in.post(f"{BASE}/step/documents", {"sts": sts, "include_paid": "yes"})
    assert response["Location"] == f"{BASE}/check"
    page = signed_in.get(f"{BASE}/check").content.decode()
    assert "Get the answer" in page
    answer = signed_in.post(f"{BASE}/check").content.decode()
    assert "Payment identifier (UIN)" in answer
    assert "Unpaid in total" in answer
    assert AuditEntry.objects.filter(action="forms.information_requested").exists()
    # The answer is kept in the person's history, for them alone.
    from uslugi.forms.models import InformationAnswer

    kept = InformationAnswer.objects.get()
    assert kept.status == "ok"
    assert kept.request["sts"] == sts
    dashboard = signed_in.get("/applications/").content.decode()
    assert f"/applications/answers/{kept.pk}" in dashboard
    assert "Unpaid in total" in signed_in.get(f"/applications/answers/{kept.pk}").content.decode()
    from uslugi.identity.models import Account

    other = Client()
    other.force_login(Account.objects.create(phone="+79160000003", email="o3@example.ru"))
    assert other.get(f"/applications/answers/{kept.pk}").status_code == 404


def test_sts_or_licence_required(signed_in: Client, published: None) -> None:
    signed_in.get(f"{BASE}/")
    response = signed_in.post(f"{BASE}/step/documents", {})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_unknown_document_is_explained(signed_in: Client, published: None, fines_bus: Any) -> None:
    signed_in.get(f"{BASE}/")
    signed_in.post(f"{BASE}/step/documents", {"sts": "99 99 999999"})
    answer = signed_in.post(f"{BASE}/check").content.decode()
    assert "no record of the document" in answer


def test_registry_down_says_try_later(
    signed_in: Client, published: None, fines_bus: Any, registry_fault: Any
) -> None:
    signed_in.get(f"{BASE}/")
    signed_in.post(f"{BASE}/step/documents", {"sts": _sts(fines_bus)})
    registry_fault("gibdd", mode="down")
    answer = signed_in.post(f"{BASE}/check").content.decode()
    assert "Try again later" in answer


def test_refused_request_is_shown_not_a_crash(signed_in: Client, published: None) -> None:
    # No grant for the portal (no `fines_bus`): the bus refuses at once.
    signed_in.get(f"{BASE}/")
    signed_in.post(f"{BASE}/step/documents", {"sts": "99 31 123456"})
    response = signed_in.post(f"{BASE}/check")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_dashboard_title_stays_a_title(signed_in: Client, published: None, fines_bus: Any) -> None:
    sts = _sts(fines_bus)
    signed_in.get(f"{BASE}/")
    signed_in.post(f"{BASE}/step/documents", {"sts": sts})
    signed_in.post(f"{BASE}/check")
    page = signed_in.get("/applications/").content.decode()
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<h2" not in title
    assert page.count('id="answers"') == 1
