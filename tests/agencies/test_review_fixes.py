"""Regressions from the back office's review: applications never delivered, periods
past the last date, the monitoring page's scope, a colleague's case, claiming a closed
case, audit details, bulk accept's count and the staff's wording of statuses."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.agencies.conftest import HOME, browser, staff, submit
from tests.agencies.test_offices import _office, _region
from uslugi.agencies import selectors, services
from uslugi.agencies.constants import Role
from uslugi.agencies.errors import AssignedElsewhere, CaseClosed
from uslugi.agencies.models import AutotestRun, CaseFile, StaffRole
from uslugi.applications import services as applications_services
from uslugi.applications.constants import Status
from uslugi.applications.models import Application
from uslugi.applications.templatetags.applications import staff_status, staff_status_tag
from uslugi.catalog.models import Department, Office
from uslugi.core.audit import AuditEntry
from uslugi.forms.models import DefinitionVersion
from uslugi.identity.models import Account

pytestmark = pytest.mark.django_db


def shown(page: str, application: Application) -> bool:
    """Whether a queue page lists the application (a link to its case)."""
    return f'href="/agency/{application.pk}/"' in page


@pytest.fixture
def offices(departments: dict[str, Department]) -> dict[str, Office]:
    """The migration directorate's offices in Moscow (77) and St Petersburg (78)."""
    return {code: _office(_region(code), departments[HOME]) for code in ("77", "78")}


def _last(action: str) -> AuditEntry:
    entry = AuditEntry.objects.filter(action=action).order_by("-seq").first()
    assert entry is not None, action
    return entry


# --- An application cancelled before delivery is no case ---------------------------------


def test_an_application_cancelled_before_delivery_is_nowhere_in_the_back_office(
    applicant: Account, home_service: DefinitionVersion, officer: Account, departments: Any
) -> None:
    never = submit(applicant, home_service, deliver=False, scan=True)
    applications_services.cancel(application=never, account=applicant)
    received = submit(applicant, home_service)
    client = browser(officer)
    assert client.get(f"/agency/{never.pk}/").status_code == 404
    scan = never.attachments.get()
    assert client.get(f"/agency/{never.pk}/files/{scan.pk}/").status_code == 404
    assert client.post(f"/agency/{never.pk}/claim/").status_code == 404
    # The periodic sweep does not open a case for it (no due date, no case file).
    services.case_files_ensure()
    never.refresh_from_db()
    assert never.due_on is None
    assert not CaseFile.objects.filter(application=never).exists()
    page = client.get("/agency/", {"status": "any"}).content.decode()
    assert shown(page, received)
    assert not shown(page, never)
    boss = staff("boss@agency.test", departments[HOME], Role.SUPERVISOR)
    export = browser(boss).get("/agency/statistics/", {"format": "csv"}).content.decode()
    rows = list(csv.DictReader(io.StringIO(export)))
    assert [int(r["received"]) for r in rows] == [1]  # the delivered one only


# --- A period that ends on the last date there is ----------------------------------------


@pytest.mark.parametrize("field", ["until", "since"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_webhook_log_refuses_dates_past_the_calendar(
    departments: Any, field: str, day: str
) -> None:
    admin = staff("admin@agency.test", departments[HOME], Role.ADMINISTRATOR)
    response = browser(admin).get("/agency/webhooks/", {field: day})
    assert response.status_code == 400
    assert "Enter a date between the years 1900 and 9998." in response.content.decode()


def test_webhook_log_takes_the_last_allowed_day(departments: Any) -> None:
    admin = staff("admin@agency.test", departments[HOME], Role.ADMINISTRATOR)
    client = browser(admin)
    assert client.get("/agency/webhooks/", {"until": "9998-12-31"}).status_code == 200
    assert client.get("/agency/webhooks/", {"since": "1900-01-01"}).status_code == 200


def test_bulk_replay_refuses_the_last_date_with_a_field_error(departments: Any) -> None:
    admin = staff("admin@agency.test", departments[HOME], Role.ADMINISTRATOR)
    client = browser(admin)
    response = client.post("/agency/webhooks/replay/", {"replay-until": "9999-12-31"})
    assert response.status_code == 400
    assert "Enter a date between the years 1900 and 9998." in response.content.decode()
    assert not AuditEntry.objects.filter(action="agencies.webhooks_replayed").exists()
    response = client.post("/agency/webhooks/replay/", {"replay-until": "9998-12-31"})
    assert response.status_code == 302
    assert _last("agencies.webhooks_replayed")


# --- Monitoring autotests: the scope's runs only -----------------------------------------


def _run(service_code: str, application: Application | None = None) -> AutotestRun:
    return AutotestRun.objects.create(
        service_code=service_code,
        application=application,
        status="failed",
        expected=Status.DELIVERED,
        deadline=timezone.now() + dt.timedelta(days=1),
        detail=f"detail of {service_code}",
    )


def test_the_monitoring_page_shows_only_the_scopes_runs(
    applicant: Account,
    home_service: DefinitionVersion,
    other_service: DefinitionVersion,
    officer: Account,
    outsider: Account,
) -> None:
    home = submit(applicant, home_service, test=True)
    foreign = submit(applicant, other_service, test=True)
    _run("agency-permit", home)
    _run("other-permit", foreign)
    _run("agency-permit")  # the form was refused: no application, the service's department
    _run("unknown-service")  # of no department: nobody's
    mine = browser(officer).get("/agency/autotests/").content.decode()
    assert "agency-permit" in mine
    assert home.number in mine
    assert "other-permit" not in mine
    assert foreign.number not in mine
    assert "unknown-service" not in mine
    theirs = browser(outsider).get("/agency/autotests/").content.decode()
    assert "other-permit" in theirs
    assert foreign.number in theirs
    assert "agency-permit" not in theirs
    assert home.number not in theirs
    runs = selectors.autotest_runs(selectors.staff_scope(officer))
    assert sorted((r.service_code, r.application_id is None) for r in runs) == [
        ("agency-permit", False),
        ("agency-permit", True),
    ]


def test_the_monitoring_page_keeps_to_a_limited_roles_region(
    applicant: Account,
    home_service: DefinitionVersion,
    departments: Any,
    offices: dict[str, Office],
) -> None:
    home = submit(applicant, home_service, test=True)
    Application.objects.filter(pk=home.pk).update(region_code="78")
    _run("agency-permit", home)
    clerk = staff("clerk@agency.test", departments[HOME])
    StaffRole.objects.filter(account=clerk).update(region=offices["77"].region)
    page = browser(clerk).get("/agency/autotests/").content.decode()
    assert home.number not in page


# --- A colleague's case ----------------------------------------------------------------


@pytest.fixture
def colleague(departments: dict[str, Department]) -> Account:
    return staff("colleague@agency.test", departments[HOME])


def test_an_officer_cannot_act_on_a_colleagues_case(
    applicant: Account, home_service: DefinitionVersion, officer: Account, colleague: Account
) -> None:
    application = submit(applicant, home_service)
    base = f"/agency/{application.pk}/"
    assert browser(officer).post(f"{base}claim/").status_code == 302
    client = browser(colleague)
    # No buttons that would be refused; the page says whose it is.
    page = client.get(base).content.decode()
    assert 'id="accept"' not in page
    assert 'id="refuse"' not in page
    assert "This application is assigned to Officer: ask them or a supervisor." in page
    response = client.post(f"{base}act/refuse/", {"refuse-comment": "No"})
    assert response.status_code == 403
    assert "This application is assigned to Officer: ask them or a supervisor." in (
        response.content.decode()
    )
    response = client.post(f"{base}act/accept/")
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == Status.DELIVERED
    assert CaseFile.objects.get(application=application).assignee == officer
    assert not AuditEntry.objects.filter(action="agencies.case_action").exists()
    with pytest.raises(AssignedElsewhere):
        services.case_act(
            scope=selectors.staff_scope(colleague), application=application, action="accept"
        )
    # The assignee acts.
    assert 'id="accept"' in browser(officer).get(base).content.decode()
    assert browser(officer).post(f"{base}act/accept/").status_code == 302
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED


def test_a_supervisor_may_act_on_an_officers_case(
    applicant: Account, home_service: DefinitionVersion, officer: Account, supervisor: Account
) -> None:
    application = submit(applicant, home_service)
    services.case_claim(scope=selectors.staff_scope(officer), application=application)
    client = browser(supervisor)
    assert 'id="accept"' in client.get(f"/agency/{application.pk}/").content.decode()
    assert client.post(f"/agency/{application.pk}/act/accept/").status_code == 302
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED
    assert CaseFile.objects.get(application=application).assignee == officer  # still theirs
    assert _last("agencies.case_action").actor_id == str(supervisor.pk)


def test_bulk_accept_skips_a_colleagues_cases(
    applicant: Account,
    home_service: DefinitionVersion,
    officer: Account,
    colleague: Account,
    supervisor: Account,
) -> None:
    theirs = submit(applicant, home_service)
    free = submit(applicant, home_service)
    services.case_claim(scope=selectors.staff_scope(officer), application=theirs)
    client = browser(colleague)
    # No checkbox for a colleague's case in the queue.
    page = client.get("/agency/").content.decode()
    assert f'value="{free.pk}"' in page
    assert f'value="{theirs.pk}"' not in page
    client.post("/agency/bulk-accept/", {"application": [str(theirs.pk), str(free.pk)]})
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[theirs.pk] == Status.DELIVERED
    assert statuses[free.pk] == Status.ACCEPTED
    page = client.get("/agency/").content.decode()
    assert "Accepted: 1." in page
    assert "Not accepted (no longer waiting or not yours to accept): 1." in page
    # A supervisor's bulk accept takes it.
    accepted, skipped = services.bulk_accept(
        scope=selectors.staff_scope(supervisor), application_ids=[theirs.pk]
    )
    assert (accepted, skipped) == (1, 0)


# --- Claiming a closed case ------------------------------------------------------------


def test_a_decided_or_cancelled_application_cannot_be_claimed(
    applicant: Account, home_service: DefinitionVersion, officer: Account, colleague: Account
) -> None:
    refused = submit(applicant, home_service)
    services.case_act(
        scope=selectors.staff_scope(officer), application=refused, action="refuse", comment="No"
    )
    CaseFile.objects.filter(application=refused).update(assignee=None)
    cancelled = submit(applicant, home_service)
    applications_services.cancel(application=cancelled, account=applicant)
    client = browser(colleague)
    for application in (refused, cancelled):
        application.refresh_from_db()
        response = client.post(f"/agency/{application.pk}/claim/", follow=True)
        assert response.status_code == 200
        assert "This application is decided or cancelled: there is nothing to take." in (
            response.content.decode()
        )
        assert CaseFile.objects.get(application=application).assignee_id is None
        with pytest.raises(CaseClosed) as refusal:
            services.case_claim(scope=selectors.staff_scope(colleague), application=application)
        assert refusal.value.status == 409
    assert not AuditEntry.objects.filter(action="agencies.case_claimed").exists()


# --- Audit details ---------------------------------------------------------------------


def test_claims_and_assignments_record_the_previous_assignee(
    applicant: Account,
    home_service: DefinitionVersion,
    officer: Account,
    supervisor: Account,
    colleague: Account,
) -> None:
    application = submit(applicant, home_service)
    base = f"/agency/{application.pk}/"
    browser(officer).post(f"{base}claim/")
    assert _last("agencies.case_claimed").details["previous_assignee"] == ""
    browser(supervisor).post(f"{base}claim/")  # a supervisor takes it over
    assert _last("agencies.case_claimed").details["previous_assignee"] == str(officer.pk)
    browser(supervisor).post(f"{base}assign/", {"assignee": str(colleague.pk)})
    details = _last("agencies.case_assigned").details
    assert (details["assignee"], details["previous_assignee"]) == (
        str(colleague.pk),
        str(supervisor.pk),
    )
    browser(supervisor).post(f"{base}assign/", {"assignee": ""})
    details = _last("agencies.case_assigned").details
    assert (details["assignee"], details["previous_assignee"]) == ("", str(colleague.pk))


def test_withdrawing_a_role_records_its_region_and_office(
    departments: Any, offices: dict[str, Office]
) -> None:
    admin = staff("admin@agency.test", departments[HOME], Role.ADMINISTRATOR)
    regional = staff("regional@agency.test", departments[HOME])
    StaffRole.objects.filter(account=regional).update(region=offices["78"].region)
    local = staff("local@agency.test", departments[HOME], Role.SUPERVISOR)
    StaffRole.objects.filter(account=local).update(office=offices["77"])
    client = browser(admin)
    for account, region, office in ((regional, "78", ""), (local, "", "77:mvd-migration")):
        role = StaffRole.objects.get(account=account)
        assert client.post(f"/agency/staff/{role.pk}/revoke/").status_code == 302
        details = _last("agencies.staff_role_revoked").details
        assert (details["account"], details["region"], details["office"]) == (
            str(account.pk),
            region,
            office,
        )
    whole = StaffRole.objects.get(account=admin)
    services.staff_role_revoke(scope=selectors.staff_scope(admin), role_id=whole.pk)
    details = _last("agencies.staff_role_revoked").details
    assert (details["region"], details["office"]) == ("", "")


# --- Bulk accept counts each id once -----------------------------------------------------


def test_bulk_accept_counts_a_repeated_id_once(
    applicant: Account, home_service: DefinitionVersion, officer: Account
) -> None:
    application = submit(applicant, home_service)
    client = browser(officer)
    client.post("/agency/bulk-accept/", {"application": [str(application.pk)] * 3})
    page = client.get("/agency/").content.decode()
    assert "Accepted: 1." in page
    assert "Not accepted" not in page
    again = submit(applicant, home_service)
    scope = selectors.staff_scope(officer)
    ids = [again.pk, str(again.pk), str(again.pk).upper(), "junk"]
    assert services.bulk_accept(scope=scope, application_ids=ids) == (1, 1)


# --- The staff's wording of statuses -----------------------------------------------------


def test_the_back_office_says_cancelled_by_the_applicant(
    applicant: Account, home_service: DefinitionVersion, officer: Account
) -> None:
    application = submit(applicant, home_service)
    applications_services.cancel(application=application, account=applicant)
    client: Client = browser(officer)
    queue = client.get("/agency/", {"status": "any"}).content.decode()
    assert shown(queue, application)
    assert "Cancelled by the applicant" in queue  # the row's tag and the status filter
    assert "Cancelled by you" not in queue
    case = client.get(f"/agency/{application.pk}/").content.decode()
    assert "Cancelled by the applicant" in case  # the status and the history
    assert "Cancelled by you" not in case
    # The applicant's own page keeps the applicant's wording.
    own = browser(applicant).get(f"/applications/{application.pk}/").content.decode()
    assert "Cancelled by you" in own
    assert "Cancelled by the applicant" not in own


def test_staff_status_labels() -> None:
    assert staff_status(Status.CANCELLED) == "Cancelled by the applicant"
    assert staff_status(Status.APPROVED) == "Completed: approved"
    assert staff_status("") == ""
    assert staff_status_tag(Status.CANCELLED) == (
        '<strong class="govuk-tag govuk-tag--grey">Cancelled by the applicant</strong>'
    )
