"""Push mode: webhooks to agency systems, against a real HTTP receiver on loopback."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from tests.agencies.conftest import HOME, OTHER, browser, staff, submit
from uslugi.agencies import integration, webhooks
from uslugi.agencies.constants import Role
from uslugi.agencies.models import AgencySystem, WebhookDelivery
from uslugi.agencies.webhooks import Selection
from uslugi.applications import services as applications_services
from uslugi.applications.constants import Status
from uslugi.applications.models import Application
from uslugi.catalog.models import Department
from uslugi.core import clock
from uslugi.core.audit import AuditEntry
from uslugi.forms.models import DefinitionVersion
from uslugi.identity.models import Account

SECRET = "whsec-test-0123456789abcdef"
T0 = dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def payload(self) -> dict[str, Any]:
        return dict(json.loads(self.body))

    def verifies(self, secret: str = SECRET) -> bool:
        return webhooks.verify(
            secret,
            self.headers["X-Uslugi-Timestamp"],
            self.body,
            self.headers["X-Uslugi-Signature"],
        )


@dataclass
class Receiver:
    """An agency system's webhook endpoint: records every request, answers `status`."""

    status: int = 200
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/uslugi"

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.requests if 200 <= r.answered < 300]

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.delay:
                    time.sleep(receiver.delay)
                answer = receiver.status
                receiver.requests.append(Received(dict(self.headers.items()), body, answer))
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


def system(department: Department, url: str, *, test: bool = False, name: str = "") -> AgencySystem:
    return AgencySystem.objects.create(
        name=name or f"{department.code} {'test' if test else 'real'}",
        department=department,
        is_test=test,
        webhook_url=url,
        webhook_secret=SECRET,
    )


@pytest.fixture
def real_system(departments: dict[str, Department], receiver: Receiver) -> AgencySystem:
    return system(departments[HOME], receiver.url)


def run_for(hours: float, *, step_minutes: float = 5, start: dt.datetime) -> dt.datetime:
    """Run the periodic job every `step_minutes` of simulated time; the end moment."""
    moment = start
    end = start + dt.timedelta(hours=hours)
    while moment <= end:
        with clock.frozen(moment):
            webhooks.deliver_due()
        moment += dt.timedelta(minutes=step_minutes)
    return moment


def act(application: Application, target: str) -> None:
    applications_services.agency_act(application=application, target=target)


def types(received: list[Received], application: Application) -> list[tuple[str, str]]:
    return [
        (r.payload["type"], r.payload["application"]["status"])
        for r in received
        if r.payload["application"]["id"] == str(application.pk)
    ]


def test_delivered_application_posts_a_signed_webhook(
    applicant: Account, home_service: DefinitionVersion, real_system: AgencySystem,
    receiver: Receiver,
) -> None:  # fmt: skip
    with clock.frozen(T0):
        application = submit(applicant, home_service)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.event) == ("pending", "application.delivered")
        assert webhooks.deliver_due() == 1
    [request] = receiver.requests
    assert request.verifies()
    assert not request.verifies("another-secret")
    assert request.headers["X-Uslugi-Timestamp"] == str(int(T0.timestamp()))
    assert request.headers["X-Uslugi-Event-Id"] == request.payload["event_id"]
    assert request.headers["Content-Type"] == "application/json"
    assert request.payload == {
        "event_id": request.payload["event_id"],
        "type": "application.delivered",
        "application": {
            "id": str(application.pk),
            "number": application.number,
            "service_code": "agency-permit",
            "status": "delivered",
            "submitted_at": application.submitted_at.isoformat(),
        },
        "occurred_at": request.payload["occurred_at"],
    }
    assert application.events.filter(pk=request.payload["event_id"], status="delivered").exists()
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert (delivery.attempts, delivery.last_status_code, delivery.delivered_at) == (1, 200, T0)
    assert webhooks.deliver_due() == 0  # nothing due twice
    assert len(receiver.requests) == 1


def test_nothing_before_delivery_and_no_system_without_url(
    applicant: Account, home_service: DefinitionVersion, departments: dict[str, Department],
    receiver: Receiver,
) -> None:  # fmt: skip
    system(departments[HOME], "", name="pull only")
    inactive = system(departments[HOME], receiver.url, name="switched off")
    inactive.active = False
    inactive.save()
    system(departments[OTHER], receiver.url, name="another agency")
    application = submit(applicant, home_service, deliver=False)
    applications_services.cancel(application=application, account=applicant)
    submit(applicant, home_service)
    assert not WebhookDelivery.objects.exists()


def test_a_parent_department_s_system_hears_of_its_sub_departments(
    applicant: Account, home_service: DefinitionVersion, departments: dict[str, Department],
    receiver: Receiver,
) -> None:  # fmt: skip
    """As in the pull API: a system sees its department and the bodies below it."""
    parent = system(departments["mvd"], receiver.url, name="parent department")
    submit(applicant, home_service)
    assert list(WebhookDelivery.objects.values_list("system", flat=True)) == [parent.pk]


def test_commit_sends_at_once_and_rollback_sends_nothing(
    applicant: Account, home_service: DefinitionVersion, real_system: AgencySystem,
    receiver: Receiver, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        application = submit(applicant, home_service)
    assert callbacks  # the delivery task was enqueued on commit and ran
    assert [r.payload["type"] for r in receiver.accepted] == ["application.delivered"]

    written = []

    def failing_command() -> None:
        with transaction.atomic():
            act(application, Status.ACCEPTED)
            written.append(WebhookDelivery.objects.count())  # in the same transaction
            raise RuntimeError("the caller fails after the transition")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        failing_command()
    assert written == [2]
    assert WebhookDelivery.objects.count() == 1
    assert not callbacks
    assert webhooks.deliver_due() == 0
    assert len(receiver.requests) == 1
    application.refresh_from_db()
    assert application.status == Status.DELIVERED


def test_receiver_down_for_a_day_gets_everything_once_in_order(
    applicant: Account, home_service: DefinitionVersion, real_system: AgencySystem,
    receiver: Receiver,
) -> None:  # fmt: skip
    receiver.status = 503
    with clock.frozen(T0):
        applications = [submit(applicant, home_service) for _ in range(3)]
    with clock.frozen(T0 + dt.timedelta(minutes=1)):
        for application in applications:
            act(application, Status.ACCEPTED)
    with clock.frozen(T0 + dt.timedelta(minutes=2)):
        for application in applications:
            act(application, Status.IN_PROGRESS)
    assert WebhookDelivery.objects.count() == 9

    # Down for a simulated day: first answering 503, then not listening at all.
    moment = run_for(12, start=T0)
    receiver.stop()
    moment = run_for(12, start=moment)
    assert not receiver.accepted
    failed_attempts = len(receiver.requests)
    # Only the first event of each application was tried (the later ones wait for it),
    # with backoff: far fewer attempts than the 288 runs of the job.
    assert 3 * 15 <= failed_attempts <= 3 * 40
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"pending"}
    first = WebhookDelivery.objects.filter(event="application.delivered")
    assert all(d.attempts > 10 and d.last_error for d in first)
    assert not WebhookDelivery.objects.filter(event="application.status_changed", attempts__gt=0)

    # Back: within the longest backoff (an hour) everything arrives.
    receiver.status = 200
    receiver.start()
    run_for(1.1, start=moment)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    accepted = receiver.accepted
    assert len(accepted) == 9
    assert len({r.payload["event_id"] for r in accepted}) == 9  # each exactly once
    assert all(r.verifies() for r in receiver.requests)
    for application in applications:
        assert types(accepted, application) == [
            ("application.delivered", "delivered"),
            ("application.status_changed", "accepted"),
            ("application.status_changed", "in_progress"),
        ]
    run_for(2, start=moment + dt.timedelta(hours=1.2))
    assert len(receiver.accepted) == 9


def test_gives_up_after_the_retry_window_then_replay_sends_again(  # noqa: PLR0917 - fixtures
    applicant: Account, home_service: DefinitionVersion, real_system: AgencySystem,
    receiver: Receiver, settings: Any, supervisor: Account,
) -> None:  # fmt: skip
    assert settings.AGENCY_WEBHOOK_RETRY_HOURS >= 72
    receiver.status = 500
    with clock.frozen(T0):
        submit(applicant, home_service)
    delivery = WebhookDelivery.objects.get()
    assert delivery.give_up_at == T0 + dt.timedelta(hours=settings.AGENCY_WEBHOOK_RETRY_HOURS)
    run_for(settings.AGENCY_WEBHOOK_RETRY_HOURS - 1, step_minutes=30, start=T0)
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    run_for(2, step_minutes=30, start=T0 + dt.timedelta(hours=95))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("failed", 500)
    assert delivery.next_attempt_at is None
    attempts = len(receiver.requests)
    assert attempts == delivery.attempts
    run_for(5, start=T0 + dt.timedelta(hours=100))
    assert len(receiver.requests) == attempts  # failed stays failed

    receiver.status = 204
    later = T0 + dt.timedelta(hours=120)
    with clock.frozen(later):
        assert webhooks.replay(delivery=delivery, actor=supervisor)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 0)
        assert delivery.give_up_at == later + dt.timedelta(
            hours=settings.AGENCY_WEBHOOK_RETRY_HOURS
        )
        assert webhooks.deliver_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    assert receiver.accepted[0].verifies()
    entry = AuditEntry.objects.get(action="agencies.webhook_replayed")
    assert entry.object_id == str(delivery.pk)
    assert entry.details["previous_status"] == "failed"


def test_bulk_replay_by_range_and_by_application(
    applicant: Account, home_service: DefinitionVersion, real_system: AgencySystem,
    receiver: Receiver,
) -> None:  # fmt: skip
    with clock.frozen(T0):
        early = submit(applicant, home_service)
        webhooks.deliver_due()
    with clock.frozen(T0 + dt.timedelta(hours=2)):
        late = submit(applicant, home_service)
        act(late, Status.ACCEPTED)
        webhooks.deliver_due()
    assert len(receiver.accepted) == 3

    with clock.frozen(T0 + dt.timedelta(hours=3)):
        count = webhooks.replay_bulk(
            selection=Selection(since=T0 + dt.timedelta(hours=1), until=T0 + dt.timedelta(hours=3))
        )
        assert count == 2
        assert webhooks.deliver_due() == 2
    assert types(receiver.accepted[3:], late) == [
        ("application.delivered", "delivered"),
        ("application.status_changed", "accepted"),
    ]
    assert not types(receiver.accepted[3:], early)
    entry = AuditEntry.objects.get(action="agencies.webhooks_replayed")
    assert entry.details["count"] == 2

    # Only the failed ones of the range: none.
    with clock.frozen(T0 + dt.timedelta(hours=4)):
        failed = Selection(since=T0, until=T0 + dt.timedelta(hours=4), status="failed")
        assert webhooks.replay_bulk(selection=failed) == 0

    # The command: by application number in a range.
    with clock.frozen(T0 + dt.timedelta(hours=5)):
        call_command(
            "agencies", "webhooks", "replay",
            "--since", (T0 - dt.timedelta(hours=1)).isoformat(),
            "--until", (T0 + dt.timedelta(hours=5)).isoformat(),
            "--application", early.number,
        )  # fmt: skip
        assert webhooks.deliver_due() == 1
    assert types(receiver.accepted[5:], early) == [("application.delivered", "delivered")]
    assert len(receiver.accepted) == 6
    assert AuditEntry.objects.filter(action="agencies.webhooks_replayed").count() == 3


def test_replay_command_refuses_bad_input(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("agencies", "webhooks", "replay", "--since", "yesterday", "--until", "x")
    with pytest.raises(CommandError, match="after"):
        call_command(
            "agencies", "webhooks", "replay", "--since", "2026-01-02", "--until", "2026-01-01"
        )
    with pytest.raises(CommandError, match="application number"):
        call_command(
            "agencies", "webhooks", "replay", "--since", "2026-01-01", "--until", "2026-01-02",
            "--application", "12345",
        )  # fmt: skip


def test_test_applications_go_only_to_test_systems(
    applicant: Account, home_service: DefinitionVersion, departments: dict[str, Department],
    receiver: Receiver,
) -> None:  # fmt: skip
    real = system(departments[HOME], receiver.url + "?real")
    test = system(departments[HOME], receiver.url + "?test", test=True)
    marked = submit(applicant, home_service, test=True)
    ordinary = submit(applicant, home_service)
    assert list(WebhookDelivery.objects.filter(application=marked).values_list("system", flat=True)) == [test.pk]  # fmt: skip
    assert list(WebhookDelivery.objects.filter(application=ordinary).values_list("system", flat=True)) == [real.pk]  # fmt: skip
    webhooks.deliver_due()
    assert len(receiver.accepted) == 2


def test_a_claimed_delivery_is_not_sent_again(
    applicant: Account, home_service: DefinitionVersion, real_system: AgencySystem,
    receiver: Receiver,
) -> None:  # fmt: skip
    with clock.frozen(T0):
        submit(applicant, home_service)
        delivery = WebhookDelivery.objects.get()
        assert webhooks._claim(delivery.pk, T0)  # another worker holds it
        assert not webhooks.deliver(delivery.pk)
    assert not receiver.requests
    # The other worker died: after its lease the delivery is taken again, once.
    with clock.frozen(T0 + webhooks.SENDING_LEASE):
        assert webhooks.deliver(delivery.pk)
        assert not webhooks.deliver(delivery.pk)
    assert len(receiver.requests) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_send_one_delivery_once(
    applicant: Account, home_service: DefinitionVersion, real_system: AgencySystem,
    receiver: Receiver,
) -> None:  # fmt: skip
    from django.db import connection

    # Delivered by the task at commit, whose webhook the task at that commit sends.
    application = submit(applicant, home_service, deliver=False)
    assert Application.objects.get(pk=application.pk).status == Status.DELIVERED
    assert len(receiver.accepted) == 1
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="pending", attempts=0, next_attempt_at=clock.now()
    )
    receiver.requests.clear()
    receiver.delay = 0.2
    start = threading.Barrier(8)
    results: list[bool] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(webhooks.deliver(delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert len(receiver.requests) == 1


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    first = [webhooks.backoff(1).total_seconds() for _ in range(50)]
    assert all(24 <= s <= 30 for s in first)
    assert len(set(first)) > 1
    assert 48 <= webhooks.backoff(2).total_seconds() <= 60
    capped = [webhooks.backoff(n).total_seconds() for n in (8, 9, 50, 10_000) for _ in range(20)]
    assert all(2880 <= s <= 3600 for s in capped)
    assert len(set(capped)) > 1


# --- The delivery log page ----------------------------------------------------------------------


@pytest.fixture
def administrator(departments: dict[str, Department]) -> Account:
    return staff("admin@agency.test", departments[HOME], Role.ADMINISTRATOR)


def test_log_page_lists_the_departments_deliveries_and_filters(  # noqa: PLR0917 - fixtures
    applicant: Account, home_service: DefinitionVersion, other_service: DefinitionVersion,
    departments: dict[str, Department], receiver: Receiver, administrator: Account,
) -> None:  # fmt: skip
    system(departments[HOME], receiver.url, name="Migration system")
    system(departments[OTHER], receiver.url, name="Tax system")
    receiver.status = 503
    with clock.frozen(T0):
        mine = submit(applicant, home_service)
        theirs = submit(applicant, other_service)
        webhooks.deliver_due()
    page = browser(administrator).get("/agency/webhooks/")
    assert page.status_code == 200
    html = page.content.decode()
    assert mine.number in html
    assert "Migration system" in html
    assert theirs.number not in html
    assert "Tax system" not in html
    assert "503" in html
    filtered = browser(administrator).get("/agency/webhooks/", {"status": "delivered"})
    assert mine.number not in filtered.content.decode()
    by_number = browser(administrator).get("/agency/webhooks/", {"number": mine.number})
    assert mine.number in by_number.content.decode()
    assert (
        browser(administrator).get("/agency/webhooks/", {"number": "nonsense"}).status_code == 400
    )


def test_log_page_is_for_agency_administrators_only(
    officer: Account, supervisor: Account, administrator: Account, client: Client,
) -> None:  # fmt: skip
    assert browser(officer).get("/agency/webhooks/").status_code == 403
    assert browser(supervisor).get("/agency/webhooks/").status_code == 403
    assert client.get("/agency/webhooks/").status_code == 302
    assert browser(administrator).post("/agency/webhooks/").status_code == 405


def test_replay_from_the_page(  # noqa: PLR0917 - fixtures
    applicant: Account, home_service: DefinitionVersion, other_service: DefinitionVersion,
    departments: dict[str, Department], receiver: Receiver, administrator: Account,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    system(departments[HOME], receiver.url)
    system(departments[OTHER], receiver.url)
    with clock.frozen(T0):
        mine = submit(applicant, home_service)
        submit(applicant, other_service)
        webhooks.deliver_due()
    assert len(receiver.accepted) == 2
    own = WebhookDelivery.objects.get(application=mine)
    foreign = WebhookDelivery.objects.exclude(application=mine).get()
    admin = browser(administrator)

    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(administrator)
    assert guarded.post(f"/agency/webhooks/{own.pk}/replay/").status_code == 403

    assert admin.post(f"/agency/webhooks/{foreign.pk}/replay/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/agency/webhooks/{own.pk}/replay/", follow=True)
    assert response.status_code == 200
    assert "will be sent again" in response.content.decode()
    own.refresh_from_db()
    assert own.status == "delivered"  # the replay task ran at once (tests' task backend)
    assert len(receiver.accepted) == 3
    assert AuditEntry.objects.get(action="agencies.webhook_replayed").actor_id == str(
        administrator.pk
    )

    # Bulk: needs a period or an application; only the administrator's departments.
    refused = admin.post("/agency/webhooks/replay/", {"replay-status": "delivered"})
    assert refused.status_code == 400
    assert "Choose a period or an application" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/agency/webhooks/replay/",
            {"replay-since": (T0 - dt.timedelta(days=1)).date().isoformat(),
             "replay-until": (T0 + dt.timedelta(days=1)).date().isoformat()},
            follow=True,
        )  # fmt: skip
    assert response.status_code == 200
    assert "Deliveries to send again: 1." in response.content.decode()
    assert len(receiver.accepted) == 4
    foreign.refresh_from_db()
    assert foreign.attempts == 1


def test_a_system_switched_off_after_the_event_gets_nothing_until_replayed(
    applicant: Account, home_service: DefinitionVersion, real_system: AgencySystem,
    receiver: Receiver,
) -> None:  # fmt: skip
    with clock.frozen(T0):
        submit(applicant, home_service)
    AgencySystem.objects.filter(pk=real_system.pk).update(active=False)
    with clock.frozen(T0):
        assert webhooks.deliver_due() == 0
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "inactive" in delivery.last_error
    assert not receiver.requests
    AgencySystem.objects.filter(pk=real_system.pk).update(active=True)
    with clock.frozen(T0 + dt.timedelta(minutes=1)):
        assert webhooks.replay(delivery=delivery)
        assert webhooks.deliver_due() == 1
    assert len(receiver.accepted) == 1


def test_never_signed_with_an_empty_key(
    applicant: Account, home_service: DefinitionVersion, real_system: AgencySystem,
    receiver: Receiver, departments: dict[str, Department],
) -> None:  # fmt: skip
    """A system without a signing secret gets nothing (kept for a replay); a system made
    with a webhook URL gets a random secret; the model refuses a URL without one."""
    AgencySystem.objects.filter(pk=real_system.pk).update(webhook_secret="")
    with clock.frozen(T0):
        submit(applicant, home_service)
        assert webhooks.deliver_due() == 0
    delivery = WebhookDelivery.objects.get()
    assert "signing secret" in delivery.last_error
    assert not receiver.requests
    made = integration.system_create(
        name="Hooked", department_code=departments[HOME].code, webhook_url=receiver.url
    )
    assert len(made.webhook_secret) >= 40
    assert AgencySystem.objects.get(pk=made.system.pk).webhook_secret == made.webhook_secret
    assert integration.system_create(name="Pull", department_code=HOME).webhook_secret == ""
    bare = AgencySystem(name="x", department=departments[HOME], webhook_url=receiver.url)
    with pytest.raises(ValidationError) as refused:
        bare.clean()
    assert "webhook_secret" in refused.value.message_dict
    out = io.StringIO()
    call_command(
        "agency_system", "create", "--name", "Cmd", "--department", HOME,
        "--webhook-url", receiver.url, stdout=out,
    )  # fmt: skip
    assert "webhook_secret: whsec_" in out.getvalue()
    # The admin makes one when the URL is set and the secret left empty.
    from uslugi.agencies.admin import AgencySystemForm

    form = AgencySystemForm(
        data={"name": "Adm", "department": departments[HOME].pk, "webhook_url": receiver.url,
              "webhook_secret": "", "active": "on"}
    )  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.cleaned_data["webhook_secret"].startswith("whsec_")


def test_admin_lists_deliveries_and_replays_them(
    applicant: Account, home_service: DefinitionVersion, real_system: AgencySystem,
    receiver: Receiver, admin_client: Client,
) -> None:  # fmt: skip
    receiver.status = 502
    with clock.frozen(T0):
        application = submit(applicant, home_service)
        webhooks.deliver_due()
    delivery = WebhookDelivery.objects.get()
    listing = admin_client.get("/admin/agencies/webhookdelivery/", {"status": "pending"})
    assert listing.status_code == 200
    assert application.number in listing.content.decode()
    page = admin_client.get(f"/admin/agencies/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    response = admin_client.post(
        "/admin/agencies/webhookdelivery/",
        {"action": "replay", "_selected_action": [str(delivery.pk)]},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert AuditEntry.objects.filter(action="agencies.webhook_replayed").count() == 1
