"""Choices of the exchange bus."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SystemKind(models.TextChoices):
    """Where a system's code runs: inside the portal's process, or outside over HTTP."""

    INTERNAL = "internal", _("Internal (in-process)")
    EXTERNAL = "external", _("External (HTTP)")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    ANSWERED = "answered", _("Answered")
    FAILED = "failed", _("Failed")
    TIMED_OUT = "timed_out", _("Timed out")
    DEAD_LETTER = "dead_letter", _("Dead letter")
    REJECTED = "rejected", _("Rejected")


# A message in one of these states is finished: nothing more happens to it on its own.
FINAL_STATUSES = frozenset(
    {
        MessageStatus.ANSWERED,
        MessageStatus.FAILED,
        MessageStatus.TIMED_OUT,
        MessageStatus.DEAD_LETTER,
        MessageStatus.REJECTED,
    }
)
# What an administrator may send again.
RESENDABLE_STATUSES = frozenset({MessageStatus.DEAD_LETTER, MessageStatus.TIMED_OUT})


class ResultStatus(models.TextChoices):
    """What a synchronous caller gets back (`ExchangeResult.status`)."""

    OK = "ok", _("Answered")
    ERROR = "error", _("Answered with an error")
    UNAVAILABLE = "unavailable", _("Provider unavailable")


# Error codes the bus itself sets on a message (providers add theirs: not_found, ...).
class ErrorCode:
    UNAVAILABLE = "unavailable"
    TIMED_OUT = "timed_out"
    MAX_ATTEMPTS = "max_attempts"
    BAD_SIGNATURE = "bad_signature"
    BAD_RESPONSE = "bad_response"
    BAD_RESPONSE_SIGNATURE = "bad_response_signature"
    NO_HANDLER = "no_handler"
    HANDLER_CRASHED = "handler_crashed"
    TRANSPORT = "transport_error"
    UNKNOWN_TYPE = "unknown_message_type"
    NO_GRANT = "access_denied"
    RATE_LIMITED = "rate_limited"
    INVALID_PAYLOAD = "invalid_payload"


SIGNATURE_ALGORITHM = "Ed25519"
ENVELOPE_VERSION = 1


class Channel(models.TextChoices):
    """How a message travels."""

    IN_PROCESS = "in_process", _("In-process")
    HTTP_OUT = "http_out", _("HTTP, to an external provider")
    HTTP_IN = "http_in", _("HTTP, from an external consumer")
