"""Working days by the production calendar: Monday to Friday, less the non-working days
of `Holiday`, plus the weekend days a transfer made working."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from uslugi.agencies.constants import DayKind
from uslugi.agencies.models import Holiday

SATURDAY = 5
CALENDAR_FILE = Path(__file__).parent / "data" / "calendar.yaml"


def calendar_rows(path: Path = CALENDAR_FILE) -> list[dict[str, Any]]:
    """The days of a calendar file as {date, kind, note}."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows = []
    for _year, kinds in sorted(data.items()):
        for kind in (DayKind.HOLIDAY, DayKind.WORKING):
            for day, note in kinds.get(str(kind)) or []:
                rows.append({"date": day, "kind": str(kind), "note": str(note)[:120]})
    return rows


def calendar_load(path: Path = CALENDAR_FILE) -> int:
    """Put the file's days into the calendar (a day already there takes the file's kind)."""
    rows = calendar_rows(path)
    with transaction.atomic():
        for row in rows:
            Holiday.objects.update_or_create(
                date=row["date"], defaults={"kind": row["kind"], "note": row["note"]}
            )
    return len(rows)


def _exceptions(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    return dict(Holiday.objects.filter(date__gt=start, date__lte=end).values_list("date", "kind"))


def is_working(day: dt.date, exceptions: dict[dt.date, str] | None = None) -> bool:
    if exceptions is None:
        exceptions = _exceptions(day - dt.timedelta(days=1), day)
    kind = exceptions.get(day)
    if kind is not None:
        return kind == DayKind.WORKING
    return day.weekday() < SATURDAY


def add(start: dt.date, n: int) -> dt.date:
    """The `n`-th working day after `start` (`start` itself is not counted; 0: `start`)."""
    if n <= 0:
        return start
    # Enough room for the longest run of days off (the New Year holidays), in one query.
    horizon = start + dt.timedelta(days=n * 2 + 30)
    exceptions = _exceptions(start, horizon)
    day, left = start, n
    while left:
        day += dt.timedelta(days=1)
        if day > horizon:
            horizon = day + dt.timedelta(days=n * 2 + 30)
            exceptions |= _exceptions(day - dt.timedelta(days=1), horizon)
        if is_working(day, exceptions):
            left -= 1
    return day
