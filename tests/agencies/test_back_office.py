"""The back office: scope isolation, second factor, queue, actions, bulk accept,
workload, statistics, staff roles and the audit trail."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from typing import Any

import pytest
from django.test import Client

from tests.agencies.conftest import HOME, OTHER, browser, pdf, staff, submit
from uslugi.agencies import selectors, services
from uslugi.agencies.constants import Role
from uslugi.agencies.models import CaseFile, StaffRole
from uslugi.applications import services as applications_services
from uslugi.applications.constants import AttachmentKind, Status
from uslugi.applications.models import Application
from uslugi.core.audit import AuditEntry
from uslugi.forms.models import DefinitionVersion
from uslugi.identity.models import Account

pytestmark = pytest.mark.django_db


def _queue(client: Client, **params: Any) -> str:
    response = client.get("/agency/", params)
    assert response.status_code == 200, response.content
    return response.content.decode()


def shown(page: str, application: Application) -> bool:
    """Whether the queue lists the application (a link to its case)."""
    return f'href="/agency/{application.pk}/"' in page


# --- Who may enter -------------------------------------------------------------------------


def test_staff_without_second_factor_is_sent_to_turn_it_on(departments: Any) -> None:
    account = staff("nofactor@agency.test", departments[HOME], factor=False)
    response = browser(account).get("/agency/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Turn on the second sign-in step" in page
    assert 'href="/account/security/"' in page


def test_people_without_a_staff_role_are_refused(applicant: Account) -> None:
    assert browser(applicant).get("/agency/").status_code == 403
    assert Client().get("/agency/").status_code == 302  # to sign in


# --- Scope ---------------------------------------------------------------------------------


def test_an_officer_of_another_department_cannot_see_or_touch_an_application(
    applicant: Account, home_service: DefinitionVersion, officer: Account, outsider: Account
) -> None:
    application = submit(applicant, home_service, scan=True)
    attachment = application.attachments.get()
    mine, theirs = browser(officer), browser(outsider)
    assert shown(_queue(mine), application)
    assert not shown(_queue(theirs), application)
    assert not shown(_queue(theirs, number=application.number), application)
    base = f"/agency/{application.pk}/"
    assert mine.get(base).status_code == 200
    assert mine.get(f"{base}files/{attachment.pk}/").status_code == 200
    assert theirs.get(base).status_code == 404
    assert theirs.get(f"{base}files/{attachment.pk}/").status_code == 404
    assert theirs.post(f"{base}act/accept/").status_code == 404
    assert theirs.post(f"{base}claim/").status_code == 404
    theirs.post("/agency/bulk-accept/", {"application": [str(application.pk)]})
    application.refresh_from_db()
    assert application.status == Status.DELIVERED
    # The file downloaded by the right officer is the applicant's own bytes.
    content = b"".join(mine.get(f"{base}files/{attachment.pk}/").streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"%PDF")


def test_the_scope_covers_bodies_below_the_department(
    applicant: Account, home_service: DefinitionVersion, departments: Any
) -> None:
    ministry = staff("ministry@agency.test", departments["mvd"])
    application = submit(applicant, home_service)
    assert shown(_queue(browser(ministry)), application)


def test_undelivered_applications_are_not_in_the_inbox(
    applicant: Account, home_service: DefinitionVersion, officer: Account
) -> None:
    application = submit(applicant, home_service, deliver=False)
    assert not shown(_queue(browser(officer)), application)
    assert browser(officer).get(f"/agency/{application.pk}/").status_code == 404


# --- Queue ---------------------------------------------------------------------------------


def test_queue_filters_and_search(
    applicant: Account, home_service: DefinitionVersion, officer: Account
) -> None:
    real = submit(applicant, home_service)
    other = submit(applicant, home_service)
    test = submit(applicant, home_service, test=True)
    client = browser(officer)
    page = _queue(client)
    assert shown(page, real)
    assert shown(page, other)
    assert not shown(page, test)  # test applications never mix with real ones
    page = _queue(client, kind="test")
    assert shown(page, test)
    assert not shown(page, real)
    # Search by number, with or without dashes; a mistyped number finds nothing.
    page = _queue(client, number=real.number.replace("-", ""))
    assert shown(page, real)
    assert not shown(page, other)
    # Overdue: one application's due date has passed.
    Application.objects.filter(pk=other.pk).update(due_on=dt.date(2020, 1, 1))
    page = _queue(client, due="overdue")
    assert shown(page, other)
    assert not shown(page, real)
    assert "overdue" in page
    # Status and assignee filters.
    services.case_claim(scope=selectors.staff_scope(officer), application=real)
    page = _queue(client, assignee="mine")
    assert shown(page, real)
    assert not shown(page, other)
    page = _queue(client, assignee="unassigned")
    assert shown(page, other)
    assert not shown(page, real)
    applications_services.agency_act(application=real, target=Status.ACCEPTED)
    page = _queue(client, status=Status.ACCEPTED)
    assert shown(page, real)
    assert not shown(page, other)
    page = _queue(client, service="agency-permit", due="week")
    assert shown(page, real) or not shown(page, other)


def test_the_queue_is_two_queries_however_many_applications(
    applicant: Account,
    home_service: DefinitionVersion,
    officer: Account,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(6):
        submit(applicant, home_service)
    scope = selectors.staff_scope(officer)
    services.case_files_ensure(scope.codes)
    from django.core.paginator import Paginator

    with django_assert_max_num_queries(2):
        page = Paginator(selectors.queue(scope), 25).get_page(1)
        rows = [(a.number, a.due_on, a.case_file.assignee) for a in page.object_list]
    assert len(rows) == 6


# --- Actions ---------------------------------------------------------------------------------


def test_officer_journey_request_information_then_approve_with_a_result(
    applicant: Account, home_service: DefinitionVersion, officer: Account
) -> None:
    application = submit(applicant, home_service)
    client = browser(officer)
    base = f"/agency/{application.pk}/"
    page = client.get(base).content.decode()
    assert "About you" in page  # the definition's step title
    assert "Surname" in page  # and field label
    assert "Смирнова" in page
    assert client.post(f"{base}act/accept/").status_code == 302
    # A request for information needs a comment.
    response = client.post(f"{base}act/request_info/", {"request_info-comment": ""})
    assert response.status_code == 400
    assert "Write what the applicant has to do or why." in response.content.decode()
    response = client.post(
        f"{base}act/request_info/", {"request_info-comment": "Send a clearer scan."}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.INFO_REQUESTED
    applications_services.reply(application=application, account=applicant, text="Here it is")
    assert client.post(f"{base}act/start/").status_code == 302
    # Approval needs a result document, and only a PDF.
    response = client.post(f"{base}act/approve/", {"approve-comment": "Done"})
    assert response.status_code == 400
    assert "Attach at least one result document." in response.content.decode()
    # A PNG is refused (types are told by content).
    response = client.post(
        f"{base}act/approve/",
        {"approve-documents": [_png()]},
    )
    assert response.status_code == 400
    response = client.post(
        f"{base}act/approve/", {"approve-comment": "Ready", "approve-documents": [pdf()]}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    result = application.attachments.get(kind=AttachmentKind.RESULT)
    # The applicant sees and downloads the result.
    own = browser(applicant)
    assert "result.pdf" in own.get(f"/applications/{application.pk}/").content.decode()
    assert own.get(f"/applications/{application.pk}/files/{result.pk}").status_code == 200
    # The first action made the application the officer's, and every action is audited.
    assert CaseFile.objects.get(application=application).assignee == officer
    actions = list(
        AuditEntry.objects.filter(action="agencies.case_action", object_id=str(application.pk))
        .order_by("seq")
        .values_list("details", flat=True)
    )
    assert [d["action"] for d in actions] == ["accept", "request_info", "start", "approve"]
    assert all(e.actor_id == str(officer.pk) for e in AuditEntry.objects.filter(
        action="agencies.case_action"))  # fmt: skip


def _png() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, content_type="image/png")


def test_refusal_needs_a_reason(
    applicant: Account, home_service: DefinitionVersion, officer: Account
) -> None:
    application = submit(applicant, home_service)
    client = browser(officer)
    response = client.post(f"/agency/{application.pk}/act/refuse/", {"refuse-comment": " "})
    assert response.status_code == 400
    assert "Write the reason for the refusal." in response.content.decode()
    response = client.post(
        f"/agency/{application.pk}/act/refuse/", {"refuse-comment": "Not our service"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.REFUSED
    assert application.events.last().comment == "Not our service"  # type: ignore[union-attr]


def test_an_invalid_transition_is_a_409_with_a_clear_message(
    applicant: Account, home_service: DefinitionVersion, officer: Account
) -> None:
    application = submit(applicant, home_service)
    applications_services.cancel(application=application, account=applicant)
    client = browser(officer)
    response = client.post(f"/agency/{application.pk}/act/approve/", {"approve-documents": [pdf()]})
    assert response.status_code == 409
    page = response.content.decode()
    assert "cannot become" in page
    # The back office's wording: the applicant cancelled it, not the officer.
    assert "Cancelled by the applicant" in page
    assert "Cancelled by you" not in page
    response = client.post(f"/agency/{application.pk}/act/accept/")
    assert response.status_code == 409
    application.refresh_from_db()
    assert application.status == Status.CANCELLED
    assert client.post(f"/agency/{application.pk}/act/fly/").status_code == 404
    assert client.get(f"/agency/{application.pk}/act/accept/").status_code == 405


def test_bulk_accept_takes_only_delivered_applications_of_the_scope(
    applicant: Account,
    home_service: DefinitionVersion,
    other_service: DefinitionVersion,
    officer: Account,
) -> None:
    first = submit(applicant, home_service)
    second = submit(applicant, home_service)
    cancelled = submit(applicant, home_service)
    applications_services.cancel(application=cancelled, account=applicant)
    foreign = submit(applicant, other_service)
    client = browser(officer)
    response = client.post(
        "/agency/bulk-accept/",
        {"application": [str(a.pk) for a in (first, second, cancelled, foreign)] + ["junk"]},
    )
    assert response.status_code == 302
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == Status.ACCEPTED
    assert statuses[cancelled.pk] == Status.CANCELLED
    assert statuses[foreign.pk] == Status.DELIVERED
    assert AuditEntry.objects.filter(action="agencies.case_action").count() == 2
    page = client.get("/agency/").content.decode()
    assert "Accepted: 2." in page
    assert "Not accepted (no longer waiting or not yours to accept): 2." in page


# --- Claim, assign, workload -----------------------------------------------------------------


def test_claim_and_assignment(
    applicant: Account,
    home_service: DefinitionVersion,
    officer: Account,
    supervisor: Account,
    outsider: Account,
) -> None:
    application = submit(applicant, home_service)
    base = f"/agency/{application.pk}/"
    colleague = staff("colleague@agency.test", StaffRole.objects.get(account=officer).department)
    assert browser(officer).post(f"{base}claim/").status_code == 302
    assert CaseFile.objects.get(application=application).assignee == officer
    # Another officer cannot take it over; an officer cannot assign.
    browser(colleague).post(f"{base}claim/")
    assert CaseFile.objects.get(application=application).assignee == officer
    assert browser(officer).post(f"{base}assign/", {"assignee": ""}).status_code == 403
    # The supervisor assigns to an officer of the department, never to an outsider.
    boss = browser(supervisor)
    assert "Assign to" in boss.get(base).content.decode()
    boss.post(f"{base}assign/", {"assignee": str(colleague.pk)})
    assert CaseFile.objects.get(application=application).assignee == colleague
    boss.post(f"{base}assign/", {"assignee": str(outsider.pk)})
    assert CaseFile.objects.get(application=application).assignee == colleague
    with pytest.raises(services.AssigneeOutOfScope):
        services.case_assign(
            scope=selectors.staff_scope(supervisor), application=application, assignee=outsider
        )
    assert AuditEntry.objects.filter(action="agencies.case_assigned").count() == 1
    assert AuditEntry.objects.filter(action="agencies.case_claimed").count() == 1


def test_workload_per_officer(
    applicant: Account, home_service: DefinitionVersion, officer: Account, supervisor: Account
) -> None:
    late = submit(applicant, home_service)
    working = submit(applicant, home_service)
    test = submit(applicant, home_service, test=True)
    scope = selectors.staff_scope(officer)
    for application in (late, working, test):
        services.case_claim(scope=scope, application=application)
    services.case_act(scope=scope, application=working, action="accept")
    Application.objects.filter(pk=late.pk).update(due_on=dt.date(2020, 1, 1))
    assert browser(officer).get("/agency/workload/").status_code == 403
    response = browser(supervisor).get("/agency/workload/")
    assert response.status_code == 200
    rows = {r["account"]: r for r in selectors.workload(selectors.staff_scope(supervisor))}
    assert (rows[officer]["assigned"], rows[officer]["working"], rows[officer]["overdue"]) == (
        2,
        1,
        1,
    )
    assert rows[supervisor]["assigned"] == 0


# --- Statistics ------------------------------------------------------------------------------


def test_statistics_count_real_applications_only_and_export_csv(
    applicant: Account, home_service: DefinitionVersion, officer: Account, supervisor: Account
) -> None:
    done = submit(applicant, home_service)
    submit(applicant, home_service)
    late = submit(applicant, home_service)
    for _ in range(3):
        submit(applicant, home_service, test=True)
    scope = selectors.staff_scope(supervisor)
    services.case_act(scope=scope, application=done, action="refuse", comment="No grounds")
    services.case_files_ensure(scope.codes)
    Application.objects.filter(pk=late.pk).update(due_on=dt.date(2020, 1, 1))
    assert browser(officer).get("/agency/statistics/").status_code == 403
    client = browser(supervisor)
    page = client.get("/agency/statistics/").content.decode()
    assert "Услуга agency-permit" in page  # the title as submitted
    response = client.get("/agency/statistics/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["department"] == HOME
    assert row["service"] == "agency-permit"
    assert (row["received"], row["in_progress"], row["overdue"], row["completed"]) == (
        "3",
        "2",
        "1",
        "1",
    )
    assert float(row["average_processing_days"]) >= 0
    # A period before everything: nothing.
    response = client.get("/agency/statistics/", {"format": "csv", "until": "2020-01-01"})
    assert len(list(csv.DictReader(io.StringIO(response.content.decode())))) == 0


# --- Staff roles -----------------------------------------------------------------------------


def test_an_agency_administrator_grants_and_withdraws_roles(
    departments: Any, officer: Account, outsider: Account
) -> None:
    admin = staff("admin@agency.test", departments[HOME], Role.ADMINISTRATOR)
    newcomer = Account.objects.create_user("new@agency.test", "Uslugi-Test-2026")
    assert browser(officer).get("/agency/staff/").status_code == 403
    client = browser(admin)
    assert client.get("/agency/staff/").status_code == 200
    response = client.post(
        "/agency/staff/",
        {"email": "new@agency.test", "department": HOME, "role": Role.OFFICER, "region": ""},
    )
    assert response.status_code == 302
    grant = StaffRole.objects.get(account=newcomer)
    assert grant.department.code == HOME
    # Not a department they administer; not an account.
    response = client.post(
        "/agency/staff/",
        {"email": "new@agency.test", "department": OTHER, "role": Role.OFFICER},
    )
    assert response.status_code == 400
    response = client.post(
        "/agency/staff/",
        {"email": "nobody@agency.test", "department": HOME, "role": Role.OFFICER},
    )
    assert "No account with this email." in response.content.decode()
    # Someone else's grant cannot be withdrawn from here.
    other_grant = StaffRole.objects.get(account=outsider)
    assert client.post(f"/agency/staff/{other_grant.pk}/revoke/").status_code == 404
    assert client.post(f"/agency/staff/{grant.pk}/revoke/").status_code == 302
    assert not StaffRole.objects.filter(account=newcomer).exists()
    assert AuditEntry.objects.filter(action="agencies.staff_role_granted").count() == 1
    assert AuditEntry.objects.filter(action="agencies.staff_role_revoked").count() == 1


def test_a_role_limited_to_a_region_covers_only_that_region(db: None) -> None:
    from uslugi.catalog.constants import DepartmentKind
    from uslugi.catalog.models import Department, Region

    def region(code: str) -> Region:
        return Region.objects.create(
            code=code, name_ru=code, name_genitive_ru=code, capital_ru=code, timezone="UTC"
        )

    moscow, petersburg = region("77"), region("78")
    zags = Department.objects.create(code="zags", kind=DepartmentKind.OTHER, name_ru="ЗАГС")
    for r in (moscow, petersburg):
        Department.objects.create(
            code=f"r{r.code}-zags", kind=DepartmentKind.REGIONAL, parent=zags, region=r,
            name_ru=f"ЗАГС {r.code}",
        )  # fmt: skip
    account = Account.objects.create_user("regional@agency.test", "Uslugi-Test-2026")
    StaffRole.objects.create(account=account, department=zags, role=Role.SUPERVISOR, region=moscow)
    scope = selectors.staff_scope(account)
    assert scope.codes == scope.supervised_codes == {"zags", "r77-zags", "r78-zags"}
    assert not scope.is_administrator
    in_moscow = Application(department_code="r77-zags", region_code="77")
    in_petersburg = Application(department_code="r78-zags", region_code="78")
    assert scope.covers(in_moscow)
    assert scope.supervises(in_moscow)
    assert not scope.covers(in_petersburg)
    assert not scope.supervises(in_petersburg)
    assert selectors.officers_for(in_moscow) == [account]
    assert selectors.officers_for(in_petersburg) == []


def test_workload_and_statistics_are_one_or_two_queries(
    applicant: Account,
    home_service: DefinitionVersion,
    officer: Account,
    supervisor: Account,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(4):
        application = submit(applicant, home_service)
        services.case_claim(scope=selectors.staff_scope(officer), application=application)
    scope = selectors.staff_scope(supervisor)
    with django_assert_max_num_queries(2):
        rows = selectors.workload(scope)
    assert {r["account"]: r["assigned"] for r in rows}[officer] == 4
    with django_assert_max_num_queries(1):
        stats = selectors.statistics(scope)
    assert stats[0]["received"] == 4


def _link(page: str, rel: str) -> str:
    """The query string of the page's previous or next link ("" when there is none)."""
    found = re.search(rf'href="\?([^"]*)" rel="{rel}"', page)
    return html.unescape(found.group(1)) if found else ""


def test_the_queue_pages_forward_and_back_and_ignores_bad_filters(
    applicant: Account, home_service: DefinitionVersion, officer: Account, monkeypatch: Any
) -> None:
    from uslugi.agencies import views
    from uslugi.core.pagination import Keyset

    monkeypatch.setattr(views, "QUEUE_PAGES", Keyset(selectors.QUEUE_ORDER, 2, salt="t"))
    made = [submit(applicant, home_service) for _ in range(5)]
    test = submit(applicant, home_service, test=True)
    client = browser(officer)
    first = _queue(client, service=made[0].service_code)
    assert not _link(first, "prev")
    second = client.get(f"/agency/?{_link(first, 'next')}").content.decode()
    third = client.get(f"/agency/?{_link(second, 'next')}").content.decode()
    walked = [[a for a in made if shown(page, a)] for page in (first, second, third)]
    assert [len(page) for page in walked] == [2, 2, 1]
    assert [
        a for page in walked for a in page
    ] == made  # due order (then submission): each one once
    assert not _link(third, "next")
    assert "service=" in _link(second, "next")  # the filters travel with the cursor
    back = client.get(f"/agency/?{_link(third, 'prev')}").content.decode()
    assert [a for a in made if shown(back, a)] == walked[1]
    assert "5 applications" in first  # the whole list is counted, not the page
    # A mangled cursor (an old link, say): the first page, not an error.
    assert [a for a in made if shown(_queue(client, cursor="x" * 40), a)] == walked[0]
    # A filter value that is not one of the choices: the default queue (real only).
    page = _queue(client, kind="everything", status="bogus")
    assert not shown(page, test)
    assert sum(shown(page, a) for a in made) == 2


def test_menu_shows_the_back_office_to_staff_only(officer: Account) -> None:
    from django.test import RequestFactory

    from uslugi.agencies.context_processors import staff as staff_menu

    request = RequestFactory().get("/")
    request.user = Account.objects.create(phone="+79160000099", email="nobody@example.ru")
    assert staff_menu(request)["agency_staff"]() is False
    request.user = officer
    assert staff_menu(request)["agency_staff"]() is True
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(officer)
    assert 'href="/agency/"' in client.get("/account/").content.decode()


def test_the_queue_is_a_to_do_list_unless_asked_for_every_status(
    applicant: Account, home_service: DefinitionVersion, officer: Account
) -> None:
    from uslugi.applications import services as applications_services

    done, waiting = submit(applicant, home_service), submit(applicant, home_service)
    applications_services.agency_act(application=done, target=Status.ACCEPTED)
    applications_services.agency_act(application=done, target=Status.REFUSED, comment="Нет")
    client = browser(officer)
    page = _queue(client)
    assert shown(page, waiting)
    assert not shown(page, done)  # decided: off the to-do list
    assert shown(_queue(client, status="any"), done)
    assert shown(_queue(client, status=Status.REFUSED), done)
    assert not shown(_queue(client, status=Status.REFUSED), waiting)
    assert shown(_queue(client, number=done.number), done)  # a search finds it anyway
    assert "To do (not decided yet)" in page
