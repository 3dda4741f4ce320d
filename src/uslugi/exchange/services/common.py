"""What sending, providing and delivering share: envelopes of stored messages, outcomes,
refusal logging, timeline events, callbacks and the wake-up task."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction
from django.utils.module_loading import import_string

from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.core.errors import DomainError
from uslugi.exchange import conf, directory, envelope
from uslugi.exchange.constants import FINAL_STATUSES, Channel, ErrorCode, MessageStatus
from uslugi.exchange.directory import Party
from uslugi.exchange.envelope import Envelope, ResponseEnvelope, Signature
from uslugi.exchange.models import ExchangeMessage, ExchangeSystem, MessageEvent

LOGGER = "uslugi.exchange"
log = structlog.get_logger(LOGGER)

ANSWER, RETRY, FAIL, REJECT = "answer", "retry", "fail", "reject"


@dataclass(frozen=True)
class Outcome:
    """What one attempt to get an answer came to."""

    kind: str  # ANSWER (a response or a typed error), RETRY, FAIL (not retried), REJECT
    payload: Mapping[str, Any] | None = None
    error_code: str = ""
    error_message: str = ""
    error_details: Mapping[str, Any] | None = None
    signature: Signature | None = None
    answered: dt.datetime | None = None
    retry_after: float | None = None  # seconds the provider asked us to wait


# --- Envelopes of stored messages ----------------------------------------------------------


def request_envelope(message: ExchangeMessage, *, sender: str, recipient: str) -> Envelope:
    return Envelope(
        id=str(message.pk),
        correlation_id=str(message.correlation_id),
        sender=sender,
        recipient=recipient,
        type=message.type_key,
        created=message.created_at,
        deadline=message.deadline,
        payload=message.request_payload,
        attachments=list(message.attachments or []),
        test=message.test,
    )


def sign_request(message: ExchangeMessage, *, sender: Party, recipient: str) -> Envelope:
    """Sign the message as its sender (an internal system: the portal holds its key)."""
    if sender.key is None:
        raise LookupError(f"system {sender.code} has no signing key here")
    env = request_envelope(message, sender=sender.code, recipient=recipient)
    signature = envelope.sign(directory.private_key(sender.key), sender.key.key_id, env.canonical())
    message.signature, message.signature_key_id = signature.value, signature.key_id
    return env


def verify_request(
    env: Envelope,
    signature: Signature | None,
    sender: ExchangeSystem,
    *,
    known: Party | None = None,
) -> bool:
    """Does the signature verify with a (not revoked) key of the sender?"""
    if signature is None:
        return False
    public: Ed25519PublicKey | None
    if known is not None and known.key is not None and known.key.key_id == signature.key_id:
        public = directory.public_key(known.key)  # already loaded with the sender
    else:
        public = directory.verification_key(sender, signature.key_id)
    return public is not None and envelope.verify(public, signature, env.canonical())


def response_envelope(
    message: ExchangeMessage,
    *,
    provider: str,
    consumer: str,
    answered: dt.datetime,
    payload: Mapping[str, Any] | None = None,
    error_code: str = "",
    error_message: str = "",
    error_details: Mapping[str, Any] | None = None,
) -> ResponseEnvelope:
    return ResponseEnvelope(
        message_id=str(message.pk),
        correlation_id=str(message.correlation_id),
        sender=provider,
        recipient=consumer,
        type=message.type_key,
        answered=answered,
        payload=payload,
        error_code=error_code,
        error_message=error_message[:500],
        error_details=dict(error_details or {}),
    )


def answer(
    message: ExchangeMessage,
    *,
    provider: Party,
    consumer: str,
    payload: Mapping[str, Any] | None = None,
    error_code: str = "",
    error_message: str = "",
    error_details: Mapping[str, Any] | None = None,
) -> Outcome:
    """An in-process provider's answer, signed with the provider's key."""
    now = clock.now()
    response = response_envelope(
        message,
        provider=provider.code,
        consumer=consumer,
        answered=now,
        payload=payload,
        error_code=error_code,
        error_message=error_message,
        error_details=error_details,
    )
    if provider.key is None:
        raise LookupError(f"provider {provider.code} has no signing key here")
    signature = envelope.sign(
        directory.private_key(provider.key), provider.key.key_id, response.canonical()
    )
    return Outcome(
        ANSWER,
        payload=payload,
        error_code=error_code,
        error_message=response.error_message,
        error_details=response.error_details or None,
        signature=signature,
        answered=now,
    )


def stored_response(message: ExchangeMessage) -> dict[str, Any]:
    """The signed response envelope of an answered message, as it was first sent."""
    response = response_envelope(
        message,
        provider=message.recipient.code,
        consumer=message.sender.code,
        answered=message.answered_at or message.updated_at,
        payload=message.response_payload,
        error_code=message.error_code,
        error_message=message.error_message,
        error_details=message.error_details,
    )
    return response.to_wire(
        Signature(key_id=message.response_key_id, value=message.response_signature)
    )


# --- Outcomes -----------------------------------------------------------------------------


def backoff(attempt: int, *, retry_after: float | None = None) -> float:
    """Seconds before attempt `attempt + 1`: exponential, capped, with "equal jitter"
    (half fixed, half random) so that retries of many messages spread out."""
    base = float(conf.get("EXCHANGE_RETRY_BASE_SECONDS"))
    cap = float(conf.get("EXCHANGE_RETRY_MAX_SECONDS"))
    delay = min(cap, base * 2 ** max(attempt - 1, 0))
    delay = delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not a secret
    return max(delay, retry_after or 0.0)


# Fields an attempt's outcome may change (what workers write back).
OUTCOME_FIELDS = [
    "status",
    "next_attempt_at",
    "claimed_by",
    "claimed_at",
    "response_payload",
    "answered_at",
    "response_signature",
    "response_key_id",
    "error_code",
    "error_message",
    "error_details",
]


def apply_outcome(
    message: ExchangeMessage, outcome: Outcome, *, now: dt.datetime
) -> list[MessageEvent]:
    """Move the message (in memory) to the state the outcome leads to; its timeline entries."""
    message.claimed_by, message.claimed_at = "", None
    message.error_code, message.error_message = outcome.error_code, outcome.error_message[:500]
    message.error_details = dict(outcome.error_details) if outcome.error_details else None
    if outcome.kind == ANSWER:
        message.status = MessageStatus.ANSWERED
        message.next_attempt_at = None
        message.response_payload = None if outcome.payload is None else dict(outcome.payload)
        message.answered_at = outcome.answered or now
        if outcome.signature is not None:
            message.response_signature = outcome.signature.value
            message.response_key_id = outcome.signature.key_id
        detail = f"error: {outcome.error_code}" if outcome.error_code else "response"
        return [message.event(MessageStatus.ANSWERED, detail, at=now)]
    if outcome.kind == REJECT:
        message.status, message.next_attempt_at = MessageStatus.REJECTED, None
        return [message.event(MessageStatus.REJECTED, outcome.error_code, at=now)]
    if outcome.kind == FAIL or message.synchronous:  # a synchronous caller has moved on
        timed_out = outcome.error_code == ErrorCode.TIMED_OUT
        state = MessageStatus.TIMED_OUT if timed_out else MessageStatus.FAILED
        message.status, message.next_attempt_at = state, None
        return [message.event(state, _detail(outcome), at=now)]
    # RETRY
    if message.attempts >= conf.max_attempts():
        message.status, message.next_attempt_at = MessageStatus.DEAD_LETTER, None
        detail = f"{_detail(outcome)}; {message.attempts} attempts"
        return [message.event(MessageStatus.DEAD_LETTER, detail, at=now)]
    next_at = now + dt.timedelta(seconds=backoff(message.attempts, retry_after=outcome.retry_after))
    if next_at >= message.deadline:
        message.status, message.next_attempt_at = MessageStatus.TIMED_OUT, None
        message.error_code = ErrorCode.TIMED_OUT
        detail = f"{_detail(outcome)}; no attempt possible before the deadline"
        return [message.event(MessageStatus.TIMED_OUT, detail, at=now)]
    message.status, message.next_attempt_at = MessageStatus.QUEUED, next_at
    return [
        message.event(
            MessageStatus.QUEUED, f"{_detail(outcome)}; retry at {next_at:%H:%M:%S}", at=now
        )
    ]


def _detail(outcome: Outcome) -> str:
    return (
        f"{outcome.error_code}: {outcome.error_message}"
        if outcome.error_message
        else outcome.error_code
    )


# --- Refusals -----------------------------------------------------------------------------


def record_refusal(
    error: DomainError,
    *,
    type_key: str,
    sender: ExchangeSystem | None,
    recipient: ExchangeSystem | None,
    payload: Mapping[str, Any] | None = None,
    channel: str = "",
    synchronous: bool = False,
    correlation_id: Any = None,
    note: str = "",
) -> ExchangeMessage | None:
    """Log a refused message: a structured log line, an audit entry and, when both parties
    are known, a `rejected` message with its timeline (in the caller's transaction)."""
    sender_code = sender.code if sender else ""
    log.warning(
        "exchange.refused",
        reason=error.code,
        message_type=type_key,
        sender=sender_code,
        recipient=recipient.code if recipient else "",
    )
    message = None
    if sender is not None and recipient is not None:
        now = clock.now()
        message = ExchangeMessage(
            sender=sender,
            recipient=recipient,
            type_key=type_key[:120],
            channel=channel or Channel.IN_PROCESS,
            synchronous=synchronous,
            deadline=now,
            status=MessageStatus.REJECTED,
            request_payload=dict(payload or {}),
            error_code=error.code,
            error_message=(note or error.text)[:500],
        )
        message.correlation_id = correlation_id or message.pk
        message.save(force_insert=True)
        MessageEvent.objects.create(
            message=message, at=now, state=MessageStatus.REJECTED, detail=error.code
        )
    audit_record(
        action="exchange.message_refused",
        obj=message,
        object_type="exchange.exchangemessage",
        details={
            "reason": error.code,
            "message_type": type_key[:120],
            "sender_system": sender_code,
            "note": note[:200],
        },
    )
    return message


# --- After a message is finished ----------------------------------------------------------


def schedule_callback(message: ExchangeMessage) -> None:
    """Call the message's callback with its id once the current transaction commits."""
    if not message.callback or message.status not in FINAL_STATUSES:
        return
    path, message_id = message.callback, str(message.pk)
    transaction.on_commit(lambda: run_callback(path, message_id))


def resolve_callback(path: str) -> Any:
    """The function or django task a dotted path names (ImportError/ValueError if none)."""
    target = import_string(path)
    if not callable(target) and not hasattr(target, "enqueue"):
        raise ValueError(path)
    return target


def run_callback(path: str, message_id: str) -> None:
    try:
        target = resolve_callback(path)
        if hasattr(target, "enqueue"):
            target.enqueue(message_id)
        else:
            target(message_id)
    except Exception:
        log.exception("exchange.callback_failed", callback=path, message_id=message_id)


def enqueue_delivery(message_id: str, *, run_after: dt.datetime | None = None) -> None:
    """Wake a worker for this message.

    With the database task backend the task row is written in the caller's transaction
    (the transactional outbox: rolled back, nothing is sent). A backend that runs tasks
    elsewhere or at once (the tests' immediate backend) gets it only after the commit.
    Either way the message row itself is the durable record: `uslugi exchange deliver`
    picks up anything queued and due that no task delivered.
    """
    from django_tasks_db.backend import DatabaseBackend

    from uslugi.exchange.tasks import deliver_message

    task = deliver_message
    backend = task.get_backend()
    if run_after is not None:
        if not backend.supports_defer:
            return  # the delivery loop will find it when it is due
        task = task.using(run_after=run_after)
    if isinstance(backend, DatabaseBackend):
        task.enqueue(message_id)
    else:
        transaction.on_commit(lambda: task.enqueue(message_id))
