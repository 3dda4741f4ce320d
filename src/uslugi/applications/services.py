"""Submitting applications, moving them through their lifecycle, delivering them.

Exactly once: a submission locks the draft row and an application is unique per draft
and per (person, idempotency key), so a double click, two tabs, a retried POST or an API
call repeated with the same `Idempotency-Key` all give the one application. Delivery to
the agency is an outbox on the application row (`delivery_due_at`), claimed with a
conditional UPDATE, retried with backoff until the agency takes it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import structlog
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import translation

from uslugi.applications import numbers
from uslugi.applications.constants import Actor, AttachmentKind, Status, allowed
from uslugi.applications.errors import (
    AnswersIncomplete,
    ApplicationNotFound,
    EventIdReused,
    LevelTooLow,
    NotAnApplicationService,
    TransitionRefused,
)
from uslugi.applications.models import Application, Attachment, Event, NumberSequence
from uslugi.applications.signals import application_event
from uslugi.applications.transport import DeliveryFailed, transport
from uslugi.catalog import selectors as catalog_selectors
from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.core.errors import DomainError
from uslugi.forms import engine
from uslugi.forms import services as forms_services
from uslugi.forms.models import Draft, Upload
from uslugi.forms.routing import agency_payload, department_for, office_for
from uslugi.identity.assurance import Decision, Requirement, account_may_use
from uslugi.notifications.services import notify

log = structlog.get_logger(__name__)

DELIVERY_LEASE = dt.timedelta(minutes=2)
DELIVERY_BACKOFF_MAX = dt.timedelta(hours=1)
DELIVERY_BACKOFF_BASE_S = 15

# Which notification an application's new status sends.
_EVENTS: dict[str, str] = {
    Status.SUBMITTED: "application.submitted",
    Status.INFO_REQUESTED: "application.information_requested",
    Status.APPROVED: "application.result_ready",
    Status.REFUSED: "application.result_ready",
}


def requirement_for(document: dict[str, Any]) -> Requirement:
    return Requirement.parse(document.get("account_level", "standard"))


def may_submit(account: Any, document: dict[str, Any]) -> Decision:
    return account_may_use(account, requirement_for(document))


def _next_number(year: int) -> str:
    """The next number of the year; the sequence row is locked until the caller commits."""
    NumberSequence.objects.get_or_create(year=year)
    sequence = NumberSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return numbers.format_number(year, sequence.last)


def _event(
    application: Application,
    *,
    status: str,
    previous: str,
    actor: str,
    actor_account: Any = None,
    comment: str = "",
    external_id: str = "",
) -> Event:
    event = Event.objects.create(
        application=application,
        status=status,
        previous=previous,
        actor=actor,
        actor_account=actor_account,
        comment=comment,
        external_id=external_id,
    )
    application_event.send(sender=Event, event=event)
    notification = _EVENTS.get(status) or ("application.status_changed" if previous else "")
    if notification:
        # Texts in the recipient's language (accounts have none yet: the portal's), never
        # in the language of whoever made the change.
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "number": application.number,
                "service": application.title,
                "status": str(Status(status).label),
                "agency": _agency_name(application.department_code),
                "comment": comment if status in {Status.INFO_REQUESTED, Status.REFUSED} else "",
            }
        notify(
            event=notification,
            recipient=application.account,
            event_id=f"application-event:{event.pk}",
            context=context,
            link=reverse("applications:detail", args=[application.pk]),
        )
    return event


def _agency_name(department_code: str) -> str:
    """The department's short name in the active language, or its code."""
    if not department_code:
        return ""
    try:
        department = catalog_selectors.department_get(code=department_code)
    except DomainError:
        return department_code
    return str(department.short_name or department.name or department_code)


@dataclass(frozen=True)
class Submitted:
    application: Application
    created: bool


def application_submit(*, account: Any, draft: Draft, idempotency_key: str) -> Submitted:
    """Submit a draft as an application, exactly once (see the module's docstring)."""
    key = (idempotency_key or f"draft:{draft.pk}")[:80]
    existing = _existing(account=account, draft_id=draft.pk, key=key)
    if existing is not None:
        return Submitted(existing, created=False)
    version = draft.version
    document = version.document
    if document["kind"] != "application":
        raise NotAnApplicationService()
    decision = may_submit(account, document)
    if not decision:
        raise LevelTooLow(decision.reason)
    try:
        with transaction.atomic():
            locked = Draft.objects.select_for_update().filter(pk=draft.pk, account=account).first()
            if locked is None:  # submitted meanwhile (another tab, a retried POST)
                existing = _existing(account=account, draft_id=draft.pk, key=key)
                if existing is None:
                    raise ApplicationNotFound()
                return Submitted(existing, created=False)
            answers = dict(locked.data)
            problems = engine.validate_answers(
                version.localized(),
                answers,
                locked=dict(locked.locked),
                sources=dict(locked.sources),
            )
            if problems:
                raise AnswersIncomplete()
            now = clock.now()
            department_code = department_for(document, answers)
            office_code, region_code = _whereabouts(department_code, office_for(document, answers))
            application = Application.objects.create(
                number=_next_number(now.year),
                account=account,
                version=version,
                service_code=version.definition.code,
                title=str(version.localized("ru")["title"])[:300],
                is_test=locked.is_test,
                status=Status.SUBMITTED,
                department_code=department_code,
                office_code=office_code,
                region_code=region_code,
                answers=cast(Any, answers),
                payload=cast(Any, agency_payload(document, answers)),
                draft_id=locked.pk,
                idempotency_key=key,
                submitted_at=now,
                status_changed_at=now,
                delivery_due_at=now,
            )
            for upload in forms_services.draft_release(draft=locked):
                Attachment.objects.create(
                    application=application, upload=upload, kind=AttachmentKind.APPLICANT
                )
            _event(application, status=Status.SUBMITTED, previous="", actor=Actor.APPLICANT,
                   actor_account=account)  # fmt: skip
            audit_record(
                action="applications.submitted",
                actor=account,
                obj=application,
                details={
                    "number": application.number,
                    "service": application.service_code,
                    "version": version.number,
                    "test": application.is_test,
                    "department": application.department_code,
                    "office": application.office_code,
                },
            )
            transaction.on_commit(lambda: _deliver_soon(application.pk))
    except IntegrityError:
        # A concurrent submission of the same draft or key won the race.
        existing = _existing(account=account, draft_id=draft.pk, key=key)
        if existing is None:
            raise
        return Submitted(existing, created=False)
    return Submitted(application, created=True)


def _whereabouts(department_code: str, office_code: str) -> tuple[str, str]:
    """(office code, region code) of a new application: the office its answers chose, if
    the catalogue has it, and the region of that office, else of a regional department."""
    office = catalog_selectors.office_by_code(office_code)
    if office is not None:
        return str(office.code), office.region.code
    if department_code:
        try:
            department = catalog_selectors.department_get(code=department_code)
        except DomainError:
            return "", ""
        if department.region is not None:
            return "", department.region.code
    return "", ""


def _existing(*, account: Any, draft_id: Any, key: str) -> Application | None:
    return (
        Application.objects.filter(account=account, draft_id=draft_id).first()
        or Application.objects.filter(account=account, idempotency_key=key).first()
    )


def _deliver_soon(application_id: Any) -> None:
    from uslugi.applications.tasks import deliver

    deliver.enqueue(str(application_id))


def event_same(event: Event, *, status: str, comment: str = "") -> None:
    """An event recorded under an external id, asked for again: the same event (fine), or
    another one under the same id (EventIdReused, never silently dropped)."""
    if event.status != status or str(event.comment or "").strip() != (comment or "").strip():
        raise EventIdReused(field="event_id")


class Moved(NamedTuple):
    """A transition's outcome: the application, its event, and whether the event is new
    (False: the same external id again, nothing changed)."""

    application: Application
    event: Event
    created: bool


def transition(
    *,
    application: Application,
    target: str,
    actor: str,
    actor_account: Any = None,
    comment: str = "",
    external_id: str = "",
) -> Moved:
    """Move an application along its lifecycle, or refuse (TransitionRefused).

    An `external_id` (an agency system's event id) makes the call idempotent: the same
    id again returns the event already recorded and changes nothing (another event under
    that id is EventIdReused).
    """
    with transaction.atomic():
        current = Application.objects.select_for_update().filter(pk=application.pk).first()
        if current is None:
            raise ApplicationNotFound()
        if external_id:
            seen = Event.objects.filter(application=current, external_id=external_id).first()
            if seen is not None:  # under the row lock: a concurrent twin is seen here
                event_same(seen, status=target, comment=comment)
                return Moved(current, seen, created=False)
        if not allowed(current.status, target, actor):
            raise TransitionRefused(
                params={
                    "source": str(Status(current.status).label),
                    "target": str(Status(target).label),
                }
            )
        previous = current.status
        current.status = target
        current.status_changed_at = clock.now()
        current.save(update_fields=["status", "status_changed_at"])
        event = _event(
            current,
            status=target,
            previous=previous,
            actor=actor,
            actor_account=actor_account,
            comment=comment,
            external_id=external_id,
        )
        audit_record(
            action="applications.status_changed",
            actor=actor_account,
            obj=current,
            details={"from": previous, "to": target, "by": actor},
        )
    return Moved(current, event, created=True)


def cancel(*, application: Application, account: Any) -> Application:
    """The applicant cancels (allowed until the agency accepts)."""
    if application.account_id != account.pk:
        raise ApplicationNotFound()
    return transition(
        application=application, target=Status.CANCELLED, actor=Actor.APPLICANT,
        actor_account=account,
    ).application  # fmt: skip


def reply(
    *, application: Application, account: Any, text: str, uploads: list[Upload] | None = None
) -> Event:
    """The applicant answers the agency's request for information (text and files)."""
    if application.account_id != account.pk:
        raise ApplicationNotFound()
    with transaction.atomic():
        event = transition(
            application=application,
            target=Status.INFO_PROVIDED,
            actor=Actor.APPLICANT,
            actor_account=account,
            comment=text,
        ).event
        for upload in uploads or []:
            Attachment.objects.create(
                application=application, upload=upload, kind=AttachmentKind.REPLY, event=event
            )
    return event


def agency_act(
    *,
    application: Application,
    target: str,
    comment: str = "",
    results: list[Upload] | None = None,
    actor_account: Any = None,
    external_id: str = "",
) -> Moved:
    """What the agency does (back office, integration API): a status with its comment and,
    for a completion, result documents. The same external id again changes nothing: its
    result documents are those of the first time (different ones, or a different status
    or comment, are EventIdReused)."""
    with transaction.atomic():
        moved = transition(
            application=application,
            target=target,
            actor=Actor.AGENCY,
            actor_account=actor_account,
            comment=comment,
            external_id=external_id,
        )
        if not moved.created:
            kept = set(moved.event.attachments.values_list("upload_id", flat=True))
            if kept != {upload.pk for upload in results or []}:
                raise EventIdReused(field="event_id")
            return moved
        for upload in results or []:
            Attachment.objects.create(
                application=moved.application, upload=upload, kind=AttachmentKind.RESULT,
                event=moved.event,
            )  # fmt: skip
    return moved


# --- Delivery ----------------------------------------------------------------------------------


def _backoff(attempts: int) -> dt.timedelta:
    seconds = min(
        DELIVERY_BACKOFF_BASE_S * 2 ** max(attempts - 1, 0), DELIVERY_BACKOFF_MAX.total_seconds()
    )
    return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 - jitter


def deliver(application_id: Any) -> bool:
    """Try to hand one application to its agency; True once it is delivered."""
    now = clock.now()
    claimed = Application.objects.filter(
        pk=application_id, status=Status.SUBMITTED, delivery_due_at__lte=now
    ).update(delivery_due_at=now + DELIVERY_LEASE, delivery_attempts=F("delivery_attempts") + 1)
    if not claimed:
        return False  # delivered, cancelled, not due, or another worker has it
    application = Application.objects.get(pk=application_id)
    try:
        reference = transport()(application)
    except DeliveryFailed as exc:
        Application.objects.filter(pk=application_id, status=Status.SUBMITTED).update(
            delivery_due_at=clock.now() + _backoff(application.delivery_attempts),
            delivery_error=str(exc)[:300],
        )
        log.warning(
            "applications.delivery_failed",
            application=str(application_id),
            attempts=application.delivery_attempts,
        )
        return False
    with transaction.atomic():
        current = Application.objects.select_for_update().get(pk=application_id)
        if current.status != Status.SUBMITTED:
            return False
        current.delivered_at = clock.now()
        current.delivery_reference = reference[:120]
        current.delivery_due_at = None
        current.delivery_error = ""
        current.save(
            update_fields=[
                "delivered_at",
                "delivery_reference",
                "delivery_due_at",
                "delivery_error",
            ]
        )
        transition(application=current, target=Status.DELIVERED, actor=Actor.SYSTEM)
    log.info("applications.delivered", application=str(application_id))
    return True


def deliver_due(*, limit: int = 100) -> int:
    """Deliver every application whose next attempt is due; how many were delivered."""
    due = list(
        Application.objects.filter(status=Status.SUBMITTED, delivery_due_at__lte=clock.now())
        .order_by("delivery_due_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if deliver(pk))
