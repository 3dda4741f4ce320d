"""Channels as plugins: how a rendered notification leaves the portal.

`inbox` (the personal account) and `email` (Django's email backend: SMTP in production,
files in var/mail in development) are built in. `sms` is registered by the identity app
with `register_sms_gateway()`, so that this app never imports identity (a higher layer):
without it, nobody is sent SMS. Tests swap a channel with `replace()`.
"""

from __future__ import annotations

import smtplib
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.core.mail import EmailMessage

from uslugi.notifications.constants import Channel


class ChannelError(Exception):
    """The channel did not accept the message; `str()` is logged, so it never holds an
    address or the text (a status code, an exception class name)."""


class NotificationChannel(ABC):
    identifier: ClassVar[str] = ""

    @abstractmethod
    def address(self, recipient: Any) -> str | None:
        """Where the recipient is reached on this channel, or None (not sent)."""

    @abstractmethod
    def send(self, *, address: str, subject: str, body: str) -> str:
        """Send; return the provider's reference (or ""). Raise ChannelError on failure."""


class InboxChannel(NotificationChannel):
    """The personal account: a notification is delivered the moment it is created."""

    identifier = Channel.INBOX

    def address(self, recipient: Any) -> str | None:
        return str(recipient.pk)

    def send(self, *, address: str, subject: str, body: str) -> str:
        return ""


class EmailChannel(NotificationChannel):
    identifier = Channel.EMAIL

    def address(self, recipient: Any) -> str | None:
        return getattr(recipient, "email", None) or None

    def send(self, *, address: str, subject: str, body: str) -> str:
        message = EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]
        )
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPResponseException as exc:
            raise ChannelError(f"SMTP server answered {exc.smtp_code}") from None
        except smtplib.SMTPRecipientsRefused:
            raise ChannelError("SMTP server refused the recipient") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"email not sent: {type(exc).__name__}") from None
        return ""


SmsSend = Callable[..., str]


class SmsChannel(NotificationChannel):
    """SMS through a gateway function `send(*, phone, text) -> reference` given by the app
    that owns the gateways. Its exceptions of the `safe_errors` types carry messages safe to
    log; any other is logged by class name only."""

    identifier = Channel.SMS

    def __init__(self, send: SmsSend, *, safe_errors: tuple[type[Exception], ...] = ()) -> None:
        self._send = send
        self._safe_errors = safe_errors

    def address(self, recipient: Any) -> str | None:
        return getattr(recipient, "phone", None) or None

    def send(self, *, address: str, subject: str, body: str) -> str:
        try:
            return str(self._send(phone=address, text=body) or "")
        except ChannelError:
            raise
        except Exception as exc:  # noqa: BLE001 - a plugin's failure is a failed delivery
            if self._safe_errors and isinstance(exc, self._safe_errors):
                raise ChannelError(str(exc)[:200]) from None
            raise ChannelError(f"SMS not sent: {type(exc).__name__}") from None


_channels: dict[str, NotificationChannel] = {}


def register(channel: NotificationChannel) -> NotificationChannel:
    """Make a channel available (replacing a previous one with the same identifier)."""
    if channel.identifier not in Channel.values:
        raise ValueError(f"unknown notification channel {channel.identifier!r}")
    _channels[channel.identifier] = channel
    return channel


def register_sms_gateway(send: SmsSend, *, safe_errors: tuple[type[Exception], ...] = ()) -> None:
    """Deliver SMS notifications through `send(*, phone, text) -> reference`."""
    register(SmsChannel(send, safe_errors=safe_errors))


def get(identifier: str) -> NotificationChannel | None:
    """The channel registered under this identifier, if any."""
    return _channels.get(identifier)


def available() -> list[Channel]:
    """Channels that can deliver now, in the order people see them."""
    return [channel for channel in Channel if channel in _channels]


def replace(channel: NotificationChannel) -> Callable[[], None]:
    """Swap a channel (tests); returns a function that restores the previous one."""
    previous = _channels.get(channel.identifier)
    _channels[channel.identifier] = channel

    def restore() -> None:
        if previous is None:
            _channels.pop(channel.identifier, None)
        else:
            _channels[channel.identifier] = previous

    return restore


register(InboxChannel())
register(EmailChannel())
