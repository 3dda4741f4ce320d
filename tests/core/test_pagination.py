"""Keyset pages walk a list in order, forward and back, each row once; the capped count
counts no further than its cap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import signing
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from uslugi.agencies.constants import DayKind
from uslugi.agencies.models import Holiday
from uslugi.core.pagination import BadCursor, CappedCount, Keyset, after_q, capped_count

FIRST = dt.date(2031, 1, 1)
# Ties in the leading fields (kind, note); the last (the date, the key) is unique.
PAGES = Keyset(("kind", "note", "pk"), 3, salt="tests.pagination")


def _days(marks: list[tuple[bool, int]]) -> None:
    Holiday.objects.filter(date__gte=FIRST).delete()
    Holiday.objects.bulk_create(
        [
            Holiday(
                date=FIRST + dt.timedelta(days=n),
                kind=DayKind.HOLIDAY if holiday else DayKind.WORKING,
                note=f"note {note}",
            )
            for n, (holiday, note) in enumerate(marks)
        ]
    )


def _rows() -> Any:
    return Holiday.objects.filter(date__gte=FIRST)


def _key(day: Holiday) -> tuple[str, str, dt.date]:
    return (day.kind, day.note, day.date)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    marks=st.lists(st.tuples(st.booleans(), st.integers(0, 2)), max_size=14),
    per_page=st.integers(1, 5),
)
def test_next_and_previous_walk_every_row_once_in_order(
    marks: list[tuple[bool, int]], per_page: int
) -> None:
    _days(marks)
    pages = Keyset(("kind", "note", "pk"), per_page, salt="tests.pagination")
    expected = sorted(_key(day) for day in _rows())
    walked = [pages.page(_rows())]
    while walked[-1].next_cursor:
        walked.append(pages.page(_rows(), walked[-1].next_cursor))
    assert [_key(day) for page in walked for day in page] == expected
    assert all(len(page) == per_page for page in walked[:-1])
    assert not walked[0].previous_cursor
    # Back from the last page: the same pages, in reverse, to the first.
    back = [walked[-1]]
    while back[-1].previous_cursor:
        back.append(pages.page(_rows(), back[-1].previous_cursor))
    assert [[_key(d) for d in page] for page in back] == [
        [_key(d) for d in page] for page in reversed(walked)
    ]


@pytest.mark.django_db
def test_a_page_after_its_rows_are_gone_links_back() -> None:
    _days([(True, 0)] * 7)
    link = PAGES.page(_rows()).next_cursor
    assert [d.date.day for d in PAGES.page(_rows(), link)] == [4, 5, 6]
    Holiday.objects.filter(date__gte=FIRST + dt.timedelta(days=3)).delete()
    gone = PAGES.page(_rows(), link)
    assert (list(gone), gone.next_cursor) == ([], "")
    assert [d.date.day for d in PAGES.page(_rows(), gone.previous_cursor)] == [1, 2, 3]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        signing.dumps({"d": "a", "v": ["holiday", "x", "2031-01-01"]}, salt="other.salt"),
        signing.dumps({"d": "x", "v": ["holiday", "x", "2031-01-01"]}, salt="tests.pagination"),
        signing.dumps({"d": "a", "v": ["holiday", "2031-01-01"]}, salt="tests.pagination"),
        signing.dumps({"d": "a", "v": ["holiday", "x", "not a date"]}, salt="tests.pagination"),
        signing.dumps(["a"], salt="tests.pagination"),
    ],
)
def test_a_cursor_not_made_here_is_refused(cursor: str) -> None:
    with pytest.raises(BadCursor):
        PAGES.page(_rows(), cursor)


def test_the_position_filter_starts_an_index_range() -> None:
    condition = after_q(("a", "b"), (1, 2))
    assert str(condition) == str(Q(a__gte=1) & (Q(a__gt=1) | (Q(a=1) & Q(b__gt=2))))
    assert str(after_q(("a",), (1,), before=True)) == str(Q(a__lt=1))
    with pytest.raises(ValueError, match="one value per field"):
        after_q(("a",), (1, 2))


@pytest.mark.django_db
def test_counts_up_to_the_cap_and_says_when_there_are_more(
    django_assert_num_queries: Any,
) -> None:
    _days([(True, 0)] * 12)
    rows = _rows().order_by("date")
    with django_assert_num_queries(1):
        assert capped_count(rows, cap=20) == CappedCount(12, capped=False)
    assert capped_count(rows, cap=12) == CappedCount(12, capped=False)
    assert capped_count(rows, cap=10) == CappedCount(10, capped=True)
    # An order the index serves: walked on PostgreSQL, left out on SQLite.
    with CaptureQueriesContext(connection) as captured:
        assert capped_count(rows, cap=10, column="date", ordered=("date",)).capped
    walked = "ORDER BY" in captured.captured_queries[0]["sql"]
    assert walked == (connection.vendor == "postgresql")
