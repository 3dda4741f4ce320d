"""Refusals of the exchange bus: a stable code and a message saying what to do next."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from uslugi.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from uslugi.core.errors import RateLimited as CoreRateLimited


class UnknownMessageType(NotFound):
    code = "unknown_message_type"
    message = _("There is no message type %(type)s. The list is at /api/v1/exchange/types.")


class UnknownSystem(NotFound):
    code = "unknown_system"
    message = _("The system %(system)s is not registered on the exchange.")


class SystemInactive(PermissionDenied):
    code = "system_inactive"
    message = _("The system %(system)s is switched off on the exchange.")


class AccessDenied(PermissionDenied):
    code = "access_denied"
    message = _("The system %(system)s has no grant for the message type %(type)s.")


class RateLimitExceeded(CoreRateLimited):
    code = "rate_limited"
    message = _(
        "The system %(system)s has sent %(limit)s messages of type %(type)s in the last minute, "
        "its limit. Try again in a minute."
    )


class InvalidPayload(InvalidInput):
    """The payload does not match the message type's request schema; `errors` say where."""

    code = "invalid_payload"
    message = _("The request does not match the schema of %(type)s: %(errors)s")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        errors: list[str] | None = None,
        params: dict[str, Any] | None = None,
        field: str | None = None,
    ) -> None:
        self.errors = errors or []
        super().__init__(message, params=params, field=field)


class MalformedEnvelope(InvalidInput):
    code = "malformed_envelope"
    message = _("The envelope cannot be read: %(reason)s")
    status = 400


class BadSignature(DomainError):
    code = "bad_signature"
    message = _(
        "The envelope's signature does not verify with the sender's registered key: "
        "it was altered, unsigned or signed with another key."
    )
    status = 401


class EnvelopeTooLarge(DomainError):
    code = "envelope_too_large"
    message = _("The envelope is larger than %(limit)s bytes.")
    status = 413


class DeadlinePassed(InvalidInput):
    code = "deadline_passed"
    message = _("The message's deadline has already passed.")


class ClockSkew(InvalidInput):
    code = "clock_skew"
    message = _("The envelope's creation time is too far from ours; check the sender's clock.")


class WrongRecipient(InvalidInput):
    code = "wrong_recipient"
    message = _("The message type %(type)s is provided by %(provider)s, not %(recipient)s.")


class DuplicateMessage(Conflict):
    code = "duplicate_message"
    message = _("A different message with this id was already received. Use a new id.")


class MessageInProgress(Conflict):
    code = "message_in_progress"
    message = _("This message is being processed. Send it again later for the answer.")


class NotResendable(Conflict):
    code = "not_resendable"
    message = _("Only dead letters and timed-out messages can be sent again.")


class InvalidCallback(InvalidInput):
    code = "invalid_callback"
    message = _("The callback %(callback)s is not an importable function or task.")


class ProviderUnavailableError(DomainError):
    """The provider could not answer now (HTTP transport: 503, try again with the same id)."""

    code = "unavailable"
    message = _("The provider cannot answer now. Send the same message again later.")
    status = 503


class ProviderFailed(DomainError):
    code = "provider_failed"
    message = _("The provider failed to answer this message (%(reason)s).")
    status = 502
