"""Settings of the notifications app with their defaults (see settings.py, Notifications)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 6))


def retry_delay(attempt: int) -> dt.timedelta:
    """The pause after failed attempt number `attempt` (1, 2, ...): doubling, capped."""
    base = float(getattr(settings, "NOTIFICATIONS_RETRY_BASE_SECONDS", 60))
    cap = float(getattr(settings, "NOTIFICATIONS_RETRY_MAX_SECONDS", 3600))
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempt - 1)))


def rate_limit(channel: str) -> int | None:
    """At most this many messages per recipient per hour on a channel (None: no limit)."""
    limits: dict[str, int] = getattr(
        settings, "NOTIFICATIONS_RATE_LIMITS", {"email": 30, "sms": 10}
    )
    return limits.get(channel)


def sweep_after() -> dt.timedelta:
    """A message still pending this long after it was due is queued again."""
    return dt.timedelta(seconds=getattr(settings, "NOTIFICATIONS_SWEEP_AFTER_SECONDS", 300))


def sending_lease() -> dt.timedelta:
    """A message claimed this long ago and not finished (the worker died) is released."""
    return dt.timedelta(seconds=getattr(settings, "NOTIFICATIONS_SENDING_LEASE_SECONDS", 900))


def site_url() -> str:
    """The portal's address, to make absolute links in email and SMS."""
    return str(getattr(settings, "NOTIFICATIONS_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")
