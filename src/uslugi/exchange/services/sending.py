"""The consumer side: checking a request may go (type, grant, rate, schema), then sending it
asynchronously (queued, delivered by workers) or calling synchronously (answered now)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from django.db import transaction

from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.core.errors import DomainError
from uslugi.exchange import directory, schemas, sql
from uslugi.exchange.constants import Channel, ErrorCode, MessageStatus, ResultStatus, SystemKind
from uslugi.exchange.directory import Party
from uslugi.exchange.envelope import Envelope, Signature
from uslugi.exchange.errors import (
    AccessDenied,
    InvalidCallback,
    InvalidPayload,
    RateLimitExceeded,
    SystemInactive,
    UnknownMessageType,
    UnknownSystem,
)
from uslugi.exchange.interfaces import ExchangeResult, MessageType, get_handler, get_message_type
from uslugi.exchange.models import ExchangeMessage, ExchangeSystem, MessageEvent
from uslugi.exchange.services import transport
from uslugi.exchange.services.common import (
    REJECT,
    RETRY,
    Outcome,
    apply_outcome,
    enqueue_delivery,
    log,
    record_refusal,
    resolve_callback,
    sign_request,
    verify_request,
)
from uslugi.exchange.services.providing import provide_in_process

RATE_WINDOW = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Admission:
    """A request that may go: its type and both parties (with their keys)."""

    message_type: MessageType
    sender: Party
    recipient: Party

    @property
    def channel(self) -> str:
        external = self.recipient.system.kind == SystemKind.EXTERNAL
        return Channel.HTTP_OUT if external else Channel.IN_PROCESS


def _refuse(error: DomainError, **context: Any) -> NoReturn:
    record_refusal(error, **context)
    raise error


def sent_in_window(consumer: ExchangeSystem, type_key: str, *, cap: int) -> int:
    """Messages of this type the consumer sent in the last minute, counted up to `cap`.

    Counting stops at the limit (a LIMIT in a subquery), so the check costs the same at
    any traffic: it reads at most `cap` index entries of (sender, type, created_at).
    """
    since = clock.now() - RATE_WINDOW
    recent = (
        ExchangeMessage.objects.filter(sender=consumer, type_key=type_key, created_at__gt=since)
        .exclude(status=MessageStatus.REJECTED)
        .values("pk")[:cap]
    )
    return recent.count()


def admit(
    *,
    sender: str | Party,
    type_key: str,
    payload: Any,
    synchronous: bool,
    channel: str = "",
    correlation_id: Any = None,
) -> Admission:
    """Check that the sender may send this payload of this type now; refusals are logged.

    Deny by default: an unknown type or system, no active grant, the rate limit reached or
    a payload that breaks the request schema raise a DomainError before anything is sent.
    """
    party = sender if isinstance(sender, Party) else directory.party(sender)
    sender_code = party.code if party else str(sender)
    sender_system = party.system if party else None
    context: dict[str, Any] = {
        "type_key": type_key,
        "sender": sender_system,
        "recipient": None,
        "payload": payload if isinstance(payload, Mapping) else None,
        "synchronous": synchronous,
        "correlation_id": correlation_id,
        "channel": channel,
    }
    message_type = get_message_type(type_key)
    if message_type is None:
        _refuse(UnknownMessageType(params={"type": type_key}), **context)
    if party is None:
        _refuse(UnknownSystem(params={"system": sender_code}), **context)
    if not party.system.active:
        _refuse(SystemInactive(params={"system": sender_code}), **context)
    recipient = directory.party(message_type.provider)
    if recipient is None and get_handler(type_key) is not None:
        recipient = directory.system_ensure_internal(message_type.provider)
    if recipient is None:
        _refuse(UnknownSystem(params={"system": message_type.provider}), **context)
    context["recipient"] = recipient.system
    if not recipient.system.active:
        _refuse(SystemInactive(params={"system": recipient.code}), **context)
    context["channel"] = channel or (
        Channel.HTTP_OUT if recipient.system.kind == SystemKind.EXTERNAL else Channel.IN_PROCESS
    )
    granted, limit = directory.grant_limit(party.system, type_key)
    if not granted:
        _refuse(AccessDenied(params={"system": sender_code, "type": type_key}), **context)
    error: DomainError
    if limit is not None and sent_in_window(party.system, type_key, cap=limit) >= limit:
        error = RateLimitExceeded(params={"system": sender_code, "type": type_key, "limit": limit})
        _refuse(error, **context)
    problems = schemas.errors(message_type, "request", payload)
    if problems:
        error = InvalidPayload(
            errors=problems, params={"type": type_key, "errors": "; ".join(problems)}
        )
        _refuse(error, **context)
    return Admission(message_type=message_type, sender=party, recipient=recipient)


def _deadline(message_type: MessageType, now: dt.datetime, value: Any) -> dt.datetime:
    if value is None:
        return now + message_type.default_deadline
    if isinstance(value, dt.timedelta):
        return now + value
    if isinstance(value, int | float):
        return now + dt.timedelta(seconds=value)
    if isinstance(value, dt.datetime):
        return value
    raise TypeError("deadline must be a datetime, a timedelta or seconds")


def _new_message(
    admission: Admission,
    *,
    payload: Mapping[str, Any],
    correlation_id: Any,
    deadline: Any,
    test: bool,
    synchronous: bool,
    attachments: list[dict[str, Any]] | None = None,
    callback: str = "",
) -> tuple[ExchangeMessage, Envelope]:
    """A new, signed message (not saved) and its envelope."""
    now = clock.now()
    message = ExchangeMessage(
        sender=admission.sender.system,
        recipient=admission.recipient.system,
        type_key=admission.message_type.key,
        channel=admission.channel,
        synchronous=synchronous,
        test=test,
        deadline=_deadline(admission.message_type, now, deadline),
        request_payload=dict(payload),
        attachments=list(attachments or []),
        callback=callback,
    )
    message.created_at = message.updated_at = now
    message.correlation_id = uuid.UUID(str(correlation_id)) if correlation_id else message.pk
    env = sign_request(message, sender=admission.sender, recipient=admission.recipient.code)
    return message, env


def exchange_send(
    *,
    sender: str,
    type_key: str,
    payload: Mapping[str, Any],
    correlation_id: Any = None,
    deadline: Any = None,
    callback: str | None = None,
    test: bool = False,
    attachments: list[dict[str, Any]] | None = None,
) -> ExchangeMessage:
    """Queue a request for asynchronous delivery, in the caller's transaction.

    Nothing is sent unless the caller's transaction commits. When the message is finished
    (answered, failed, timed out, dead letter) `callback` (a dotted path to a function or
    a django task) is called with the message id.
    """
    if callback:
        try:
            resolve_callback(callback)
        except (ImportError, ValueError):
            raise InvalidCallback(params={"callback": callback}) from None
    admission = admit(
        sender=sender,
        type_key=type_key,
        payload=payload,
        synchronous=False,
        correlation_id=correlation_id,
    )
    message, _ = _new_message(
        admission,
        payload=payload,
        correlation_id=correlation_id,
        deadline=deadline,
        test=test,
        synchronous=False,
        attachments=attachments,
        callback=callback or "",
    )
    message.status, message.next_attempt_at = MessageStatus.QUEUED, message.created_at
    with transaction.atomic():
        message.save(force_insert=True)
        MessageEvent.objects.create(
            message=message, at=message.created_at, state=MessageStatus.QUEUED, detail="sent"
        )
        enqueue_delivery(str(message.pk))
    log.info("exchange.queued", message_id=str(message.pk), message_type=type_key, sender=sender)
    return message


def deliver_once(
    message: ExchangeMessage,
    *,
    env: Envelope,
    sender: Party | None,
    recipient: Party,
    timeout: float,
    signed_here: bool = False,
) -> Outcome:
    """One attempt: the provider side checks the signature, then answers (in-process or HTTP).

    `signed_here`: the envelope was signed a moment ago in this call and never left memory
    (a synchronous in-process call), so checking it would prove nothing. Envelopes read
    back from the database (queued messages) or received over HTTP are always verified.
    """
    signature = Signature(key_id=message.signature_key_id, value=message.signature)
    if recipient.system.kind == SystemKind.EXTERNAL:
        return transport.post_envelope(
            env=env, signature=signature, provider=recipient.system, timeout=timeout
        )
    if not signed_here and not verify_request(env, signature, message.sender, known=sender):
        log.warning("exchange.bad_signature", message_id=str(message.pk), sender=env.sender)
        audit_record(
            action="exchange.signature_rejected",
            object_type="exchange.exchangemessage",
            object_id=message.pk,
            details={"sender_system": env.sender, "message_type": env.type},
        )
        return Outcome(
            REJECT,
            error_code=ErrorCode.BAD_SIGNATURE,
            error_message="the signature does not verify with the sender's key",
        )
    return provide_in_process(message, provider=recipient, consumer=env.sender)


def result_of(message: ExchangeMessage) -> ExchangeResult:
    if message.status == MessageStatus.ANSWERED:
        status = ResultStatus.ERROR if message.error_code else ResultStatus.OK
    else:
        status = ResultStatus.UNAVAILABLE
    return ExchangeResult(
        message_id=str(message.pk),
        correlation_id=str(message.correlation_id),
        status=str(status),
        response=None if message.response_payload is None else dict(message.response_payload),
        error_code=message.error_code,
        error_message=message.error_message,
        error_details=dict(message.error_details or {}),
    )


def exchange_call(
    *,
    sender: str,
    type_key: str,
    payload: Mapping[str, Any],
    timeout: float | dt.timedelta | None = None,
    correlation_id: Any = None,
    test: bool = False,
) -> ExchangeResult:
    """Ask and wait up to the deadline (`timeout`, default: the type's) for the answer.

    The provider is called directly from here (in-process handler, or an HTTP request to
    an external one), not through the queue: an information service answers within the
    person's request, with no worker in between. The message is signed, verified and
    logged exactly as an asynchronous one. A provider that is down gives a result with
    status "unavailable" (show "try again later"), not an exception; refusals (unknown
    type, no grant, rate limit, invalid payload) raise a DomainError.
    """
    admission = admit(
        sender=sender,
        type_key=type_key,
        payload=payload,
        synchronous=True,
        correlation_id=correlation_id,
    )
    message, env = _new_message(
        admission,
        payload=payload,
        correlation_id=correlation_id,
        deadline=timeout,
        test=test,
        synchronous=True,
    )
    started = message.created_at
    message.status, message.attempts, message.claimed_at = MessageStatus.SENDING, 1, started
    events = [message.event(MessageStatus.SENDING, "synchronous call", at=started)]
    remaining = (message.deadline - started).total_seconds()
    outcome = deliver_once(
        message,
        env=env,
        sender=admission.sender,
        recipient=admission.recipient,
        timeout=remaining,
        signed_here=True,
    )
    finished = clock.now()
    if outcome.kind == RETRY and finished >= message.deadline:
        outcome = Outcome(
            RETRY, error_code=ErrorCode.TIMED_OUT, error_message="no answer before the deadline"
        )
    events += apply_outcome(message, outcome, now=finished)
    statements = [sql.prepare_insert([message]), sql.prepare_insert(events)]  # before the lock
    with transaction.atomic():
        for statement in statements:
            sql.execute(statement)
    # Every call is in the message log; the process log gets the ones that went wrong
    # (at DEBUG the others too).
    answered = message.status == MessageStatus.ANSWERED  # a typed error is an answer too
    (log.debug if answered else log.warning)(
        "exchange.call",
        message_id=str(message.pk),
        message_type=type_key,
        sender=sender,
        status=str(message.status),
        error=message.error_code,
        ms=round((finished - started).total_seconds() * 1000, 1),
    )
    return result_of(message)
