"""Running the bus: systems and grants, re-sending dead letters, purging the log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.exchange import conf, directory
from uslugi.exchange.constants import FINAL_STATUSES, RESENDABLE_STATUSES, MessageStatus, SystemKind
from uslugi.exchange.errors import NotResendable, UnknownMessageType
from uslugi.exchange.interfaces import get_message_type, message_types
from uslugi.exchange.models import AccessGrant, ExchangeMessage, ExchangeSystem, MessageEvent
from uslugi.exchange.services.common import enqueue_delivery, log, sign_request


def system_register(
    *,
    code: str,
    name: str = "",
    kind: str = SystemKind.INTERNAL,
    base_url: str = "",
    public_key: str | None = None,
    actor: Any = None,
) -> ExchangeSystem:
    """Register (or update) a system. Internal ones get a key pair generated here; an
    external one gives its public key (a new one rotates: the old one still verifies)."""
    with transaction.atomic():
        system, created = ExchangeSystem.objects.get_or_create(
            code=code, defaults={"name": name or code, "kind": kind, "base_url": base_url}
        )
        if not created:
            system.name, system.kind, system.base_url = name or system.name, kind, base_url
            system.save(update_fields=["name", "kind", "base_url"])
        current = system.keys.filter(active=True, revoked_at__isnull=True).first()
        if kind == SystemKind.EXTERNAL and public_key:
            if current is None or current.public_key != public_key:
                directory.key_create(system=system, public_key=public_key)
        elif kind == SystemKind.INTERNAL and (current is None or not current.private_key):
            directory.key_create(system=system)
        audit_record(
            action="exchange.system_registered",
            actor=actor,
            obj=system,
            details={"system": code, "kind": kind, "created": created},
        )
    return system


def access_grant(
    *, consumer: str, type_key: str, rate_limit_per_minute: int | None = None, actor: Any = None
) -> AccessGrant:
    """Allow `consumer` to send messages of `type_key` (creating an internal consumer)."""
    if get_message_type(type_key) is None:
        raise UnknownMessageType(params={"type": type_key})
    with transaction.atomic():
        system = ExchangeSystem.objects.filter(code=consumer).first()
        if system is None:
            system = directory.system_ensure_internal(consumer).system
        grant = AccessGrant.objects.filter(consumer=system, type_key=type_key).first()
        if (
            grant is not None
            and grant.active
            and grant.rate_limit_per_minute == rate_limit_per_minute
        ):
            return grant  # nothing changes: nothing to record
        grant, _ = AccessGrant.objects.update_or_create(
            consumer=system,
            type_key=type_key,
            defaults={"rate_limit_per_minute": rate_limit_per_minute, "active": True},
        )
        audit_record(
            action="exchange.access_granted",
            actor=actor,
            obj=grant,
            details={
                "consumer": consumer,
                "message_type": type_key,
                "rate_limit_per_minute": rate_limit_per_minute,
            },
        )
    return grant


def access_revoke(*, consumer: str, type_key: str, actor: Any = None) -> int:
    with transaction.atomic():
        count = AccessGrant.objects.filter(consumer__code=consumer, type_key=type_key).update(
            active=False, updated_at=clock.now()
        )
        directory.forget_directory()  # a queryset update sends no signal
        audit_record(
            action="exchange.access_revoked",
            actor=actor,
            object_type="exchange.accessgrant",
            details={"consumer": consumer, "message_type": type_key},
        )
    return count


def providers_ensure() -> list[str]:
    """An internal system (with keys) for every provider that has an in-process handler."""
    from uslugi.exchange.interfaces import get_handler

    made = []
    for key, message_type in sorted(message_types().items()):
        if (
            get_handler(key) is not None
            and not ExchangeSystem.objects.filter(code=message_type.provider).exists()
        ):
            directory.system_ensure_internal(message_type.provider)
            made.append(message_type.provider)
    return made


def message_resend(*, message_id: Any, actor: Any = None) -> ExchangeMessage:
    """Queue a dead letter or timed-out message again, with fresh attempts and deadline.

    The deadline is part of the signed envelope, so the message is signed again by its
    sender: only messages of systems whose keys the portal holds can be re-sent.
    """
    with transaction.atomic():
        message = (
            ExchangeMessage.objects.select_for_update()
            .select_related("sender", "recipient")
            .get(pk=message_id)
        )
        if message.status not in RESENDABLE_STATUSES:
            raise NotResendable()
        sender = directory.party(message.sender.code)
        if sender is None or sender.key is None:
            raise NotResendable()
        message_type = get_message_type(message.type_key)
        if message_type is None:
            raise UnknownMessageType(params={"type": message.type_key})
        now = clock.now()
        previous = message.status
        message.status = MessageStatus.QUEUED
        message.attempts = 0
        message.next_attempt_at = now
        message.deadline = now + message_type.default_deadline
        message.error_code = message.error_message = ""
        message.claimed_by, message.claimed_at = "", None
        sign_request(message, sender=sender, recipient=message.recipient.code)
        message.save()
        MessageEvent.objects.create(
            message=message, at=now, state=MessageStatus.QUEUED, detail=f"re-sent (was {previous})"
        )
        audit_record(
            action="exchange.message_resent",
            actor=actor,
            obj=message,
            details={"message_type": message.type_key, "previous_status": previous},
        )
        enqueue_delivery(str(message.pk))
    log.info("exchange.resent", message_id=str(message.pk), previous=previous)
    return message


def messages_purge(*, now: dt.datetime | None = None, batch: int | None = None) -> int:
    """Delete finished messages older than the retention period, in batches.

    Only ids are read: payloads are never loaded (let alone decrypted), so a purge costs
    the same whatever the messages carried, and each batch is its own short transaction.
    """
    cutoff = (now or clock.now()) - conf.retention()
    size = batch or int(conf.get("EXCHANGE_PURGE_BATCH"))
    old = ExchangeMessage.objects.filter(created_at__lt=cutoff, status__in=FINAL_STATUSES)
    total = 0
    while True:
        ids = list(old.order_by("created_at").values_list("pk", flat=True)[:size])
        if not ids:
            break
        with transaction.atomic():
            MessageEvent.objects.filter(message_id__in=ids).delete()
            ExchangeMessage.objects.filter(pk__in=ids).only("pk").delete()
        total += len(ids)
    if total:
        log.info("exchange.purged", count=total, before=cutoff.isoformat())
    return total
