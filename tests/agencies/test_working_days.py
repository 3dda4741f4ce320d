"""Working days by the production calendar, and due dates from the catalogue term."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.agencies.conftest import HOME, submit
from uslugi.agencies import services, working_days
from uslugi.agencies.constants import DEFAULT_TERM_DAYS, DayKind
from uslugi.agencies.models import CaseFile, Holiday
from uslugi.catalog.constants import Level
from uslugi.catalog.models import Service
from uslugi.forms.models import DefinitionVersion
from uslugi.identity.models import Account

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(db: None) -> int:
    return working_days.calendar_load()


def test_the_default_calendar_has_247_working_days_in_2025_and_2026(calendar: int) -> None:
    for year in (2025, 2026):
        start = dt.date(year - 1, 12, 31)
        assert working_days.add(start, 247) <= dt.date(year, 12, 31)
        assert working_days.add(start, 248) > dt.date(year, 12, 31)


def test_add_skips_weekends_and_holidays_and_counts_transferred_working_days(
    calendar: int,
) -> None:
    # Tuesday 30 December 2025: 31 December and 1-11 January are days off.
    assert working_days.add(dt.date(2025, 12, 30), 1) == dt.date(2026, 1, 12)
    # Friday 31 October 2025: Saturday 1 November is a working day.
    assert working_days.add(dt.date(2025, 10, 31), 1) == dt.date(2025, 11, 1)
    # Friday 8 May 2026: the weekend, then Monday 11 May (for 9 May).
    assert working_days.add(dt.date(2026, 5, 8), 1) == dt.date(2026, 5, 12)
    assert working_days.add(dt.date(2026, 5, 8), 0) == dt.date(2026, 5, 8)
    # An ordinary week: Monday plus 5 working days is the next Monday.
    assert working_days.add(dt.date(2026, 10, 5), 5) == dt.date(2026, 10, 12)
    # A long term crosses the New Year holidays: more room than the first look-ahead.
    assert working_days.add(dt.date(2026, 12, 1), 60) == dt.date(2027, 3, 5)


def test_without_a_calendar_only_weekends_are_days_off(db: None) -> None:
    assert working_days.add(dt.date(2025, 12, 30), 1) == dt.date(2025, 12, 31)
    Holiday.objects.create(date=dt.date(2025, 12, 31), kind=DayKind.HOLIDAY)
    assert working_days.add(dt.date(2025, 12, 30), 1) == dt.date(2026, 1, 1)


def test_the_command_loads_the_calendar(db: None) -> None:
    out = StringIO()
    call_command("agencies", "calendar", "load", stdout=out)
    assert "days loaded" in out.getvalue()
    assert Holiday.objects.get(date=dt.date(2025, 11, 1)).kind == DayKind.WORKING
    Holiday.objects.filter(date=dt.date(2025, 11, 1)).update(kind=DayKind.HOLIDAY)
    call_command("agencies", "calendar", "load", stdout=out)  # again: the file wins
    assert Holiday.objects.get(date=dt.date(2025, 11, 1)).kind == DayKind.WORKING


def test_the_due_date_is_the_catalogue_term_in_working_days(
    calendar: int, applicant: Account, home_service: DefinitionVersion, departments: Any
) -> None:
    application = submit(applicant, home_service)
    submitted = timezone.localdate(application.submitted_at)
    # No catalogue passport for the form: the default term.
    assert services.due_on(application) == working_days.add(submitted, DEFAULT_TERM_DAYS)
    Service.objects.create(
        code="agency-permit-passport",
        level=Level.FEDERAL,
        department=departments[HOME],
        title_ru="Разрешение",
        online_form_code="agency-permit",
        term_days=5,
    )
    assert services.terms_of(["agency-permit"]) == {"agency-permit": 5}
    second = submit(applicant, home_service)  # delivered: its case opened on delivery
    case = services.case_file_of(second)
    second.refresh_from_db()
    assert second.due_on == working_days.add(submitted, 5)
    assert case.department_code == HOME
    # Made once: asking again finds the same file.
    assert services.case_file_of(second).pk == case.pk
    assert CaseFile.objects.count() == 2  # both opened on delivery
    assert services.case_files_ensure([HOME]) == 0


def test_a_delivered_application_gets_its_due_date_and_case_at_once(
    calendar: int, applicant: Account, home_service: DefinitionVersion, departments: Any
) -> None:
    from uslugi.agencies.models import CaseFile, QueueService
    from uslugi.applications.models import Application

    waiting = submit(applicant, home_service, deliver=False)
    assert waiting.due_on is None
    assert not CaseFile.objects.filter(application=waiting).exists()
    delivered = submit(applicant, home_service)
    submitted = timezone.localdate(delivered.submitted_at)
    assert delivered.due_on == working_days.add(submitted, DEFAULT_TERM_DAYS)
    assert CaseFile.objects.filter(application=delivered).exists()
    assert QueueService.objects.filter(department_code=HOME, service_code="agency-permit").exists()
    # The sweep opens what was delivered before cases opened on delivery, and only that.
    CaseFile.objects.filter(application=delivered).delete()
    Application.objects.filter(pk=delivered.pk).update(due_on=None)
    QueueService.objects.all().delete()
    assert services.case_files_ensure() == 1
    delivered.refresh_from_db()
    assert delivered.due_on == working_days.add(submitted, DEFAULT_TERM_DAYS)
    assert CaseFile.objects.filter(application=delivered).exists()
    assert QueueService.objects.count() == 1
    assert services.case_files_ensure() == 0
