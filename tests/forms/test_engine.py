from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from uslugi.core import clock
from uslugi.forms.engine import StepForm, relative_date

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("today", TODAY),
        ("+30d", dt.date(2026, 12, 25)),
        ("-18y", dt.date(2008, 11, 25)),
        ("-6m", dt.date(2026, 5, 25)),
        ("+3m", dt.date(2027, 2, 25)),
    ],
)
def test_relative_date(spec: str, expected: dt.date) -> None:
    assert relative_date(spec, TODAY) == expected


def test_month_end_is_clamped() -> None:
    assert relative_date("+1m", dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)
    assert relative_date("-1y", dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)


STEP: dict[str, Any] = {
    "id": "one",
    "title": "One",
    "fields": [
        {"name": "born", "type": "date", "label": "Born", "required": True, "max_date": "-18y"},
        {"name": "visit", "type": "date", "label": "Visit", "min_date": "today"},
        {"name": "count", "type": "number", "label": "Count", "min": 1, "max": 5},
        {"name": "fee", "type": "money", "label": "Fee"},
        {"name": "code", "type": "text", "label": "Code", "pattern": "^[A-Z]{3}$"},
    ],
}


def _form(data: dict[str, str]) -> StepForm:
    return StepForm(data, step=STEP, saved={}, locked={})


def test_dates_relative_to_today() -> None:
    with clock.frozen(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)):
        assert not _form({"born": "2010-01-01"}).is_valid()
        assert not _form({"born": "1990-01-01", "visit": "2026-11-24"}).is_valid()
        form = _form({"born": "1990-01-01", "visit": "2026-11-25"})
        assert form.is_valid(), form.errors
        assert form.answers()["born"] == "1990-01-01"


@pytest.mark.parametrize(
    ("data", "ok"),
    [
        ({"count": "0"}, False),
        ({"count": "6"}, False),
        ({"count": "3"}, True),
        ({"code": "abc"}, False),
        ({"code": "ABC"}, True),
        ({"fee": "12.5"}, True),
    ],
)
def test_min_max_and_pattern(data: dict[str, str], ok: bool) -> None:
    assert _form({"born": "1990-01-01", **data}).is_valid() is ok


def test_answers_are_json() -> None:
    form = _form({"born": "1990-01-01", "count": "3", "fee": "12.5"})
    assert form.is_valid()
    answers = form.answers()
    assert answers["count"] == 3
    assert answers["fee"] == "12.50"
    assert answers["visit"] is None
