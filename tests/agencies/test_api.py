"""The integration API for agency systems: OAuth2 client credentials, scope by department
and test flag, pull with cursor, leases and acknowledgement, status events, files."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from typing import Any

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from oauth2_provider.models import AccessToken

from tests.agencies.conftest import HOME, OTHER, PDF, submit
from uslugi.agencies import integration
from uslugi.agencies.integration import (
    SystemScope,
    lease_take,
    leases_ack,
    system_create,
    system_scope,
)
from uslugi.agencies.models import AgencySystem, Lease
from uslugi.applications import services as applications_services
from uslugi.applications.constants import AttachmentKind, Status
from uslugi.applications.errors import EventIdReused
from uslugi.applications.models import Application, Attachment, Event
from uslugi.catalog.models import Department
from uslugi.core import clock
from uslugi.forms.models import DefinitionVersion
from uslugi.forms.payload import agency_schema
from uslugi.identity.models import Account

BOTH = "applications:read applications:write"
API = "/api/v1/agency"


def system(department: str, *, test: bool = False, name: str = "CRM") -> AgencySystem:
    return system_create(name=name, department_code=department, is_test=test).system


def bearer(agency: AgencySystem, *, scope: str = BOTH, expires_in: int = 3600) -> dict[str, str]:
    token = secrets.token_urlsafe(24)
    AccessToken.objects.create(
        token=token,
        application=agency.oauth_application,
        scope=scope,
        expires=clock.now() + dt.timedelta(seconds=expires_in),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def home(departments: dict[str, Department]) -> AgencySystem:
    return system(HOME)


@pytest.fixture
def api(home: AgencySystem) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", **bearer(home))


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


# --- Credentials --------------------------------------------------------------------------------


def test_client_credentials_token_flow(departments: dict[str, Department], client: Client) -> None:
    credentials = system_create(name="Migration CRM", department_code=HOME)
    token = client.post(
        "/o/token/",
        {
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "scope": BOTH,
        },
    )
    assert token.status_code == 200, token.content
    body = token.json()
    assert body["token_type"] == "Bearer"
    assert set(body["scope"].split()) == set(BOTH.split())
    listed = client.get(f"{API}/applications", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert listed.status_code == 200
    assert listed.json() == {"items": [], "next_cursor": None}

    wrong = client.post(
        "/o/token/",
        {
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": "not-the-secret",
        },
    )
    assert wrong.status_code == 401
    # Only the OAuth2 endpoints are mounted, not the toolkit's client management.
    assert client.get("/o/applications/").status_code == 404


def test_the_command_prints_the_credentials_once(departments: dict[str, Department]) -> None:
    from io import StringIO

    out = StringIO()
    call_command("agency_system", "create", "--name", "Test CRM", "--department", HOME,
                 "--test", stdout=out)  # fmt: skip
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
    created = AgencySystem.objects.get(name="Test CRM")
    assert created.is_test
    assert created.oauth_application is not None
    assert created.oauth_application.client_id == lines["client_id"]
    # Kept hashed: the printed secret is not stored as such.
    assert created.oauth_application.client_secret != lines["client_secret"]


def test_the_command_refuses_an_unknown_department(departments: dict[str, Department]) -> None:
    with pytest.raises(CommandError, match="no-such"):
        call_command("agency_system", "create", "--name", "X", "--department", "no-such")
    assert not AgencySystem.objects.exists()


def test_the_admin_lists_and_opens_systems(admin_client: Client, home: AgencySystem) -> None:
    listing = admin_client.get("/admin/agencies/agencysystem/")
    assert listing.status_code == 200
    assert "CRM" in listing.content.decode()
    assert admin_client.get(f"/admin/agencies/agencysystem/{home.pk}/change/").status_code == 200


def test_unknown_expired_wrong_scope_and_inactive_tokens_are_refused(
    home: AgencySystem, client: Client
) -> None:
    assert _problem(client.get(f"{API}/applications"), 401)["code"] == "unauthenticated"
    unknown = client.get(f"{API}/applications", HTTP_AUTHORIZATION="Bearer nope")
    assert _problem(unknown, 401)["code"] == "unauthenticated"
    expired = client.get(f"{API}/applications", **bearer(home, expires_in=-10))
    assert _problem(expired, 401)["code"] == "unauthenticated"

    read_only = bearer(home, scope="applications:read")
    assert client.get(f"{API}/applications", **read_only).status_code == 200
    refused = client.post(f"{API}/applications/lease", **read_only)
    assert _problem(refused, 403)["code"] == "agency_insufficient_scope"

    write_only = bearer(home, scope="applications:write")
    assert _problem(client.get(f"{API}/applications", **write_only), 403)["code"] == (
        "agency_insufficient_scope"
    )

    working = bearer(home)
    home.active = False
    home.save(update_fields=["active"])
    inactive = client.get(f"{API}/applications", **working)
    assert _problem(inactive, 403)["code"] == "agency_system_inactive"


# --- Scope --------------------------------------------------------------------------------------


def test_a_system_sees_its_department_subtree_and_only_its_test_flag(
    departments: dict[str, Department],
    applicant: Account,
    home_service: DefinitionVersion,
    other_service: DefinitionVersion,
) -> None:
    real = submit(applicant, home_service)
    test = submit(applicant, home_service, test=True)
    other = submit(applicant, other_service)
    pending = submit(applicant, home_service, deliver=False)

    def seen(agency: AgencySystem) -> set[str]:
        client = Client(**bearer(agency))
        return {item["number"] for item in client.get(f"{API}/applications").json()["items"]}

    assert seen(system(HOME)) == {real.number}
    assert seen(system("mvd")) == {real.number}  # the parent covers its sub-departments
    assert seen(system(HOME, test=True)) == {test.number}
    assert seen(system(OTHER)) == {other.number}

    outsider = Client(**bearer(system(OTHER)))
    tester = Client(**bearer(system(HOME, test=True)))
    for application in (real, pending):
        for path in ("", "/files"):
            url = f"{API}/applications/{application.pk}{path}"
            assert _problem(outsider.get(url), 404)["code"] == "agency_application_not_found"
            assert tester.get(url).status_code == 404
        act = outsider.post(
            f"{API}/applications/{application.pk}/events",
            {"event_id": "x-1", "status": "accepted"},
            content_type="application/json",
        )
        assert act.status_code == 404
        assert outsider.post(f"{API}/applications/{application.pk}/ack").status_code == 404
    assert Application.objects.get(pk=real.pk).status == Status.DELIVERED
    assert not Lease.objects.exists()


def test_payload_matches_the_agency_schema(
    api: Client, applicant: Account, home_service: DefinitionVersion
) -> None:
    application = submit(applicant, home_service, scan=True)
    body = api.get(f"{API}/applications/{application.pk}").json()
    assert body["number"] == application.number
    assert body["service_code"] == "agency-permit"
    assert body["version"] == home_service.number
    assert body["status"] == Status.DELIVERED
    assert body["payload"]["surname"] == "Смирнова"
    jsonschema.validate(body["payload"], agency_schema(home_service.document))


def test_files_are_listed_and_downloaded(
    api: Client, applicant: Account, home_service: DefinitionVersion
) -> None:
    application = submit(applicant, home_service, scan=True)
    files = api.get(f"{API}/applications/{application.pk}/files").json()
    assert [(f["kind"], f["name"], f["content_type"]) for f in files] == [
        (AttachmentKind.APPLICANT, "scan.pdf", "application/pdf")
    ]
    download = api.get(files[0]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    assert "attachment" in download["Content-Disposition"]
    other = submit(applicant, home_service, scan=True)
    foreign = Attachment.objects.get(application=other)
    # Another application's file through this application's URL: 404.
    missing = api.get(f"{API}/applications/{application.pk}/files/{foreign.pk}")
    assert _problem(missing, 404)["code"] == "agency_file_not_found"


# --- Pull, lease, ack ---------------------------------------------------------------------------


def test_pull_pages_with_a_cursor_oldest_first(
    api: Client, applicant: Account, home_service: DefinitionVersion
) -> None:
    made = [submit(applicant, home_service) for _ in range(5)]
    seen: list[str] = []
    cursor = ""
    for _ in range(5):
        page = api.get(f"{API}/applications", {"limit": 2, "cursor": cursor}).json()
        seen += [item["number"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [a.number for a in made]
    bad = api.get(f"{API}/applications", {"cursor": "forged"})
    assert _problem(bad, 422)["code"] == "agency_invalid_cursor"
    # A cursor of another system is refused too.
    other = Client(**bearer(system(HOME, name="Second")))
    page = api.get(f"{API}/applications", {"limit": 1}).json()
    assert other.get(f"{API}/applications", {"cursor": page["next_cursor"]}).status_code == 422


def test_lease_then_ack(
    api: Client,
    home: AgencySystem,
    applicant: Account,
    home_service: DefinitionVersion,
    settings: Any,
) -> None:
    made = [submit(applicant, home_service) for _ in range(3)]
    leased = api.post(f"{API}/applications/lease?limit=2").json()
    assert [i["number"] for i in leased["items"]] == [a.number for a in made[:2]]
    # Leased ones are not new any more, for this system or another of the department.
    second = Client(**bearer(system(HOME, name="Second")))
    assert [i["number"] for i in api.get(f"{API}/applications").json()["items"]] == [made[2].number]
    again = second.post(f"{API}/applications/lease?limit=5").json()
    assert [i["number"] for i in again["items"]] == [made[2].number]
    assert second.post(f"{API}/applications/lease").json()["items"] == []
    # Another system may not acknowledge what this one holds.
    refused = second.post(f"{API}/applications/{made[0].pk}/ack")
    assert _problem(refused, 409)["code"] == "agency_leased_elsewhere"

    first = api.post(f"{API}/applications/{made[0].pk}/ack")
    assert first.status_code == 200
    repeat = api.post(f"{API}/applications/{made[0].pk}/ack")
    assert repeat.json()["acknowledged_at"] == first.json()["acknowledged_at"]

    # When a lease ends, the unacknowledged application is offered again; the
    # acknowledged one never.
    Lease.objects.update(until=clock.now() - dt.timedelta(seconds=1))
    offered = second.post(f"{API}/applications/lease?limit=5").json()["items"]
    assert {i["number"] for i in offered} == {made[1].number, made[2].number}
    assert Lease.objects.get(application=made[1]).system.name == "Second"
    assert settings.AGENCY_LEASE_SECONDS > 0


def test_odd_requests_get_problem_details_not_errors(
    api: Client, applicant: Account, home_service: DefinitionVersion
) -> None:
    application = submit(applicant, home_service)
    events = f"{API}/applications/{application.pk}/events"
    # A form or multipart body to a JSON operation: 400, "send JSON".
    for body in ({"event_id": "e-1", "status": "accepted"}, {"ids": str(application.pk)}):
        for path in (events, f"{API}/applications/ack"):
            sent = api.post(path, body)  # multipart, as a browser form would send it
            assert _problem(sent, 400)["detail"].startswith("Send the body as JSON")
    # An event id with a NUL, a space or a control character: 422 (PostgreSQL cannot
    # store a NUL in text; the id is a protocol token, not prose).
    for event_id in ("a\x00b", "with space", "tab\there"):
        refused = api.post(
            events, {"event_id": event_id, "status": "accepted"}, content_type="application/json"
        )
        assert _problem(refused, 422)["code"] == "validation_failed"
    # A limit out of range is refused, not quietly turned into one.
    for limit in (0, -1, 101):
        assert _problem(api.post(f"{API}/applications/lease?limit={limit}"), 422)
        assert _problem(api.get(f"{API}/applications", {"limit": limit}), 422)
    assert not Lease.objects.exists()
    # A method the path does not have: 405 as a problem, with its Allow header.
    wrong = api.get(f"{API}/applications/lease")
    assert _problem(wrong, 405)["code"] == "method_not_allowed"
    assert wrong["Allow"] == "POST"
    assert api.put(events)["Content-Type"] == "application/problem+json"


@pytest.mark.usefixtures("departments")
def test_a_leased_batch_is_acknowledged_in_one_call_each_on_its_own(
    *,
    api: Client,
    home: AgencySystem,
    applicant: Account,
    home_service: DefinitionVersion,
    other_service: DefinitionVersion,
    django_assert_max_num_queries: Any,
) -> None:
    made = [submit(applicant, home_service) for _ in range(4)]
    foreign = submit(applicant, other_service)  # another department's
    leased = api.post(f"{API}/applications/lease?limit=2").json()["items"]
    second = Client(**bearer(system(HOME, name="Second")))
    held = second.post(f"{API}/applications/lease?limit=1").json()["items"][0]
    assert held["id"] == str(made[2].pk)
    before = api.post(f"{API}/applications/{made[0].pk}/ack").json()["acknowledged_at"]
    asked = [made[0].pk, made[1].pk, made[2].pk, made[3].pk, foreign.pk, made[1].pk]
    with django_assert_max_num_queries(12):  # however many: not a round per application
        answer = api.post(
            f"{API}/applications/ack",
            {"ids": [str(pk) for pk in asked]},
            content_type="application/json",
        )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    # In the order asked, each once: the leased pair (one acknowledged before: the same
    # time again), the one never leased; another system's running lease and another
    # department's application refused, each with the single call's code.
    assert [i["id"] for i in body["items"]] == [str(made[n].pk) for n in (0, 1, 3)]
    assert body["items"][0]["acknowledged_at"] == before
    assert [(r["id"], r["code"]) for r in body["refused"]] == [
        (str(made[2].pk), "agency_leased_elsewhere"),
        (str(foreign.pk), "agency_application_not_found"),
    ]
    assert all(r["detail"] for r in body["refused"])
    assert {i["id"] for i in leased} <= {i["id"] for i in body["items"]}
    acked = Lease.objects.filter(acknowledged_at__isnull=False, system=home)
    assert set(acked.values_list("application_id", flat=True)) == {made[n].pk for n in (0, 1, 3)}
    # Nothing of it is offered again, even when the leases end.
    Lease.objects.update(until=clock.now() - dt.timedelta(seconds=1))
    again = second.post(f"{API}/applications/lease?limit=9").json()["items"]
    assert [i["id"] for i in again] == [str(made[2].pk)]
    # Bad requests: none, too many, not ids.
    for ids in ([], [str(made[0].pk)] * 101, ["nope"]):
        bad = api.post(f"{API}/applications/ack", {"ids": ids}, content_type="application/json")
        assert bad.status_code == 422, (ids, bad.content)


def test_accepted_applications_are_not_new(
    api: Client, applicant: Account, home_service: DefinitionVersion
) -> None:
    application = submit(applicant, home_service)
    api.post(
        f"{API}/applications/{application.pk}/events",
        {"event_id": "e-1", "status": "accepted"},
        content_type="application/json",
    )
    assert api.get(f"{API}/applications").json()["items"] == []
    assert api.post(f"{API}/applications/lease").json()["items"] == []


def delivered(applicant: Account, version: DefinitionVersion, *, test: bool = False) -> Application:
    """Submitted (with a scanned file) and delivered outside a test transaction (delivery
    may already have run on commit, through the immediate task backend)."""
    application = submit(applicant, version, test=test, deliver=False, scan=True)
    applications_services.deliver(application.pk)
    application.refresh_from_db()
    assert application.status == Status.DELIVERED
    return application


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_pullers_never_share_an_application(
    departments: dict[str, Department], applicant: Account, home_service: DefinitionVersion
) -> None:
    made = {delivered(applicant, home_service).pk for _ in range(40)}
    scopes = [system_scope(system(HOME, name=f"Puller {n}")) for n in range(4)]
    taken: dict[int, list[Any]] = {}
    barrier = threading.Barrier(len(scopes))
    failures: list[BaseException] = []

    def pull(n: int, scope: SystemScope) -> None:
        mine: list[Any] = []
        try:
            barrier.wait()
            while True:
                leased, _until = lease_take(scope, limit=3)
                if not leased:
                    break
                mine += [a.pk for a in leased]
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            taken[n] = mine
            connection.close()

    threads = [threading.Thread(target=pull, args=(n, s)) for n, s in enumerate(scopes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    every = [pk for mine in taken.values() for pk in mine]
    assert len(every) == len(set(every)), "an application was leased twice"
    assert set(every) == made
    assert Lease.objects.count() == len(made)


def _at_once(*works: Any) -> list[Any]:
    """Run each callable in its own thread, released together; their results in order."""
    barrier = threading.Barrier(len(works))
    results: list[Any] = [None] * len(works)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            results[n] = works[n]()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_leasing_and_acknowledging_the_same_applications_at_once_never_deadlock(
    departments: dict[str, Department], applicant: Account, home_service: DefinitionVersion
) -> None:
    """One system leases while another acknowledges the same applications in a batch:
    each ends with the applications it got (the acknowledged ones never leased after)."""
    puller, acker = (system_scope(system(HOME, name=name)) for name in ("Puller", "Acker"))
    for _round in range(4):
        ids = [delivered(applicant, home_service).pk for _ in range(25)]
        (taken, _until), (done, refused) = _at_once(
            lambda: lease_take(puller, limit=25),
            lambda ids=ids: leases_ack(acker, ids),
        )
        leased = {a.pk for a in taken}
        assert not leased & set(done), "leased by one system and acknowledged by another"
        assert leased | set(done) == set(ids)
        assert set(refused) == leased  # those under the puller's running lease


# --- Status events and results ------------------------------------------------------------------


def _event(api: Client, application: Application, **body: Any) -> Any:
    return api.post(
        f"{API}/applications/{application.pk}/events", body, content_type="application/json"
    )


def test_duplicate_event_is_returned_not_applied_twice(
    api: Client, applicant: Account, home_service: DefinitionVersion
) -> None:
    application = submit(applicant, home_service)
    first = _event(api, application, event_id="crm-1", status="accepted", comment="ok")
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "accepted"
    assert first.json()["previous"] == "delivered"
    again = _event(api, application, event_id="crm-1", status="accepted", comment="ok")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Event.objects.filter(application=application, status="accepted").count() == 1


def test_an_event_id_used_for_another_event_is_a_409_not_ignored(
    api: Client, applicant: Account, home_service: DefinitionVersion
) -> None:
    application = submit(applicant, home_service)
    assert _event(api, application, event_id="crm-1", status="accepted").status_code == 201
    for other in (
        {"status": "refused", "comment": "No documents."},  # another status
        {"status": "accepted", "comment": "Something else"},  # another comment
    ):
        reused = _event(api, application, event_id="crm-1", **other)
        assert _problem(reused, 409)["code"] == "event_id_reused"
    assert Application.objects.get(pk=application.pk).status == Status.ACCEPTED
    assert Event.objects.filter(application=application, external_id="crm-1").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twin_events_under_one_id_record_one_and_refuse_the_other(
    departments: dict[str, Department], applicant: Account, home_service: DefinitionVersion
) -> None:
    """Two requests with the same event id and different statuses at the same moment:
    one is recorded, the other refused (never a second event, nor a silent 200)."""
    scope = system_scope(system(HOME))
    for _round in range(4):
        application = delivered(applicant, home_service)

        def report(status: str, comment: str, application: Application = application) -> Any:
            try:
                return integration.event_record(
                    scope, application, event_id="twin", status=status, comment=comment
                ).created
            except EventIdReused:
                return "reused"

        outcomes = _at_once(
            lambda: report("accepted", ""), lambda: report("refused", "Missing a page.")
        )
        assert sorted(outcomes, key=str) == [True, "reused"], outcomes
        assert Event.objects.filter(application=application, external_id="twin").count() == 1


def test_invalid_transition_is_a_409_problem(
    api: Client, applicant: Account, home_service: DefinitionVersion
) -> None:
    application = submit(applicant, home_service)
    refused = _event(api, application, event_id="crm-1", status="in_progress")
    body = _problem(refused, 409)
    assert body["code"] == "application_transition_refused"
    assert Application.objects.get(pk=application.pk).status == Status.DELIVERED
    unknown = _event(api, application, event_id="crm-2", status="cancelled")
    assert _problem(unknown, 422)["code"] == "agency_invalid_status"
    no_reason = _event(api, application, event_id="crm-3", status="refused")
    assert _problem(no_reason, 422)["code"] == "agency_comment_required"


def test_approve_with_uploaded_results(
    api: Client, applicant: Account, home_service: DefinitionVersion
) -> None:
    application = submit(applicant, home_service)
    assert _event(api, application, event_id="a", status="accepted").status_code == 201
    no_results = _event(api, application, event_id="b", status="approved")
    assert _problem(no_results, 422)["code"] == "agency_result_required"

    not_pdf = api.post(
        f"{API}/applications/{application.pk}/results",
        {"files": [SimpleUploadedFile("x.pdf", b"plain text", content_type="application/pdf")]},
    )
    assert _problem(not_pdf, 422)["code"] == "invalid_upload"
    uploaded = api.post(
        f"{API}/applications/{application.pk}/results",
        {"files": [SimpleUploadedFile("decision.pdf", PDF, content_type="application/pdf")]},
    )
    assert uploaded.status_code == 201, uploaded.content
    result_id = uploaded.json()[0]["id"]

    # A result of one application cannot complete another.
    other = submit(applicant, home_service)
    _event(api, other, event_id="a", status="accepted")
    foreign = _event(api, other, event_id="b", status="approved", result_ids=[result_id])
    assert _problem(foreign, 422)["code"] == "agency_unknown_result"

    approved = _event(api, application, event_id="b", status="approved", result_ids=[result_id])
    assert approved.status_code == 201, approved.content
    assert approved.json()["result_ids"] == [result_id]
    results = Attachment.objects.filter(application=application, kind=AttachmentKind.RESULT)
    assert [str(a.upload_id) for a in results] == [result_id]
    assert Application.objects.get(pk=application.pk).status == Status.APPROVED
    # Repeating the event changes nothing, and a used result cannot be used again.
    repeat = _event(api, application, event_id="b", status="approved", result_ids=[result_id])
    assert repeat.status_code == 200
    assert results.count() == 1
    files = api.get(f"{API}/applications/{application.pk}/files").json()
    assert [f["kind"] for f in files] == [AttachmentKind.RESULT]
