"""Rate limits and growing delays, kept in the database (several processes, both databases).

- `rate_hit(scope, key, limit, window)`: a fixed-window counter (codes sent per phone per
  hour, registrations per IP...). Over the limit: `RateLimited` with the time to retry.
- `backoff_*`: failures in a row for one key make the next attempt wait 1 s, 2 s, 4 s...
  up to `cap`, after `free` failures; a success clears it; it is forgotten a day after
  the last failure. Never a permanent lock-out that anyone could use against a person.

Keys are hashed with a secret (`identity.secrets.key_hash`): no IP or phone in clear.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from uslugi.core import clock
from uslugi.identity.errors import RateLimited
from uslugi.identity.models import FailureBackoff, Throttle
from uslugi.identity.secrets import key_hash

FORGET_AFTER = dt.timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    """Free failures, then a delay doubling from `base` up to `cap`."""

    free: int
    base: dt.timedelta = dt.timedelta(seconds=1)
    cap: dt.timedelta = dt.timedelta(minutes=15)

    def delay(self, failures: int) -> dt.timedelta:
        over = failures - self.free
        if over <= 0:
            return dt.timedelta(0)
        seconds = self.base.total_seconds() * 2 ** min(over - 1, 30)
        return min(dt.timedelta(seconds=seconds), self.cap)


# Per account (or per typed identifier when no account matches): a person who mistypes
# three times waits a second, then 2, 4, 8 s...; a guesser soon waits 15 minutes a try.
ACCOUNT_POLICY = Policy(free=3)
# Per IP: many people may share one address (offices, mobile networks), so more slack.
IP_POLICY = Policy(free=20, cap=dt.timedelta(minutes=10))
# Per trusted device (a browser that signed in to the account before).
DEVICE_POLICY = Policy(free=5, cap=dt.timedelta(minutes=5))


def local_time(moment: dt.datetime) -> str:
    """A time the person can read, in the portal's time zone."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localtime(clock.now()).date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%d.%m.%Y %H:%M")


def rate_limited(retry_at: dt.datetime) -> RateLimited:
    return RateLimited(params={"time": local_time(retry_at)})


# --- Fixed windows ----------------------------------------------------------------------------


def _window_start(now: dt.datetime, window: dt.timedelta) -> dt.datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def rate_hit(*, scope: str, key: str, limit: int, window: dt.timedelta) -> None:
    """Count one use of `scope` by `key`; RateLimited once `limit` uses fill the window."""
    now = clock.now()
    start = _window_start(now, window)
    hashed = key_hash(key, scope=scope)
    with transaction.atomic():
        rows = Throttle.objects.filter(scope=scope, key=hashed, window_start=start)
        if not rows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    Throttle.objects.create(scope=scope, key=hashed, window_start=start, count=1)
            except IntegrityError:  # another process created it first
                rows.update(count=F("count") + 1)
        count = rows.values_list("count", flat=True).first() or 0
    if count > limit:
        raise rate_limited(start + window)


def rate_count(*, scope: str, key: str, window: dt.timedelta) -> int:
    start = _window_start(clock.now(), window)
    hashed = key_hash(key, scope=scope)
    row = Throttle.objects.filter(scope=scope, key=hashed, window_start=start).first()
    return row.count if row else 0


# --- Growing delays after failures ------------------------------------------------------------


def backoff_wait(*, scope: str, key: str) -> dt.datetime | None:
    """Until when `key` must wait before its next attempt, or None."""
    row = FailureBackoff.objects.filter(scope=scope, key=key_hash(key, scope=scope)).first()
    if row is None or row.blocked_until is None:
        return None
    return row.blocked_until if row.blocked_until > clock.now() else None


def backoff_failure(*, scope: str, key: str, policy: Policy) -> dt.datetime | None:
    """Record a failure; returns until when the next attempt must wait (None: at once)."""
    now = clock.now()
    hashed = key_hash(key, scope=scope)
    with transaction.atomic():
        row, _ = FailureBackoff.objects.select_for_update().get_or_create(scope=scope, key=hashed)
        if row.last_failure_at and now - row.last_failure_at > FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        delay = policy.delay(row.failures)
        row.blocked_until = now + delay if delay else None
        row.save()
    return row.blocked_until


def backoff_reset(*, scope: str, key: str) -> None:
    FailureBackoff.objects.filter(scope=scope, key=key_hash(key, scope=scope)).delete()


def purge_expired(*, before: dt.datetime | None = None) -> int:
    """Delete counters nobody needs any more (windows over a day old, old back-offs)."""
    cutoff = before or clock.now() - FORGET_AFTER
    removed, _ = Throttle.objects.filter(window_start__lt=cutoff).delete()
    gone, _ = FailureBackoff.objects.filter(last_failure_at__lt=cutoff).delete()
    return removed + gone
