"""Workers: claim due messages, deliver them, record the outcome.

Claiming is the one place that differs by database. PostgreSQL: `SELECT ... FOR UPDATE
SKIP LOCKED` then an UPDATE in one short transaction, so concurrent workers take disjoint
batches without waiting. SQLite has one writer at a time: a single conditional UPDATE
(`... WHERE id IN (due ids LIMIT n) AND status = 'queued'`) is atomic there, and a
worker reads back only the rows stamped with its own claim token. Either way a message is
in the hands of one worker at a time; a claim older than EXCHANGE_CLAIM_TIMEOUT_SECONDS
(a worker that died) is put back in the queue, which makes delivery at-least-once, and
providers answer a message id they already answered from the stored response.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F

from uslugi.core import clock
from uslugi.exchange import conf, directory, sql
from uslugi.exchange.constants import ErrorCode, MessageStatus
from uslugi.exchange.directory import Party
from uslugi.exchange.models import ExchangeMessage, MessageEvent
from uslugi.exchange.services.common import (
    LOGGER,
    OUTCOME_FIELDS,
    RETRY,
    Outcome,
    apply_outcome,
    enqueue_delivery,
    log,
    request_envelope,
    schedule_callback,
)
from uslugi.exchange.services.operations import messages_purge
from uslugi.exchange.services.sending import deliver_once


@dataclass
class DeliveryReport:
    claimed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    requeued_stale: int = 0

    def count(self, status: str) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1


def _claim_fields(token: str, now: object) -> dict[str, object]:
    return {
        "status": MessageStatus.SENDING,
        "claimed_by": token,
        "claimed_at": now,
        "attempts": F("attempts") + 1,
        "updated_at": now,
    }


def claim_due(*, limit: int, token: str | None = None) -> list[ExchangeMessage]:
    """Take up to `limit` due queued messages for this worker (status becomes `sending`)."""
    token = token or uuid.uuid4().hex
    now = clock.now()
    if connection.vendor == "postgresql":
        due = ExchangeMessage.objects.filter(
            status=MessageStatus.QUEUED, next_attempt_at__lte=now
        ).order_by("next_attempt_at")
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit])
            if not ids:
                return []
            ExchangeMessage.objects.filter(pk__in=ids).update(**_claim_fields(token, now))
    else:
        claimed = sql.claim_sqlite(
            ExchangeMessage,
            queued=MessageStatus.QUEUED,
            sending=MessageStatus.SENDING,
            token=token,
            now=now,
            limit=limit,
        )
        if not claimed:
            return []
    return _with_systems(
        sql.select(ExchangeMessage, where={"status": MessageStatus.SENDING, "claimed_by": token})
    )


def _with_systems(messages: list[ExchangeMessage]) -> list[ExchangeMessage]:
    """Attach senders and recipients (a handful of systems, cached by the directory)."""
    systems = directory.systems(
        [m.sender_id for m in messages] + [m.recipient_id for m in messages]
    )
    for message in messages:
        message.sender = systems[message.sender_id]
        message.recipient = systems[message.recipient_id]
    return messages


def claim_one(message_id: str, *, token: str | None = None) -> ExchangeMessage | None:
    """Take this message if it is queued and due (the per-message task's claim)."""
    token = token or uuid.uuid4().hex
    now = clock.now()
    claimed = ExchangeMessage.objects.filter(
        pk=message_id, status=MessageStatus.QUEUED, next_attempt_at__lte=now
    ).update(**_claim_fields(token, now))
    if not claimed:
        return None
    return (
        ExchangeMessage.objects.select_related("sender", "recipient")
        .filter(pk=message_id, claimed_by=token)
        .first()
    )


def attempt(
    message: ExchangeMessage, *, parties: dict[str, Party | None] | None = None
) -> list[MessageEvent]:
    """Deliver one claimed message (no transaction is held meanwhile); its new timeline
    entries. The message is changed in memory only: `record` writes the outcome."""
    parties = {} if parties is None else parties
    started = clock.now()
    if started >= message.deadline:
        message.status, message.next_attempt_at = MessageStatus.TIMED_OUT, None
        message.claimed_by, message.claimed_at = "", None
        message.error_code = ErrorCode.TIMED_OUT
        message.error_message = "the deadline passed while the message waited in the queue"
        return [message.event(MessageStatus.TIMED_OUT, message.error_message, at=started)]
    events = [message.event(MessageStatus.SENDING, f"attempt {message.attempts}", at=started)]
    code = message.recipient.code
    if code not in parties:
        parties[code] = directory.party(code)
    recipient = parties[code]
    if recipient is None:
        outcome = Outcome(RETRY, error_code=ErrorCode.NO_HANDLER, error_message="no recipient")
    else:
        env = request_envelope(message, sender=message.sender.code, recipient=code)
        # No single attempt may outlive the claim (it would be re-queued and sent twice).
        remaining = min(
            (message.deadline - started).total_seconds(),
            conf.claim_timeout().total_seconds() / 2,
        )
        outcome = deliver_once(
            message, env=env, sender=None, recipient=recipient, timeout=remaining
        )
    return events + apply_outcome(message, outcome, now=clock.now())


def record(token: str, attempted: list[tuple[ExchangeMessage, list[MessageEvent]]]) -> None:
    """Write the outcomes of a batch in one short transaction.

    One transaction per batch, not per message: fewer commits, and on SQLite far fewer
    turns of the single write lock between workers. Each row is updated only while this
    worker's claim holds (a claim that expired was taken over: the other result stands).
    """
    now = clock.now()
    written: list[ExchangeMessage] = []
    # Everything is prepared (encrypted, adapted) before the transaction, so the write
    # lock is held only for the statements themselves: on SQLite the other workers wait
    # for it.
    prepare = sql.Preparer()
    updates = [
        prepare.update(
            ExchangeMessage,
            values={**{name: getattr(m, name) for name in OUTCOME_FIELDS}, "updated_at": now},
            where={"id": m.pk, "status": MessageStatus.SENDING, "claimed_by": token},
        )
        for m, _ in attempted
    ]
    all_events = prepare.insert([e for _, entries in attempted for e in entries])
    with transaction.atomic(), sql.cursor() as cursor:
        events: list[MessageEvent] = []
        for (message, entries), statement in zip(attempted, updates, strict=True):
            if not sql.execute(statement, cursor=cursor):
                log.warning("exchange.claim_lost", message_id=str(message.pk))
                continue
            written.append(message)
            events += entries
            if message.status == MessageStatus.QUEUED:
                enqueue_delivery(str(message.pk), run_after=message.next_attempt_at)
            schedule_callback(message)
        if len(written) == len(attempted):
            sql.execute(all_events, cursor=cursor)
        else:  # a lost claim (rare): only the timelines of what was written
            sql.execute(prepare.insert(events), cursor=cursor)
    # The message log in the database has every message; the process log gets one line
    # per batch, plus one per message that did not simply get its answer.
    statuses: dict[str, int] = {}
    debug = logging.getLogger(LOGGER).isEnabledFor(logging.DEBUG)
    for message in written:
        statuses[str(message.status)] = statuses.get(str(message.status), 0) + 1
        fine = message.status == MessageStatus.ANSWERED
        if fine and not debug:
            continue
        (log.debug if fine else log.warning)(
            "exchange.delivered",
            message_id=str(message.pk),
            message_type=message.type_key,
            status=str(message.status),
            attempt=message.attempts,
            error=message.error_code,
        )
    if written:
        log.info("exchange.batch_recorded", messages=len(written), **statuses)


def deliver_claimed(
    message: ExchangeMessage, *, parties: dict[str, Party | None] | None = None
) -> str:
    """Deliver one claimed message and record the outcome; its new status."""
    token = message.claimed_by
    record(token, [(message, attempt(message, parties=parties))])
    return str(message.status)


def message_deliver(*, message_id: str) -> str:
    """Deliver one message now if it is queued and due; otherwise leave it. Its status."""
    message = claim_one(message_id)
    if message is None:
        status = (
            ExchangeMessage.objects.filter(pk=message_id).values_list("status", flat=True).first()
        )
        return str(status or "missing")
    return deliver_claimed(message)


def requeue_stale_claims() -> int:
    """Put back in the queue messages whose worker stopped before recording an outcome."""
    now = clock.now()
    stale = list(
        ExchangeMessage.objects.filter(
            status=MessageStatus.SENDING, claimed_at__lt=now - conf.claim_timeout()
        ).values_list("pk", "attempts")[:500]
    )
    if not stale:
        return 0
    with transaction.atomic():
        done = ExchangeMessage.objects.filter(
            pk__in=[pk for pk, _ in stale], status=MessageStatus.SENDING
        ).update(
            status=MessageStatus.QUEUED,
            claimed_by="",
            claimed_at=None,
            next_attempt_at=now,
            updated_at=now,
        )
        MessageEvent.objects.bulk_create(
            MessageEvent(
                message_id=pk,
                at=now,
                state=MessageStatus.QUEUED,
                attempt=attempts,
                detail="claim expired: the worker stopped; queued again",
            )
            for pk, attempts in stale
        )
    log.warning("exchange.stale_claims_requeued", count=done)
    return done


# When this process last swept for stale claims (time.monotonic()); see `_sweep_due`.
_last_sweep: list[float] = [float("-inf")]


def _sweep_due() -> bool:
    """Is it time to look for stale claims again?

    A claim is stale only after EXCHANGE_CLAIM_TIMEOUT_SECONDS, so looking once per tenth
    of that (at most every 30 s by default) finds every one soon enough, and a worker
    with a stream of work does not pay a query per round for a rare event.
    """
    now = time.monotonic()
    if now - _last_sweep[0] < conf.claim_timeout().total_seconds() / 10:
        return False
    _last_sweep[0] = now
    return True


def exchange_deliver_due(*, limit: int | None = None) -> DeliveryReport:
    """One round of a worker: requeue stale claims (now and then), claim a batch of due
    messages, deliver them."""
    report = DeliveryReport(requeued_stale=requeue_stale_claims() if _sweep_due() else 0)
    batch = claim_due(limit=limit or int(conf.get("EXCHANGE_DELIVERY_BATCH")))
    report.claimed = len(batch)
    if not batch:
        return report
    token = batch[0].claimed_by
    parties: dict[str, Party | None] = {}
    # Slow providers must not hold the rest of the batch past its claim: what is not
    # attempted by half the claim timeout goes back to the queue.
    give_up_at = time.monotonic() + conf.claim_timeout().total_seconds() / 2
    attempted = []
    for number, message in enumerate(batch):
        if number and time.monotonic() > give_up_at:
            release(token, batch[number:])
            break
        attempted.append((message, attempt(message, parties=parties)))
    record(token, attempted)
    for message, _ in attempted:
        report.count(str(message.status))
    return report


def release(token: str, messages: list[ExchangeMessage]) -> int:
    """Give claimed, unattempted messages back to the queue (their attempt not counted)."""
    now = clock.now()
    released = ExchangeMessage.objects.filter(
        pk__in=[m.pk for m in messages], status=MessageStatus.SENDING, claimed_by=token
    ).update(
        status=MessageStatus.QUEUED,
        claimed_by="",
        claimed_at=None,
        attempts=F("attempts") - 1,
        next_attempt_at=now,
        updated_at=now,
    )
    log.info("exchange.released", count=released)
    return released


def run_worker(
    *,
    once: bool = False,
    interval: float = 1.0,
    stop: Callable[[], bool] = lambda: False,
    on_round: Callable[[DeliveryReport], None] | None = None,
) -> int:
    """Deliver until stopped (or until nothing is due, with `once`); messages delivered.

    A long-running worker also purges the log past its retention, once an hour.
    """
    delivered = 0
    purge_every = float(conf.get("EXCHANGE_PURGE_EVERY_SECONDS"))
    next_purge = time.monotonic()
    while not stop():
        if not once and time.monotonic() >= next_purge:
            messages_purge()
            next_purge = time.monotonic() + purge_every
        report = exchange_deliver_due()
        delivered += report.claimed
        if on_round is not None and (report.claimed or report.requeued_stale):
            on_round(report)
        if report.claimed:
            continue  # more may be due: no sleep while there is work
        if once:
            break
        time.sleep(interval)
    return delivered
