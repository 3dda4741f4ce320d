from __future__ import annotations

import datetime as dt
import uuid

from uslugi.core import clock
from uslugi.core.ids import new_id


def test_new_ids_are_uuid7_and_time_ordered() -> None:
    ids = [new_id() for _ in range(200)]
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert len(set(ids)) == 200
    stamps = [i.int >> 80 for i in ids]
    assert stamps == sorted(stamps)


def test_clock_is_aware_and_can_be_frozen() -> None:
    assert clock.now().tzinfo is not None
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with clock.frozen(moment):
        assert clock.now() == moment
        assert clock.today() == dt.date(2026, 1, 2)
    assert clock.now() != moment
