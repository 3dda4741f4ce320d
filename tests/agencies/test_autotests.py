"""Monitoring autotests: every shipped application service passes its short scenario with
its own examples; the full one waits for the agency; test data stays out of real lists."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.agencies.conftest import browser
from uslugi.agencies import autotests, selectors
from uslugi.agencies.models import AutotestRun
from uslugi.applications import services as applications
from uslugi.applications.constants import Status
from uslugi.applications.models import Application
from uslugi.core import clock
from uslugi.forms.services import definitions_load
from uslugi.identity.models import Account

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(departments: Any) -> list[str]:
    definitions_load(publish=True)
    return autotests.published_services()


def test_every_shipped_application_service_passes_the_short_scenario(shipped: list[str]) -> None:
    assert {"foreign-passport", "kindergarten-enrollment", "marriage-registration",
            "residence-registration", "vehicle-registration"} <= set(shipped)  # fmt: skip
    for code in shipped:
        record = autotests.run(code)
        assert record.status == "passed", (code, record.detail)
        assert record.application is not None
        assert record.application.is_test
        assert record.reached == Status.DELIVERED


def test_full_scenario_waits_for_the_agency(shipped: list[str]) -> None:
    record = autotests.run("foreign-passport", full=True)
    assert record.status == "running"
    application = Application.objects.get(pk=record.application_id)
    applications.agency_act(application=application, target=Status.ACCEPTED)
    assert autotests.autotests_check() == 0
    applications.agency_act(application=application, target=Status.APPROVED)
    assert autotests.autotests_check() == 1
    record.refresh_from_db()
    assert record.status == "passed"
    assert record.reached == Status.APPROVED


def test_full_scenario_fails_after_its_deadline(shipped: list[str]) -> None:
    record = autotests.run("marriage-registration", full=True)
    with clock.frozen(record.deadline + dt.timedelta(minutes=1)):
        assert autotests.autotests_check() == 1
    record.refresh_from_db()
    assert record.status == "failed"
    assert "expected final" in record.detail


def test_schedule_starts_each_scenario_once_per_period(shipped: list[str], settings: Any) -> None:
    settings.AUTOTEST_FULL_EVERY_MINUTES = 0  # full scenario on demand only
    started = autotests.autotests_schedule()
    assert started == len(shipped)
    assert autotests.autotests_schedule() == 0
    assert not AutotestRun.objects.filter(full=True).exists()


def test_monitoring_applications_stay_out_of_real_queues(
    shipped: list[str], officer: Account
) -> None:
    autotests.run("foreign-passport")
    scope = selectors.staff_scope(officer)
    assert not selectors.queue(scope).filter(is_test=True).exists()


def test_command_and_results_page(shipped: list[str], supervisor: Account) -> None:
    out = StringIO()
    call_command("autotest", "run", "foreign-passport", stdout=out)
    assert "foreign-passport: passed" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("autotest", "run", "no-such-service", stdout=StringIO())
    client: Client = browser(supervisor)
    page = client.get("/agency/autotests/").content.decode()
    assert "foreign-passport" in page
    assert "passed" in page
