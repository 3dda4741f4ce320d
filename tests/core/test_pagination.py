"""The capped paginator counts no further than its cap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from uslugi.agencies.constants import DayKind
from uslugi.agencies.models import Holiday
from uslugi.core.pagination import CappedPaginator


@pytest.mark.django_db
def test_counts_up_to_the_cap_and_says_when_there_are_more(
    django_assert_num_queries: Any,
) -> None:
    first = dt.date(2031, 1, 1)
    Holiday.objects.bulk_create(
        [Holiday(date=first + dt.timedelta(days=i), kind=DayKind.HOLIDAY) for i in range(12)]
    )
    rows = Holiday.objects.filter(date__gte=first).order_by("date")
    small = CappedPaginator(rows, 5, cap=20)
    with django_assert_num_queries(1):
        assert (small.count, small.capped, small.num_pages) == (12, False, 3)
    capped = CappedPaginator(rows, 5, cap=10)
    assert (capped.count, capped.capped, capped.num_pages) == (10, True, 2)
    assert capped.get_page(99).number == 2  # the last page within the cap
    exact = CappedPaginator(rows, 5, cap=12)
    assert (exact.count, exact.capped) == (12, False)
