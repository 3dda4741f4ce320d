"""The HTTP transport's receiving end: a signed envelope from an external system, checked
and answered by an in-process provider like any other message (docs/exchange.md)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, NoReturn

from django.db import IntegrityError, transaction

from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.core.errors import DomainError
from uslugi.exchange import conf, directory
from uslugi.exchange.constants import Channel, ErrorCode, MessageStatus, SystemKind
from uslugi.exchange.directory import Party
from uslugi.exchange.envelope import Envelope, EnvelopeError, Signature
from uslugi.exchange.errors import (
    BadSignature,
    ClockSkew,
    DeadlinePassed,
    DuplicateMessage,
    EnvelopeTooLarge,
    MalformedEnvelope,
    MessageInProgress,
    ProviderFailed,
    ProviderUnavailableError,
    SystemInactive,
    WrongRecipient,
)
from uslugi.exchange.models import ExchangeMessage, MessageEvent
from uslugi.exchange.services.common import (
    OUTCOME_FIELDS,
    RETRY,
    apply_outcome,
    log,
    record_refusal,
    stored_response,
    verify_request,
)
from uslugi.exchange.services.providing import provide_in_process
from uslugi.exchange.services.sending import admit

# Failures after which the sender may send the same message again and be answered anew.
_RETRYABLE_FAILURES = frozenset(
    {ErrorCode.UNAVAILABLE, ErrorCode.HANDLER_CRASHED, ErrorCode.NO_HANDLER, ErrorCode.TIMED_OUT}
)


def envelope_receive(*, body: bytes) -> dict[str, Any]:
    """Check and answer one signed request envelope; the signed response envelope.

    Refusals raise DomainErrors (the view answers them as problem details): malformed
    (400), unsigned or badly signed (401), no grant (403), unknown type (404), a different
    message under a known id (409), invalid payload (422), rate limit (429), provider down
    (503: send the same envelope again later). The same envelope sent twice is answered
    from the stored response; the provider is not asked again.
    """
    limit = int(conf.get("EXCHANGE_MAX_BODY_BYTES"))
    if len(body) > limit:
        log.warning("exchange.refused", reason=EnvelopeTooLarge.code, size=len(body))
        raise EnvelopeTooLarge(params={"limit": limit})
    try:
        env, signature = Envelope.from_wire(json.loads(body))
    except (ValueError, EnvelopeError) as exc:
        reason = str(exc) if isinstance(exc, EnvelopeError) else "not JSON"
        log.warning("exchange.refused", reason=MalformedEnvelope.code, detail=reason)
        raise MalformedEnvelope(params={"reason": reason}) from None
    sender = directory.party(env.sender)
    if sender is None or not verify_request(env, signature, sender.system):
        _refuse_signature(env, sender, unsigned=signature is None)
    error: DomainError
    if not sender.system.active:
        error = SystemInactive(params={"system": sender.code})
        record_refusal(error, type_key=env.type, sender=sender.system, recipient=None)
        raise error
    existing = _existing(env.id)
    if existing is not None:
        return _again(existing, sender=sender, signature=signature)
    _check_times(env, sender)
    admission = admit(
        sender=sender,
        type_key=env.type,
        payload=env.payload,
        synchronous=True,
        channel=Channel.HTTP_IN,
        correlation_id=env.correlation_id,
    )
    recipient = admission.recipient
    if env.recipient != recipient.code or recipient.system.kind != SystemKind.INTERNAL:
        error = WrongRecipient(
            params={"type": env.type, "provider": recipient.code, "recipient": env.recipient}
        )
        record_refusal(
            error,
            type_key=env.type,
            sender=sender.system,
            recipient=recipient.system,
            channel=Channel.HTTP_IN,
            payload=env.payload,
        )
        raise error
    assert signature is not None  # noqa: S101 - verified above
    message = ExchangeMessage(
        id=env.id,
        correlation_id=env.correlation_id,
        sender=sender.system,
        recipient=recipient.system,
        type_key=env.type,
        channel=Channel.HTTP_IN,
        synchronous=True,
        test=env.test,
        deadline=env.deadline,
        status=MessageStatus.SENDING,
        attempts=1,
        claimed_by="http",
        claimed_at=clock.now(),
        request_payload=dict(env.payload),
        attachments=env.attachments,
        signature=signature.value,
        signature_key_id=signature.key_id,
    )
    message.created_at = env.created  # signed: the stored message must verify again
    try:
        with transaction.atomic():
            message.save(force_insert=True)
            MessageEvent.objects.create(
                message=message, state=MessageStatus.SENDING, attempt=1, detail="received over HTTP"
            )
    except IntegrityError:
        existing = _existing(env.id)  # the same id arrived twice at the same moment
        if existing is None:
            raise
        return _again(existing, sender=sender, signature=signature)
    return _process(message, provider=recipient, consumer=sender.code)


def _existing(message_id: str) -> ExchangeMessage | None:
    return (
        ExchangeMessage.objects.select_related("sender", "recipient").filter(pk=message_id).first()
    )


def _refuse_signature(env: Envelope, sender: Party | None, *, unsigned: bool) -> NoReturn:
    note = (
        "unknown sender"
        if sender is None
        else ("unsigned" if unsigned else f"signature does not verify; claimed id {env.id}")
    )
    error = BadSignature()
    recipient = directory.party(env.recipient)
    # The payload of an envelope that is not authentic is not kept.
    record_refusal(
        error,
        type_key=env.type,
        sender=None if sender is None else sender.system,
        recipient=None if recipient is None else recipient.system,
        channel=Channel.HTTP_IN,
        synchronous=True,
        note=note,
    )
    raise error


def _check_times(env: Envelope, sender: Party) -> None:
    now = clock.now()
    skew = dt.timedelta(seconds=int(conf.get("EXCHANGE_CLOCK_SKEW_SECONDS")))
    error: ClockSkew | DeadlinePassed | None = None
    if abs(env.created - now) > skew:
        error = ClockSkew()
    elif env.deadline <= now:
        error = DeadlinePassed()
    if error is not None:
        record_refusal(error, type_key=env.type, sender=sender.system, recipient=None)
        raise error


def _again(
    existing: ExchangeMessage, *, sender: Party, signature: Signature | None
) -> dict[str, Any]:
    """The same message id again: the stored answer, or a retry after a failure."""
    if (
        signature is None
        or existing.sender_id != sender.system.pk
        or existing.signature != signature.value
    ):
        log.warning("exchange.refused", reason=DuplicateMessage.code, message_id=str(existing.pk))
        raise DuplicateMessage()
    if existing.status == MessageStatus.ANSWERED:
        log.info("exchange.answered_from_store", message_id=str(existing.pk))
        return stored_response(existing)
    if existing.status in {MessageStatus.QUEUED, MessageStatus.SENDING}:
        raise MessageInProgress()
    if existing.status == MessageStatus.FAILED and existing.error_code in _RETRYABLE_FAILURES:
        now = clock.now()
        if existing.deadline <= now:
            raise DeadlinePassed()
        retaken = ExchangeMessage.objects.filter(
            pk=existing.pk, status=MessageStatus.FAILED
        ).update(
            status=MessageStatus.SENDING,
            claimed_by="http",
            claimed_at=now,
            attempts=existing.attempts + 1,
            updated_at=now,
        )
        if not retaken:
            raise MessageInProgress()
        existing.status, existing.attempts, existing.claimed_by = (
            MessageStatus.SENDING,
            existing.attempts + 1,
            "http",
        )
        provider = directory.party(existing.recipient.code)
        if provider is None:
            raise ProviderUnavailableError()
        return _process(existing, provider=provider, consumer=sender.code)
    raise ProviderFailed(params={"reason": existing.error_code or existing.status})


def _process(message: ExchangeMessage, *, provider: Party, consumer: str) -> dict[str, Any]:
    outcome = provide_in_process(message, provider=provider, consumer=consumer)
    events = apply_outcome(message, outcome, now=clock.now())
    with transaction.atomic():
        ExchangeMessage.objects.filter(pk=message.pk).update(
            **{name: getattr(message, name) for name in OUTCOME_FIELDS}, updated_at=clock.now()
        )
        MessageEvent.objects.bulk_create(events)
    log.info(
        "exchange.received",
        message_id=str(message.pk),
        message_type=message.type_key,
        sender=consumer,
        status=str(message.status),
        error=message.error_code,
    )
    if message.status == MessageStatus.ANSWERED:
        return stored_response(message)
    if outcome.kind == RETRY:
        raise ProviderUnavailableError()
    if message.status == MessageStatus.REJECTED:
        audit_record(
            action="exchange.message_refused",
            object_type="exchange.exchangemessage",
            object_id=message.pk,
            details={"reason": message.error_code, "message_type": message.type_key},
        )
    raise ProviderFailed(params={"reason": message.error_code})
