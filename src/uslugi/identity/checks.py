"""System checks: the identity settings are usable, and development plugins are not
used in production by mistake."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


def _plugins(**kwargs: Any) -> list[checks.CheckMessage]:
    from uslugi.identity.post import register as post_register
    from uslugi.identity.post.base import service
    from uslugi.identity.sms import register as sms_register
    from uslugi.identity.sms.base import gateway

    messages: list[checks.CheckMessage] = []
    for label, loader, registry, setting in (
        ("SMS_GATEWAY", gateway, sms_register, settings.SMS_GATEWAY),
        ("POSTAL_SERVICE", service, post_register, settings.POSTAL_SERVICE),
    ):
        try:
            plugin = loader()
        except Exception as exc:  # noqa: BLE001 - reported as a check error
            messages.append(checks.Error(str(exc), id="identity.E001"))
            continue
        if settings.PRODUCTION and plugin.development_only:
            messages.append(
                checks.Warning(
                    f"{label}={setting!r} is a development plugin: messages go to a "
                    "database outbox, not to people.",
                    hint=f"Set {label} to a real provider ({', '.join(registry)}).",
                    id="identity.W001",
                )
            )
    if settings.SMS_GATEWAY == "http" and not settings.SMS_GATEWAY_URL:
        messages.append(checks.Error("SMS_GATEWAY=http needs SMS_GATEWAY_URL.", id="identity.E002"))
    return messages


def register() -> None:
    checks.register(_plugins, "identity")
