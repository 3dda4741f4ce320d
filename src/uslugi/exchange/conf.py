"""The bus's settings, with their defaults (the environment sets the main ones: settings.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Attempts before a message becomes a dead letter.
    "EXCHANGE_MAX_ATTEMPTS": 8,
    # Messages (with their payloads and timelines) older than this are purged.
    "EXCHANGE_RETENTION_DAYS": 90,
    # Backoff: base * 2**(attempt-1), capped, with jitter (see services.delivery.backoff).
    "EXCHANGE_RETRY_BASE_SECONDS": 2.0,
    "EXCHANGE_RETRY_MAX_SECONDS": 300.0,
    # A claim older than this is presumed lost (worker crashed) and the message re-queued.
    "EXCHANGE_CLAIM_TIMEOUT_SECONDS": 300,
    # Largest signed envelope accepted over HTTP.
    "EXCHANGE_MAX_BODY_BYTES": 1024 * 1024,
    # Accepted difference between a sender's clock and ours for `created`.
    "EXCHANGE_CLOCK_SKEW_SECONDS": 300,
    # The system code the portal's own services send as.
    "EXCHANGE_PORTAL_SYSTEM": "portal",
    # Messages claimed per round by a delivery worker (measured best with two workers on
    # SQLite, where a longer write transaction makes the other worker sleep longer), and
    # rows deleted per purge batch.
    "EXCHANGE_DELIVERY_BATCH": 20,
    "EXCHANGE_PURGE_BATCH": 1000,
    # How often a long-running delivery worker purges the log past its retention.
    "EXCHANGE_PURGE_EVERY_SECONDS": 3600,
    # Seconds a process keeps systems, keys and grants it looked up (0: no cache). Changes
    # made in the process apply at once; elsewhere after at most this long.
    "EXCHANGE_DIRECTORY_CACHE_SECONDS": 0 if getattr(settings, "TESTING", False) else 5,
}


def get(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def max_attempts() -> int:
    return int(get("EXCHANGE_MAX_ATTEMPTS"))


def retention() -> dt.timedelta:
    return dt.timedelta(days=int(get("EXCHANGE_RETENTION_DAYS")))


def claim_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=int(get("EXCHANGE_CLAIM_TIMEOUT_SECONDS")))


def portal_system() -> str:
    return str(get("EXCHANGE_PORTAL_SYSTEM"))
