"""Offices: the applicant chooses the office that handles the application, staff roles can
be limited to a region or to one office, and the back-office queue filters by office."""

from __future__ import annotations

import importlib
import re
import uuid
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.test import Client

from tests.agencies.conftest import HOME, OTHER, browser, definition, staff, submit
from tests.forms.test_features import publish
from uslugi.agencies import selectors
from uslugi.agencies.constants import Role
from uslugi.agencies.models import CaseFile, QueueService, StaffRole
from uslugi.applications import services as applications_services
from uslugi.applications.constants import Status
from uslugi.applications.models import Application
from uslugi.catalog.constants import OfficeKind
from uslugi.catalog.models import Department, Office, Region
from uslugi.core.audit import AuditEntry
from uslugi.forms import engine
from uslugi.forms.models import DefinitionVersion
from uslugi.forms.services import draft_save_step, draft_start
from uslugi.identity.models import Account

pytestmark = pytest.mark.django_db


def _region(code: str) -> Region:
    return Region.objects.create(
        code=code, name_ru=f"Регион {code}", name_en=f"Region {code}",
        name_genitive_ru=code, capital_ru=code, capital_en=code, timezone="Europe/Moscow",
    )  # fmt: skip


def _office(region: Region, department: Department) -> Office:
    return Office.objects.create(
        code=f"{region.code}:{department.code}", kind=OfficeKind.DEPARTMENT, region=region,
        department=department, name_ru=f"Отделение {region.code}",
        name_en=f"Office in region {region.code}",
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()  # the forms keep office lists for a few minutes


@pytest.fixture
def offices(departments: dict[str, Department]) -> dict[str, Office]:
    moscow, petersburg = _region("77"), _region("78")
    return {
        "77": _office(moscow, departments[HOME]),
        "78": _office(petersburg, departments[HOME]),
        "other": _office(moscow, departments[OTHER]),
    }


@pytest.fixture
def office_service(offices: dict[str, Office]) -> DefinitionVersion:
    document = definition("office-permit", HOME)
    document["steps"][0]["fields"].append(
        {
            "name": "office",
            "type": "office",
            "department": HOME,
            "label": {"ru": "Подразделение", "en": "Office"},
            "required": True,
        }
    )
    document["routing"]["office"] = "office"
    return publish(document)


def step_save(*, draft: Any, step_id: str, data: dict[str, str]) -> engine.StepForm:
    """Validate a step as the browser posts it, and keep its answers when valid."""
    step = next(s for s in draft.version.localized()["steps"] if s["id"] == step_id)
    form = engine.StepForm(
        data, step=step, saved=dict(draft.data), locked=dict(draft.locked), sources={}
    )
    if form.is_valid():
        draft_save_step(draft=draft, answers=form.answers(), next_step="check")
    return form


def send(account: Account, version: DefinitionVersion, office: str) -> Application:
    """Fill the form's step as the browser does (the office from its list), submit, deliver."""
    draft = draft_start(account=account, version=version)
    form = step_save(draft=draft, step_id="about", data={"surname": "Иванова", "office": office})
    assert form.is_valid(), form.errors
    outcome = applications_services.application_submit(
        account=account, draft=draft, idempotency_key=uuid.uuid4().hex
    )
    assert applications_services.deliver(outcome.application.pk)
    return Application.objects.get(pk=outcome.application.pk)


@pytest.fixture
def sent(applicant: Account, office_service: DefinitionVersion) -> tuple[Application, Application]:
    """One application for the Moscow office, one for the St Petersburg office, delivered."""
    return (
        send(applicant, office_service, "77:mvd-migration"),
        send(applicant, office_service, "78:mvd-migration"),
    )


def _limited(email: str, department: Department, role: str = Role.OFFICER, **limit: Any) -> Account:
    account = staff(email, department, role)
    StaffRole.objects.filter(account=account).update(**limit)
    return account


def shown(client: Client, application: Application, **params: Any) -> bool:
    response = client.get("/agency/", params)
    assert response.status_code == 200
    return f'href="/agency/{application.pk}/"' in response.content.decode()


# --- The applicant's choice -------------------------------------------------------------------


def test_the_form_offers_the_departments_offices_and_the_application_keeps_the_choice(
    applicant: Account, office_service: DefinitionVersion, offices: dict[str, Office]
) -> None:
    client = browser(applicant)
    response = client.get("/forms/office-permit/")
    if response.status_code == 302:
        response = client.get(response["Location"])
    page = response.content.decode()
    assert 'value="77:mvd-migration"' in page
    assert "Office in region 77" in page
    assert 'value="78:mvd-migration"' in page
    assert "77:fns-other" not in page  # another department's office
    application = send(applicant, office_service, "78:mvd-migration")
    assert (application.office_code, application.region_code) == ("78:mvd-migration", "78")
    assert application.payload["office"] == "78:mvd-migration"
    entry = AuditEntry.objects.get(action="applications.submitted")
    assert entry.details["office"] == "78:mvd-migration"


def test_an_office_not_on_the_list_is_refused_with_a_clear_error(
    applicant: Account, office_service: DefinitionVersion, offices: dict[str, Office]
) -> None:
    draft = draft_start(account=applicant, version=office_service)
    for wrong in ("77:fns-other", "99:nowhere", "<script>"):
        form = step_save(draft=draft, step_id="about", data={"surname": "И", "office": wrong})
        assert not form.is_valid()
        assert "Select a valid choice" in str(form.errors["office"])
    form = step_save(draft=draft, step_id="about", data={"surname": "И"})
    assert "This field is required." in str(form.errors["office"])


def test_without_offices_in_the_catalogue_the_form_does_not_ask(
    applicant: Account, departments: dict[str, Department]
) -> None:
    document = definition("no-offices", HOME)
    document["steps"][0]["fields"].append(
        {"name": "office", "type": "office", "department": HOME, "label": "Office"}
    )
    document["routing"]["office"] = "office"
    version = publish(document)
    draft = draft_start(account=applicant, version=version)
    form = step_save(draft=draft, step_id="about", data={"surname": "И", "office": "77:x"})
    assert form.is_valid(), form.errors
    outcome = applications_services.application_submit(
        account=applicant, draft=draft, idempotency_key="k"
    )
    assert outcome.application.office_code == ""  # nothing unchecked is trusted


def test_the_check_page_shows_the_office_by_name(
    applicant: Account, office_service: DefinitionVersion, offices: dict[str, Office]
) -> None:
    from uslugi.forms.answers import field_text

    field = office_service.document["steps"][0]["fields"][-1]
    assert field_text(field, "77:mvd-migration") in {"Отделение 77", "Office in region 77"}
    assert field_text(field, "99:gone") == "99:gone"


# --- Staff limited to a region or an office ---------------------------------------------------


def test_an_office_role_sees_only_its_offices_applications(
    sent: tuple[Application, Application],
    offices: dict[str, Office],
    departments: dict[str, Department],
) -> None:
    in_77, in_78 = sent
    clerk = browser(_limited("clerk@agency.test", departments[HOME], office=offices["77"]))
    whole = browser(staff("whole@agency.test", departments[HOME]))
    assert shown(clerk, in_77)
    assert not shown(clerk, in_78)
    assert not shown(clerk, in_78, number=in_78.number)
    assert shown(whole, in_77)
    assert shown(whole, in_78)
    assert clerk.get(f"/agency/{in_78.pk}/").status_code == 404
    case_page = clerk.get(f"/agency/{in_77.pk}/").content.decode()
    assert 'id="office">Office in region 77<' in case_page
    assert clerk.post(f"/agency/{in_78.pk}/act/accept/").status_code == 404
    clerk.post("/agency/bulk-accept/", {"application": [str(in_77.pk), str(in_78.pk)]})
    in_77.refresh_from_db()
    in_78.refresh_from_db()
    assert (in_77.status, in_78.status) == (Status.ACCEPTED, Status.DELIVERED)


def test_assigned_to_me_still_keeps_to_the_roles_reach(
    sent: tuple[Application, Application],
    offices: dict[str, Office],
    departments: dict[str, Department],
) -> None:
    """ "Assigned to me" starts from the officer's own cases: a case of an office the role
    no longer reaches is not listed, nor one that other filters leave out."""
    in_77, in_78 = sent
    officer = staff("moved@agency.test", departments[HOME])
    for application in sent:
        CaseFile.objects.filter(application=application).update(assignee=officer)
    client = browser(officer)
    assert shown(client, in_77, assignee="mine")
    assert shown(client, in_78, assignee="mine")
    assert not shown(client, in_77, assignee="mine", office="78:mvd-migration")
    assert not shown(client, in_77, assignee="mine", status=Status.APPROVED)
    assert not shown(client, in_77, assignee="mine", kind="test")
    StaffRole.objects.filter(account=officer).update(office=offices["78"])
    assert not shown(client, in_77, assignee="mine")
    assert shown(client, in_78, assignee="mine")


def test_a_region_role_sees_the_applications_of_its_region(
    sent: tuple[Application, Application],
    offices: dict[str, Office],
    departments: dict[str, Department],
) -> None:
    in_77, in_78 = sent
    regional = browser(
        _limited("regional@agency.test", departments[HOME], region=offices["78"].region)
    )
    assert shown(regional, in_78)
    assert not shown(regional, in_77)


def test_the_queue_filters_by_office(
    sent: tuple[Application, Application],
    offices: dict[str, Office],
    departments: dict[str, Department],
) -> None:
    in_77, in_78 = sent
    whole = browser(staff("whole@agency.test", departments[HOME]))
    page = whole.get("/agency/").content.decode()
    assert 'name="office"' in page
    assert 'value="78:mvd-migration"' in page
    assert shown(whole, in_78, office="78:mvd-migration")
    assert not shown(whole, in_77, office="78:mvd-migration")
    # An office outside the scope is not a choice: the filter is ignored, not an error.
    assert whole.get("/agency/", {"office": "77:fns-other"}).status_code == 200


def _service_choices(client: Client) -> set[str]:
    page = client.get("/agency/").content.decode()
    chosen = page[
        page.index('name="service"') : page.index("</select>", page.index('name="service"'))
    ]
    return set(re.findall(r'<option value="([^"]+)"', chosen))


def test_the_service_filter_offers_the_services_the_role_reaches(
    sent: tuple[Application, Application],
    offices: dict[str, Office],
    departments: dict[str, Department],
    applicant: Account,
    home_service: DefinitionVersion,
) -> None:
    submit(applicant, home_service)  # the department's, without an office
    whole = browser(staff("whole@agency.test", departments[HOME]))
    assert _service_choices(whole) == {"office-permit", "agency-permit"}
    clerk = browser(_limited("clerk@agency.test", departments[HOME], office=offices["77"]))
    assert _service_choices(clerk) == {"office-permit"}
    other = browser(_limited("far@agency.test", departments[HOME], region=_region("50")))
    assert _service_choices(other) == set()
    # The migration that added regions and offices rebuilds the rows from applications.
    rebuild = importlib.import_module("uslugi.agencies.migrations.0007_queue_service_where").rebuild
    kept = set(QueueService.objects.values_list("region_code", "office_code", "service_code"))
    QueueService.objects.all().delete()
    rebuild(django_apps, None)
    assert (
        set(QueueService.objects.values_list("region_code", "office_code", "service_code"))
        == kept
        == {
            ("77", "77:mvd-migration", "office-permit"),
            ("78", "78:mvd-migration", "office-permit"),
            ("", "", "agency-permit"),
        }
    )


def test_assignment_offers_only_staff_who_reach_the_application(
    applicant: Account,
    office_service: DefinitionVersion,
    offices: dict[str, Office],
    departments: dict[str, Department],
) -> None:
    in_77 = send(applicant, office_service, "77:mvd-migration")
    here = _limited("here@agency.test", departments[HOME], office=offices["77"])
    there = _limited("there@agency.test", departments[HOME], office=offices["78"])
    boss = staff("boss@agency.test", departments[HOME], Role.SUPERVISOR)
    assert set(selectors.officers_for(in_77)) == {here, boss}
    from uslugi.agencies.models import CaseFile

    boss_client = browser(boss)
    boss_client.post(f"/agency/{in_77.pk}/assign/", {"assignee": str(there.pk)})
    assert not CaseFile.objects.filter(application=in_77, assignee=there).exists()
    boss_client.post(f"/agency/{in_77.pk}/assign/", {"assignee": str(here.pk)})
    assert CaseFile.objects.get(application=in_77).assignee == here
    # An office supervisor supervises that office only.
    lead = _limited("lead@agency.test", departments[HOME], Role.SUPERVISOR, office=offices["78"])
    assert not selectors.staff_scope(lead).supervises(in_77)


def test_an_administrator_grants_office_roles_and_bad_limits_are_refused(
    departments: dict[str, Department], offices: dict[str, Office]
) -> None:
    admin = browser(staff("admin@agency.test", departments[HOME], Role.ADMINISTRATOR))
    Account.objects.create_user("new@agency.test", "Uslugi-Test-2026")
    page = admin.get("/agency/staff/").content.decode()
    assert 'value="78:mvd-migration"' in page
    assert "77:fns-other" not in page

    def grant(**data: str) -> Any:
        base = {"email": "new@agency.test", "department": HOME, "role": Role.OFFICER}
        return admin.post("/agency/staff/", {**base, **data})

    refused = {
        "There is no region with this code.": {"region": "99"},
        "not both": {"region": "77", "office": "77:mvd-migration"},
        "not for one office": {"role": Role.ADMINISTRATOR, "office": "77:mvd-migration"},
        "Select a valid choice": {"office": "77:fns-other"},
    }
    for message, data in refused.items():
        response = grant(**data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert not StaffRole.objects.filter(account__email="new@agency.test").exists()
    assert grant(office="78:mvd-migration").status_code == 302
    role = StaffRole.objects.get(account__email="new@agency.test")
    assert role.office == offices["78"]
    assert role.region is None
    entry = AuditEntry.objects.filter(action="agencies.staff_role_granted").latest("created_at")
    assert entry.details["office"] == "78:mvd-migration"


def test_an_office_without_a_code_reaches_nothing(
    applicant: Account,
    office_service: DefinitionVersion,
    offices: dict[str, Office],
    departments: dict[str, Department],
) -> None:
    send(applicant, office_service, "77:mvd-migration")
    clerk = _limited("clerk@agency.test", departments[HOME], office=offices["77"])
    Office.objects.filter(pk=offices["77"].pk).update(code=None)
    scope = selectors.staff_scope(clerk)
    assert not selectors.queue(scope).exists()


def test_the_agency_api_tells_the_office_and_region(
    sent: tuple[Application, Application], departments: dict[str, Department]
) -> None:
    from tests.agencies.test_api import API, bearer, system

    client = Client(**bearer(system(HOME)))
    body = client.get(f"{API}/applications/{sent[1].pk}").json()
    assert (body["office_code"], body["region_code"]) == ("78:mvd-migration", "78")
    assert body["payload"]["office"] == "78:mvd-migration"
