"""Templates, notifications with their delivery log, and people's preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from uslugi.core.fields import EncryptedTextField
from uslugi.core.models import BaseModel
from uslugi.notifications import events
from uslugi.notifications.constants import Channel, Outcome, SkipReason, Status


class NotificationTemplate(BaseModel):
    """One version of the text of an event on a channel in a language.

    Versions are never edited: saving a change in the admin adds the next version, and the
    newest version is the one used. A notification keeps the version it was rendered from.
    Django template syntax over the event's context, rendered without HTML escaping
    (every channel is plain text; the inbox page escapes on display).
    """

    event = models.CharField(_("event"), max_length=64, choices=events.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    subject = models.CharField(
        _("subject or title"),
        max_length=255,
        blank=True,
        help_text=_("Email subject, inbox title; not used for SMS."),
    )
    body = models.TextField(_("text"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        ordering = ("event", "channel", "language", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=("event", "channel", "language", "version"),
                name="notifications_template_version_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} / {self.channel} / {self.language} v{self.version}"


class Notification(BaseModel):
    """One message of one event to one person on one channel, and its delivery log.

    Exactly one per (event id, channel, recipient). The rendered text is encrypted; the
    recipient's address is not stored but read from the account when sending.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField(_("event"), max_length=64)
    event_id = models.CharField(_("event id"), max_length=128)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=8)
    template = models.ForeignKey(
        NotificationTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the text shipped with the portal."),
    )
    subject = EncryptedTextField(_("subject or title"), blank=True, default="")
    body = EncryptedTextField(_("text"))
    link = models.CharField(_("link"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    skip_reason = models.CharField(
        _("reason skipped"), max_length=16, choices=SkipReason.choices, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=("event_id", "channel", "recipient"),
                name="notifications_once_per_channel",
            )
        ]
        indexes = [
            # The inbox, newest first, and the unread count.
            models.Index(fields=("recipient", "channel", "-id"), name="notifications_inbox"),
            # The sweeper and the rate limit.
            models.Index(fields=("status", "next_attempt_at"), name="notifications_due"),
            models.Index(fields=("recipient", "channel", "sent_at"), name="notifications_rate"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.channel} ({self.status})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryAttempt(models.Model):
    """One try at sending a notification: when, how it ended, and a safe error text."""

    id = models.BigAutoField(primary_key=True)
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    # Never an address or text: exception class names and provider status codes only.
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ("notification", "number")

    def __str__(self) -> str:
        return f"#{self.number} {self.outcome}"


class Preference(BaseModel):
    """A person's choice for one event on one channel (no row: the event's default)."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    event = models.CharField(_("event"), max_length=64)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=("account", "event", "channel"), name="notifications_preference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} / {self.channel}: {'on' if self.enabled else 'off'}"
