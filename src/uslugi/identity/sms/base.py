"""The SMS gateway module: abstract base, registry, active plugin."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from django.conf import settings

from uslugi.identity.plugins import Registry


class SmsError(Exception):
    """The gateway did not accept the message (the delivery task fails and is logged)."""


class SmsGateway(ABC):
    identifier: ClassVar[str] = ""
    #: Development plugins keep what they "send" where staff can read it.
    development_only: ClassVar[bool] = False

    @abstractmethod
    def send(self, *, phone: str, text: str) -> str:
        """Send `text` to `phone` (E.164); return the gateway's message id."""


register: Registry[SmsGateway] = Registry(setting="SMS_GATEWAY")


def gateway() -> SmsGateway:
    """The plugin chosen by SMS_GATEWAY."""
    import uslugi.identity.sms.plugins  # noqa: F401 - registers the built-in plugins

    return register.get(settings.SMS_GATEWAY)
