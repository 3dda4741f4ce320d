"""Commands of the notifications app: notify, deliver, sweep, read, preferences.

How a notification travels (see docs/notifications.md):

1. `notify()` runs in the caller's transaction: it renders the texts and writes one
   `Notification` per channel the person's preferences allow (the inbox one is delivered
   there and then). If the caller's transaction rolls back, the rows go with it.
2. The delivery tasks are queued so that they exist only if the transaction commits.
3. `notification_deliver()` (in a task) claims a row with a conditional UPDATE
   pending → sending, so a task that runs twice sends once; it marks the row sent, or
   pending again after a pause that doubles with each attempt, or failed after the last.
4. `notifications_sweep()` (periodically) queues rows pending well past their time (a
   crash between commit and queueing, a lost task) and releases rows a dead worker left
   in "sending".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog
from django.db import transaction
from django.db.models import F

from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.notifications import channels, conf, events, rendering, selectors
from uslugi.notifications.constants import OUTBOUND, Channel, Outcome, SkipReason, Status
from uslugi.notifications.models import DeliveryAttempt, Notification, NotificationTemplate

log = structlog.get_logger(__name__)

EVENT_ID_MAX = 128
SWEEP_BATCH = 500
STOPPED_WHILE_SENDING = "worker stopped while sending"


def language_of(account: Any) -> str:
    """The account's language if it has one that the portal speaks, else the default."""
    from django.conf import settings

    language = getattr(account, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _check_link(link: str) -> None:
    # A path on this portal: an absolute or protocol-relative URL would make the
    # inbox an open redirect.
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise ValueError("notify(link=...) must be a path on this portal, like '/account/'")


def notify(
    *, event: str, recipient: Any, event_id: str, context: dict[str, Any], link: str = ""
) -> None:
    """Notify a person of an event on every channel their preferences allow, once.

    Call it inside the transaction that makes the event happen: nothing is sent unless it
    commits. `event_id` identifies the occurrence (e.g. f"status:{status_event.pk}"): a
    second call with the same id, recipient and channel adds nothing. `context` holds plain
    values only (text, numbers, dates, lists, dicts): it is rendered into the texts now and
    not kept. `link` is a path on the portal that the inbox opens and messages point to.
    """
    spec = events.get(event)
    if not event_id or len(event_id) > EVENT_ID_MAX:
        raise ValueError(f"notify(event_id=...) must be 1 to {EVENT_ID_MAX} characters")
    _check_link(link)
    rendering.check_context(context)
    language = language_of(recipient)
    values = {**context, "link": f"{conf.site_url()}{link}" if link else ""}
    now = clock.now()
    rows = []
    for channel in selectors.channels_for(recipient, spec):
        plugin = channels.get(channel)
        if plugin is None or not plugin.address(recipient):
            continue  # no email or phone on the account: nothing to send there
        text = rendering.render(event=event, channel=channel, language=language, context=values)
        if text is None:
            log.warning("notifications.no_template", event_name=event, channel=channel)
            continue
        inbox = channel == Channel.INBOX
        rows.append(
            Notification(
                recipient=recipient,
                event=event,
                event_id=event_id,
                channel=channel,
                language=language,
                template_id=text.template_id,
                subject=text.subject,
                body=text.body,
                link=link,
                status=Status.SENT if inbox else Status.PENDING,
                sent_at=now if inbox else None,
                next_attempt_at=None if inbox else now,
            )
        )
    if not rows:
        return
    # A repeated event id is skipped by the database (no error that would break the
    # caller's transaction on PostgreSQL); a task queued for a row that was not inserted
    # finds nothing to do.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    _enqueue([str(row.pk) for row in rows if row.channel in OUTBOUND])


def _enqueue(ids: Iterable[str], *, run_after: dt.datetime | None = None) -> None:
    """Queue delivery tasks so that they exist only if the current transaction commits.

    With the database task backend the task rows are written in the caller's transaction
    (the transactional outbox, as the exchange does). Any other backend, e.g. the tests'
    immediate one that runs a task as soon as it is queued, gets them after the commit.
    A crash in between is what `notifications_sweep()` is for.
    """
    from django_tasks_db.backend import DatabaseBackend

    from uslugi.notifications.tasks import deliver

    ids = list(ids)
    if not ids:
        return
    task = deliver
    backend = task.get_backend()
    if run_after is not None:
        if not backend.supports_defer:
            return  # the sweeper finds it when it is due
        task = task.using(run_after=run_after)

    def enqueue() -> None:
        for notification_id in ids:
            task.enqueue(notification_id)

    if isinstance(backend, DatabaseBackend):
        enqueue()
    else:
        # robust: the caller's change is committed; a failure here is logged by Django,
        # not raised into the caller, and the sweeper retries the row.
        transaction.on_commit(enqueue, robust=True)


# --- Delivery ----------------------------------------------------------------------------


def notification_deliver(*, notification_id: str) -> str:
    """Send one pending notification if it is due; returns what happened.

    The claim is one conditional UPDATE, so of two workers (or a task run twice) one sends
    and the other gets "not_due". Sending happens outside any transaction.
    """
    started = clock.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Status.PENDING, next_attempt_at__lte=started
    ).update(
        status=Status.SENDING, claimed_at=started, attempts=F("attempts") + 1, updated_at=started
    )
    if not claimed:
        return "not_due"
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    plugin = channels.get(notification.channel)
    address = plugin.address(notification.recipient) if plugin is not None else None
    if plugin is None or not address or _over_rate_limit(notification, started):
        reason = (
            SkipReason.NO_CHANNEL
            if plugin is None
            else SkipReason.NO_ADDRESS
            if not address
            else SkipReason.RATE_LIMITED
        )
        return _skip(notification, started, reason)
    try:
        reference = plugin.send(
            address=address, subject=str(notification.subject), body=str(notification.body)
        )
    except channels.ChannelError as exc:
        return _failed(notification, started, str(exc))
    except Exception as exc:  # noqa: BLE001 - any plugin failure is a failed attempt
        # Only the class name: an exception's message may quote an address or the text.
        return _failed(notification, started, f"unexpected error: {type(exc).__name__}")
    finished = clock.now()
    _finish(
        notification,
        status=Status.SENT,
        sent_at=finished,
        reference=(reference or "")[:100],
        last_error="",
    )
    _attempt(notification, started, finished, Outcome.SENT)
    log.info(
        "notifications.sent",
        notification=notification_id,
        event_name=notification.event,
        channel=notification.channel,
        attempt=notification.attempts,
    )
    return "sent"


def _finish(notification: Notification, **changes: Any) -> bool:
    """Write the outcome, if the row is still ours (a released claim is not)."""
    changes["updated_at"] = clock.now()
    return bool(
        Notification.objects.filter(
            pk=notification.pk, status=Status.SENDING, claimed_at=notification.claimed_at
        ).update(**changes)
    )


def _attempt(
    notification: Notification,
    started: dt.datetime,
    finished: dt.datetime,
    outcome: Outcome,
    error: str = "",
) -> None:
    DeliveryAttempt.objects.create(
        notification=notification,
        number=notification.attempts,
        started_at=started,
        finished_at=finished,
        outcome=outcome,
        error=error[:300],
    )


def _skip(notification: Notification, started: dt.datetime, reason: SkipReason) -> str:
    finished = clock.now()
    _finish(notification, status=Status.SKIPPED, skip_reason=reason, next_attempt_at=None)
    _attempt(notification, started, finished, Outcome.SKIPPED, str(reason.label))
    log.warning(
        "notifications.skipped",
        notification=str(notification.pk),
        event_name=notification.event,
        channel=notification.channel,
        reason=reason.value,
    )
    return f"skipped:{reason.value}"


def _failed(notification: Notification, started: dt.datetime, error: str) -> str:
    finished = clock.now()
    error = error[:300]
    _attempt(notification, started, finished, Outcome.ERROR, error)
    if notification.attempts >= conf.max_attempts():
        _finish(notification, status=Status.FAILED, last_error=error, next_attempt_at=None)
        log.error(
            "notifications.failed",
            notification=str(notification.pk),
            event_name=notification.event,
            channel=notification.channel,
            attempts=notification.attempts,
            error=error,
        )
        return "failed"
    retry_at = finished + conf.retry_delay(notification.attempts)
    if _finish(notification, status=Status.PENDING, last_error=error, next_attempt_at=retry_at):
        _enqueue([str(notification.pk)], run_after=retry_at)
    log.warning(
        "notifications.retry",
        notification=str(notification.pk),
        event_name=notification.event,
        channel=notification.channel,
        attempt=notification.attempts,
        retry_at=retry_at.isoformat(),
        error=error,
    )
    return "retry"


def _over_rate_limit(notification: Notification, now: dt.datetime) -> bool:
    limit = conf.rate_limit(notification.channel)
    if limit is None:
        return False
    sent = (
        Notification.objects.filter(
            recipient_id=notification.recipient_id,
            channel=notification.channel,
            status=Status.SENT,
            sent_at__gt=now - dt.timedelta(hours=1),
        )
        .exclude(pk=notification.pk)
        .count()
    )
    return sent >= limit


@dataclass
class SweepReport:
    queued: list[str] = field(default_factory=list)
    released: int = 0
    failed: int = 0


def notifications_sweep(*, now: dt.datetime | None = None) -> SweepReport:
    """Queue again what should have been sent by now; release claims of dead workers.

    Call it every minute or so (`uslugi notifications sweep --loop`, or the `sweep` task).
    """
    now = now or clock.now()
    report = SweepReport()
    stale = now - conf.sending_lease()
    # A worker that claimed a message and vanished: the attempt counts; it may or may not
    # have reached the provider, so this is the one case that can send twice.
    stuck = Notification.objects.filter(status=Status.SENDING, claimed_at__lt=stale)
    report.failed = stuck.filter(attempts__gte=conf.max_attempts()).update(
        status=Status.FAILED, last_error=STOPPED_WHILE_SENDING, updated_at=now
    )
    released = [str(pk) for pk in stuck.values_list("pk", flat=True)[:SWEEP_BATCH]]
    report.released = Notification.objects.filter(pk__in=released, status=Status.SENDING).update(
        status=Status.PENDING, next_attempt_at=now, last_error=STOPPED_WHILE_SENDING, updated_at=now
    )
    due = Notification.objects.filter(
        status=Status.PENDING, next_attempt_at__lte=now - conf.sweep_after()
    ).order_by("next_attempt_at")
    report.queued = [str(pk) for pk in due.values_list("pk", flat=True)[:SWEEP_BATCH]]
    report.queued += released
    if report.queued:
        log.info("notifications.sweep", queued=len(report.queued), released=report.released)
        _enqueue(report.queued)
    return report


# --- The inbox -----------------------------------------------------------------------------


def notification_read(*, account: Any, notification_id: object) -> Notification:
    """Mark one of the person's inbox notifications read (NotificationNotFound otherwise)."""
    notification = selectors.notification_of(account, notification_id)
    if notification.read_at is None:
        notification.read_at = clock.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_read_all(*, account: Any) -> int:
    """Mark every unread inbox notification of the person read; returns how many."""
    return selectors.inbox(account).filter(read_at__isnull=True).update(read_at=clock.now())


# --- Preferences ---------------------------------------------------------------------------


def preferences_save(*, account: Any, enabled: set[tuple[str, str]]) -> int:
    """Set the person's choices: `enabled` holds the (event, channel) pairs turned on;
    every other pair the person may turn off is off. Returns how many changed."""
    from uslugi.notifications.models import Preference

    current = {
        (cell.event.key, str(cell.channel)): cell
        for row in selectors.preferences_of(account)
        for cell in row
    }
    changed: list[str] = []
    with transaction.atomic():
        for (event, channel), cell in current.items():
            if cell.locked:
                continue
            wanted = (event, channel) in enabled
            if wanted == cell.enabled:
                continue
            Preference.objects.update_or_create(
                account=account, event=event, channel=channel, defaults={"enabled": wanted}
            )
            changed.append(f"{event}:{channel}={'on' if wanted else 'off'}")
        if changed:
            audit_record(
                action="notifications.preferences_changed",
                actor=account,
                obj=account,
                details={"changes": changed},
            )
    return len(changed)


# --- Templates -----------------------------------------------------------------------------


def template_version_add(
    *,
    event: str,
    channel: str,
    language: str,
    subject: str,
    body: str,
    note: str = "",
    author: Any = None,
) -> NotificationTemplate:
    """Add the next version of a template (it is used from now on); versions are never
    edited. Raises TemplateSyntaxError for a text that does not render."""
    rendering.validate(event=event, subject=subject, body=body)
    with transaction.atomic():
        # Serialise concurrent edits of one template on the version number.
        latest = (
            NotificationTemplate.objects.select_for_update()
            .filter(event=event, channel=channel, language=language)
            .order_by("-version")
            .first()
        )
        template = NotificationTemplate.objects.create(
            event=event,
            channel=channel,
            language=language,
            version=(latest.version + 1) if latest else 1,
            subject=subject,
            body=body,
            note=note,
            author=author if getattr(author, "pk", None) else None,
        )
        audit_record(
            action="notifications.template_changed",
            actor=author,
            obj=template,
            details={
                "event": event,
                "channel": channel,
                "language": language,
                "version": template.version,
            },
        )
    return template


def notifications_requeue(*, ids: Iterable[object]) -> int:
    """Send failed or skipped notifications again from the first attempt (staff action)."""
    now = clock.now()
    with transaction.atomic():
        targets = list(
            Notification.objects.filter(
                pk__in=list(ids), status__in=(Status.FAILED, Status.SKIPPED)
            )
            .exclude(channel=Channel.INBOX)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=targets).update(
            status=Status.PENDING,
            attempts=0,
            skip_reason="",
            next_attempt_at=now,
            updated_at=now,
        )
        _enqueue(str(pk) for pk in targets)
    return len(targets)
