"""The bus's data: systems and their keys, access grants, and the message log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from uslugi.core import clock
from uslugi.core.fields import EncryptedJSONField, EncryptedTextField
from uslugi.core.models import BaseModel
from uslugi.exchange.constants import Channel, MessageStatus, SystemKind

CODE_LENGTH = 64
TYPE_KEY_LENGTH = 120


class ExchangeSystem(BaseModel):
    """A participant of the exchange: a consumer, a provider or both (an agency system)."""

    code = models.SlugField(_("code"), max_length=CODE_LENGTH, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=SystemKind.choices, default=SystemKind.INTERNAL
    )
    base_url = models.URLField(
        _("base URL"),
        blank=True,
        help_text=_("External systems: where the bus posts envelopes (…/exchange/v1/messages)."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("exchange system")
        verbose_name_plural = _("exchange systems")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class SystemKey(BaseModel):
    """An Ed25519 key pair of a system. The private half only for systems the portal runs.

    The key id written into signatures is the key's fingerprint (`envelope.key_fingerprint`:
    SHA-256 of the raw public key, 32 hex digits), so an external system knows its own key
    id without asking. One key per system signs (`active`); every key not revoked
    verifies, so keys can be rotated without a gap.
    """

    system = models.ForeignKey(
        ExchangeSystem, on_delete=models.CASCADE, related_name="keys", verbose_name=_("system")
    )
    key_id = models.CharField(_("key id"), max_length=40, unique=True, editable=False)
    public_key = models.CharField(_("public key (base64)"), max_length=64)
    private_key = EncryptedTextField(_("private key"), null=True, blank=True, editable=False)
    active = models.BooleanField(_("signs"), default=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("system key")
        verbose_name_plural = _("system keys")
        constraints = [
            models.UniqueConstraint(
                fields=["system"], condition=Q(active=True), name="exchange_one_signing_key"
            )
        ]

    def __str__(self) -> str:
        return self.key_id


class AccessGrant(BaseModel):
    """Permission for one consumer system to send one message type (deny by default)."""

    consumer = models.ForeignKey(
        ExchangeSystem,
        on_delete=models.CASCADE,
        related_name="grants",
        verbose_name=_("consumer system"),
    )
    type_key = models.CharField(_("message type"), max_length=TYPE_KEY_LENGTH)
    rate_limit_per_minute = models.PositiveIntegerField(
        _("rate limit per minute"),
        null=True,
        blank=True,
        help_text=_("Messages of this consumer (all types) per minute; empty for no limit."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.UniqueConstraint(fields=["consumer", "type_key"], name="exchange_one_grant")
        ]

    def __str__(self) -> str:
        return f"{self.consumer_id} → {self.type_key}"


class ExchangeMessage(BaseModel):
    """One request over the bus, its answer and its state: the log, the outbox and the queue.

    The primary key is the message id of the envelope. Payloads are encrypted at rest.
    """

    correlation_id = models.UUIDField(_("correlation id"), db_index=True)
    sender = models.ForeignKey(
        ExchangeSystem,
        on_delete=models.PROTECT,
        related_name="sent_messages",
        db_index=False,  # led by the (sender, type, time) index below
        verbose_name=_("sender"),
    )
    recipient = models.ForeignKey(
        ExchangeSystem,
        on_delete=models.PROTECT,
        related_name="received_messages",
        db_index=False,  # led by the (recipient, time) index below
        verbose_name=_("recipient"),
    )
    type_key = models.CharField(_("message type"), max_length=TYPE_KEY_LENGTH)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.IN_PROCESS
    )
    synchronous = models.BooleanField(_("synchronous"), default=False)
    test = models.BooleanField(_("test message"), default=False)
    deadline = models.DateTimeField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=40, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)
    # Typed as JSON here: the core field subclasses TextField, whose stub types say str.
    request_payload: models.Field[Any, Any] = EncryptedJSONField(_("request payload"))
    response_payload: models.Field[Any, Any] = EncryptedJSONField(
        _("response payload"), null=True, blank=True
    )
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    signature = models.CharField(_("signature"), max_length=128, blank=True)
    signature_key_id = models.CharField(_("signing key id"), max_length=40, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    response_signature = models.CharField(_("response signature"), max_length=128, blank=True)
    response_key_id = models.CharField(_("response signing key id"), max_length=40, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_message = models.CharField(_("error message"), max_length=500, blank=True)
    # A typed error's details (e.g. which fields did not match): encrypted like payloads.
    error_details: models.Field[Any, Any] = EncryptedJSONField(
        _("error details"), null=True, blank=True
    )
    callback = models.CharField(_("callback"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("exchange message")
        verbose_name_plural = _("exchange messages")
        permissions = [
            ("view_message_payload", _("Can see the payloads of exchange messages")),
            ("resend_message", _("Can re-send dead-letter and timed-out messages")),
        ]
        indexes = [
            # Claiming due messages, and sweeping stale claims.
            models.Index(fields=["status", "next_attempt_at"], name="exchange_msg_due"),
            # Rate limits (sender, type, window) and the admin's searches by system and time.
            models.Index(
                fields=["sender", "type_key", "created_at"], name="exchange_msg_sender_time"
            ),
            models.Index(fields=["recipient", "created_at"], name="exchange_msg_recipient_time"),
            models.Index(fields=["type_key", "created_at"], name="exchange_msg_type_time"),
        ]

    def __str__(self) -> str:
        return f"{self.type_key} {self.pk}"

    @property
    def message_id(self) -> str:
        return str(self.pk)

    def event(self, state: str, detail: str = "", *, at: dt.datetime | None = None) -> MessageEvent:
        """An unsaved timeline entry of this message (saved in bulk by the caller)."""
        return MessageEvent(
            message_id=self.pk,
            at=at or clock.now(),
            state=state,
            attempt=self.attempts,
            detail=detail[:500],
        )


class MessageEvent(models.Model):
    """A step in a message's timeline: what happened to it, when, and why."""

    id = models.BigAutoField(primary_key=True)
    message = models.ForeignKey(
        ExchangeMessage, on_delete=models.CASCADE, related_name="events", verbose_name=_("message")
    )
    at = models.DateTimeField(_("time"), default=clock.now)
    state = models.CharField(_("state"), max_length=16, choices=MessageStatus.choices)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=0)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("message event")
        verbose_name_plural = _("message events")
        ordering = ["message", "at", "id"]

    def __str__(self) -> str:
        return f"{self.state} at {self.at:%Y-%m-%d %H:%M:%S}"
