"""Push mode: webhooks to agency systems about their applications.

An application's event (`applications.signals.application_event`, sent inside the
transaction that records it) becomes one `WebhookDelivery` row per active agency system
of the application's department that has a webhook URL — test applications only to test
systems, real ones only to real systems — in the same transaction: if it rolls back, no
webhook. After the commit a task tries each new row at once; the periodic job
`deliver_due` retries the rest.

A row is claimed with a conditional UPDATE (pending, or sending with an expired lease,
and due → sending), so two workers never send one delivery twice. A 2xx answer delivers
it; any other answer or a connection error puts it back to pending with exponential
backoff and jitter (30 s doubling, at most an hour) until `give_up_at` (created +
`AGENCY_WEBHOOK_RETRY_HOURS`), then it is failed. Deliveries of one application to one
system go out in the order of their events: a delivery waits while an earlier one of
the same pair is still pending or sending.

Replay (one delivery, or in bulk by application, time range and status) puts deliveries
back to pending with the attempts reset and a new retry window; every replay is audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import httpx
import structlog
from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from uslugi.agencies.constants import WEBHOOK_SECRET_MIN
from uslugi.agencies.models import AgencySystem, WebhookDelivery
from uslugi.applications.constants import Status
from uslugi.applications.models import Application, Event
from uslugi.catalog.models import Department
from uslugi.core import clock
from uslugi.core.audit import audit_record

log = structlog.get_logger(__name__)

SIGNATURE_HEADER = "X-Uslugi-Signature"
TIMESTAMP_HEADER = "X-Uslugi-Timestamp"
EVENT_ID_HEADER = "X-Uslugi-Event-Id"

EVENT_DELIVERED = "application.delivered"
EVENT_STATUS_CHANGED = "application.status_changed"

BACKOFF_BASE_S = 30
BACKOFF_MAX_S = 3600
# A claimed row not finished by then (the worker died) may be claimed again; longer than
# the HTTP timeout so a slow answer is never sent twice.
SENDING_LEASE = dt.timedelta(minutes=2)
HTTP_TIMEOUT_S = 10.0


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


_OPEN = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


def retry_window() -> dt.timedelta:
    return dt.timedelta(hours=settings.AGENCY_WEBHOOK_RETRY_HOURS)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: doubling from 30 s, at most 1 h,
    less up to 20 % of jitter, so retries to a receiver coming back are spread out."""
    seconds = min(BACKOFF_BASE_S * 2 ** min(max(attempts - 1, 0), 20), BACKOFF_MAX_S)
    return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.0))  # noqa: S311 - jitter


# --- Signing ------------------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the system's secret."""
    message = timestamp.encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (also documented in docs/agencies.md)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


# --- Enqueueing ---------------------------------------------------------------------------------


def _event_type(event: Event) -> str:
    """Which webhook an application event is, or "" for none.

    The agency hears of an application when it is delivered to it, and then of every
    later change; what happens before delivery (submission, a cancellation before
    delivery) is not the agency's business.
    """
    if event.status == Status.DELIVERED:
        return EVENT_DELIVERED
    if event.previous and event.application.delivered_at is not None:
        return EVENT_STATUS_CHANGED
    return ""


def payload_of(event: Event, kind: str) -> dict[str, Any]:
    application = event.application
    return {
        "event_id": str(event.pk),
        "type": kind,
        "application": {
            "id": str(application.pk),
            "number": application.number,
            "service_code": application.service_code,
            "status": event.status,
            "submitted_at": application.submitted_at.isoformat(),
        },
        "occurred_at": event.created_at.isoformat(),
    }


def _department_and_parents(code: str) -> list[str]:
    """The department's code and its parents' (a system of МВД serves ГИБДД's too), as the
    integration API's scope does (a system sees its department's subtree)."""
    codes: list[str] = []
    rows = dict(Department.objects.filter(code=code).values_list("code", "parent__code")[:1])
    current: str | None = code if rows else None
    while current and current not in codes and len(codes) < 10:
        codes.append(current)
        current = rows.get(current)
        if current and current not in rows:
            rows.update(
                Department.objects.filter(code=current).values_list("code", "parent__code")[:1]
            )
    return codes or [code]


def systems_for(application: Application) -> QuerySet[AgencySystem]:
    """Active systems with a webhook URL of the application's department or a department
    above it, of the same kind (test or real) as the application."""
    return AgencySystem.objects.filter(
        active=True,
        department__code__in=_department_and_parents(application.department_code),
        is_test=application.is_test,
    ).exclude(webhook_url="")


def enqueue(event: Event) -> list[WebhookDelivery]:
    """Webhook rows for this event (in the caller's transaction); tried after the commit."""
    kind = _event_type(event)
    application = event.application
    if not kind or not application.department_code:
        return []
    created = []
    now = clock.now()
    for system in systems_for(application):
        # Deliveries of one pair go out in creation order: keep created_at strictly
        # increasing per pair even when the clock stands still (tests, fast transitions).
        last = (
            WebhookDelivery.objects.filter(system=system, application=application)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        created_at = max(now, last + dt.timedelta(microseconds=1)) if last else now
        created.append(
            WebhookDelivery.objects.create(
                system=system,
                application=application,
                event=kind,
                payload=cast(Any, payload_of(event, kind)),
                status=DeliveryStatus.PENDING,
                next_attempt_at=now,
                give_up_at=now + retry_window(),
                created_at=created_at,
            )
        )
    if created:
        ids = [str(delivery.pk) for delivery in created]
        transaction.on_commit(lambda: _deliver_soon(ids))
    return created


def _deliver_soon(ids: Iterable[str]) -> None:
    from uslugi.agencies.tasks import deliver_webhook

    for delivery_id in ids:
        deliver_webhook.enqueue(delivery_id)


def on_application_event(sender: Any, event: Event, **kwargs: Any) -> None:
    """Receiver of `applications.signals.application_event` (connected in apps.py)."""
    enqueue(event)


# --- Delivering ---------------------------------------------------------------------------------


def _earlier_open(*, system_id: Any, application_id: Any, created_at: Any) -> QuerySet[Any]:
    """Earlier deliveries of the same application to the same system still open (values
    of a row, or `OuterRef`s for a subquery)."""
    return WebhookDelivery.objects.filter(
        system_id=system_id,
        application_id=application_id,
        status__in=_OPEN,
        created_at__lt=created_at,
    )


def due(now: dt.datetime) -> QuerySet[WebhookDelivery]:
    """Open deliveries whose attempt is due and which wait for no earlier one, oldest first."""
    return (
        WebhookDelivery.objects.filter(status__in=_OPEN, next_attempt_at__lte=now)
        .exclude(
            Exists(
                _earlier_open(
                    system_id=OuterRef("system_id"),
                    application_id=OuterRef("application_id"),
                    created_at=OuterRef("created_at"),
                )
            )
        )
        .order_by("created_at")
    )


def _claim(delivery_id: Any, now: dt.datetime) -> bool:
    """pending (or sending with an expired lease) and due → sending; one winner."""
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, status__in=_OPEN, next_attempt_at__lte=now
        ).update(
            status=DeliveryStatus.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + SENDING_LEASE,
            updated_at=now,
        )
    )


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


_client: httpx.Client | None = None


def _http() -> httpx.Client:
    """One client per process: its connection pool and TLS context are reused (making a
    TLS context costs tens of milliseconds); httpx clients are thread-safe."""
    global _client  # noqa: PLW0603 - a lazily made process-wide pool
    if _client is None:
        _client = httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=False)
    return _client


def post(system: AgencySystem, payload: dict[str, Any]) -> Outcome:
    """One signed POST; never raises for the receiver's failures."""
    if not (system.active and system.webhook_url):
        # Switched off or its URL removed after the event: kept for a replay later.
        return Outcome(None, "the system is inactive or has no webhook URL")
    if len(system.webhook_secret or "") < WEBHOOK_SECRET_MIN:
        # Never signed with an empty (forgeable) key: kept for a replay once it has one.
        return Outcome(None, "the system has no webhook signing secret")
    body = body_of(payload)
    timestamp = str(int(clock.now().timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Uslugi-Webhooks/1",
        SIGNATURE_HEADER: sign(system.webhook_secret, timestamp, body),
        TIMESTAMP_HEADER: timestamp,
        EVENT_ID_HEADER: str(payload.get("event_id", "")),
    }
    try:
        response = _http().post(system.webhook_url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:300])
    if 200 <= response.status_code < 300:
        return Outcome(response.status_code, "")
    return Outcome(response.status_code, f"HTTP {response.status_code}")


def deliver(delivery_id: Any) -> bool:
    """Try one delivery if it is due, claimed by us and not waiting for an earlier one;
    True once it is delivered."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id, status__in=_OPEN).first()
    if delivery is None:
        return False
    if _earlier_open(
        system_id=delivery.system_id,
        application_id=delivery.application_id,
        created_at=delivery.created_at,
    ).exists():
        return False
    now = clock.now()
    if not _claim(delivery_id, now):
        return False  # not due, finished, or another worker has it
    # Read again after the claim: the row is ours now, with this attempt's number.
    delivery = WebhookDelivery.objects.select_related("system").get(pk=delivery_id)
    attempts = delivery.attempts
    outcome = post(delivery.system, delivery.payload)
    finished = clock.now()
    mine = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.SENDING, attempts=attempts
    )
    if outcome.ok:
        mine.update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=finished,
            next_attempt_at=None,
            last_status_code=outcome.status_code,
            last_error="",
            updated_at=finished,
        )
        # The next deliveries of this pair waited for this one: due now.
        WebhookDelivery.objects.filter(
            system_id=delivery.system_id,
            application_id=delivery.application_id,
            status=DeliveryStatus.PENDING,
            next_attempt_at__gt=finished,
        ).update(next_attempt_at=finished)
        log.info("agencies.webhook_delivered", delivery=str(delivery_id), attempts=attempts)
        return True
    give_up_at = delivery.give_up_at or (delivery.created_at + retry_window())
    if finished >= give_up_at:
        mine.update(
            status=DeliveryStatus.FAILED,
            next_attempt_at=None,
            last_status_code=outcome.status_code,
            last_error=outcome.error,
            updated_at=finished,
        )
        log.warning("agencies.webhook_failed", delivery=str(delivery_id), attempts=attempts)
        return False
    mine.update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=min(finished + backoff(attempts), give_up_at),
        last_status_code=outcome.status_code,
        last_error=outcome.error,
        updated_at=finished,
    )
    log.info("agencies.webhook_retry", delivery=str(delivery_id), attempts=attempts)
    return False


def deliver_due(*, limit: int = 200) -> int:
    """Try every due delivery, oldest first (the periodic job); how many were delivered.

    Rounds repeat while they deliver something, so the later events of a pair that
    waited for an earlier one go out in the same run.
    """
    delivered = 0
    tried: set[Any] = set()
    while len(tried) < limit:
        batch = [
            pk for pk in due(clock.now()).values_list("pk", flat=True)[:limit] if pk not in tried
        ][: limit - len(tried)]
        if not batch:
            break
        progress = 0
        for pk in batch:
            tried.add(pk)
            if deliver(pk):
                progress += 1
        delivered += progress
        if not progress:
            break  # what failed waits for its backoff, what waits for it for the next run
    return delivered


# --- Replay -------------------------------------------------------------------------------------


def _replayable(deliveries: QuerySet[WebhookDelivery]) -> QuerySet[WebhookDelivery]:
    # A delivery being sent right now is left alone: resetting it could send it twice.
    return deliveries.exclude(status=DeliveryStatus.SENDING)


def _reset(deliveries: QuerySet[WebhookDelivery]) -> int:
    now = clock.now()
    return deliveries.update(
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        give_up_at=now + retry_window(),
        last_error="",
        delivered_at=None,
        updated_at=now,
    )


def replay(*, delivery: WebhookDelivery, actor: Any = None) -> bool:
    """Send one delivery again (attempts reset, a new retry window); audited."""
    with transaction.atomic():
        count = _reset(_replayable(WebhookDelivery.objects.filter(pk=delivery.pk)))
        if count:
            audit_record(
                action="agencies.webhook_replayed",
                actor=actor,
                obj=delivery,
                details={
                    "system": str(delivery.system_id),
                    "application": str(delivery.application_id),
                    "event": delivery.event,
                    "previous_status": delivery.status,
                },
            )
    if count:
        transaction.on_commit(lambda: _deliver_soon([str(delivery.pk)]))
    return bool(count)


@dataclass(frozen=True)
class Selection:
    """Which deliveries a bulk replay takes (every criterion optional, all must hold)."""

    department_codes: frozenset[str] | None = None  # None: every department
    application_number: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    status: str = ""  # "" any (except sending)

    def describe(self) -> dict[str, Any]:
        return {
            "departments": sorted(self.department_codes)
            if self.department_codes is not None
            else "all",
            "application": self.application_number,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "status": self.status,
        }


def selected(selection: Selection) -> QuerySet[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.all()
    if selection.department_codes is not None:
        deliveries = deliveries.filter(system__department__code__in=selection.department_codes)
    if selection.application_number:
        deliveries = deliveries.filter(application__number=selection.application_number)
    if selection.since is not None:
        deliveries = deliveries.filter(created_at__gte=selection.since)
    if selection.until is not None:
        deliveries = deliveries.filter(created_at__lt=selection.until)
    if selection.status:
        deliveries = deliveries.filter(status=selection.status)
    return deliveries


def replay_bulk(*, selection: Selection, actor: Any = None) -> int:
    """Send the selected deliveries again (in their original order); one audit entry."""
    with transaction.atomic():
        ids = [str(pk) for pk in _replayable(selected(selection)).values_list("pk", flat=True)]
        count = _reset(WebhookDelivery.objects.filter(pk__in=ids)) if ids else 0
        audit_record(
            action="agencies.webhooks_replayed",
            actor=actor,
            object_type="agencies.webhookdelivery",
            details={**selection.describe(), "count": count},
        )
    if ids:
        transaction.on_commit(lambda: _deliver_soon(ids))
    return count


def log_for(*, department_codes: Iterable[str]) -> QuerySet[WebhookDelivery]:
    """The delivery log of these departments' systems, newest first (one query a page)."""
    return (
        WebhookDelivery.objects.filter(system__department__code__in=list(department_codes))
        .select_related("system", "application")
        .order_by("-created_at")
    )
