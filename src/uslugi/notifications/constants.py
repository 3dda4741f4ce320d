"""Choices of the notifications app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    INBOX = "inbox", _("Personal account")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class SkipReason(models.TextChoices):
    RATE_LIMITED = "rate_limited", _("Rate limit reached")
    NO_ADDRESS = "no_address", _("No address for this channel")
    NO_CHANNEL = "no_channel", _("Channel not available")


class Outcome(models.TextChoices):
    SENT = "sent", _("Sent")
    ERROR = "error", _("Error")
    SKIPPED = "skipped", _("Skipped")


# Channels that leave the portal (and so have delivery, retries and rate limits).
OUTBOUND = (Channel.EMAIL, Channel.SMS)
