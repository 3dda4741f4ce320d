"""The one source of the current time, so tests can move it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date in UTC (use `django.utils.timezone.localdate(now())` for local)."""
    return now().date()


@contextmanager
def frozen(at: dt.datetime) -> Iterator[None]:
    """Freeze `now()` at a moment (tests and simulations)."""
    global _frozen  # noqa: PLW0603 - a process-wide test switch by design
    if at.tzinfo is None:
        raise ValueError("frozen() needs an aware datetime")
    previous, _frozen = _frozen, at
    try:
        yield
    finally:
        _frozen = previous
