"""Pagination of long lists: keyset pages and a count that stops at a cap.

`Keyset` pages through rows in a fixed ascending order of some fields, the last of them
unique. A page is "the next `per_page` rows after (or before) this row", so page 200
costs what page 1 does: the database starts the index scan at the position instead of
reading and dropping every row before it (`OFFSET`). The position travels as a signed
cursor in the query string; the pages link "previous" and "next", not by number.

`capped_count` counts at most `cap` + 1 rows (`SELECT COUNT(*) FROM (... LIMIT n)`), so a
list of 100,000 costs what one of 5,000 does; beyond the cap the page says "more than".
Filters, not page 4,000, find old rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model, Q, QuerySet

AFTER, BEFORE = "a", "b"


class BadCursor(ValueError):
    """A cursor that was not made here, or no longer fits the list's fields."""


def after_q(fields: Sequence[str], values: Sequence[Any], *, before: bool = False) -> Q:
    """The rows after (or before) `values` in the ascending order of `fields`.

    `a >= x AND (a > x OR (a = x AND (b > y OR (b = y AND c > z))))`: the leading
    `>=` on the first field lets an index on the fields start its range at the position.
    """
    if not fields or len(fields) != len(values):
        raise ValueError("one value per field")
    strict, loose = ("lt", "lte") if before else ("gt", "gte")
    found = Q(**{f"{fields[-1]}__{strict}": values[-1]})
    for name, value in zip(reversed(fields[:-1]), reversed(values[:-1]), strict=True):
        found = Q(**{f"{name}__{strict}": value}) | (Q(**{name: value}) & found)
    if len(fields) > 1:
        found = Q(**{f"{fields[0]}__{loose}": values[0]}) & found
    return found


@dataclass(frozen=True)
class KeysetPage:
    """One page: its rows and the cursors of the pages around it ("" when none)."""

    object_list: list[Any]
    previous_cursor: str = ""
    next_cursor: str = ""

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):  # datetime is a date
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


class Keyset:
    """Pages of `per_page` rows in the ascending order of `fields` (local fields of the
    model; the last one unique, e.g. "pk")."""

    def __init__(self, fields: Sequence[str], per_page: int, *, salt: str) -> None:
        self.fields = tuple(fields)
        self.per_page = per_page
        self.salt = salt

    def _dump(self, direction: str, values: Sequence[Any]) -> str:
        plain = [_plain(value) for value in values]
        return signing.dumps({"d": direction, "v": plain}, salt=self.salt, compress=True)

    def _cursor(self, row: Model, direction: str) -> str:
        return self._dump(direction, [getattr(row, name) for name in self.fields])

    def _position(self, model: type[Model], cursor: str) -> tuple[str, list[Any]]:
        try:
            data = signing.loads(cursor, salt=self.salt)
            direction, values = data["d"], data["v"]
            if direction not in (AFTER, BEFORE) or len(values) != len(self.fields):
                raise BadCursor(cursor)
            meta = model._meta
            return direction, [
                (meta.pk if name == "pk" else meta.get_field(name)).to_python(value)  # type: ignore[union-attr]
                for name, value in zip(self.fields, values, strict=True)
            ]
        except (signing.BadSignature, ValidationError, KeyError, TypeError, ValueError) as exc:
            raise BadCursor(cursor) from exc

    def page(self, rows: QuerySet[Any], cursor: str = "") -> KeysetPage:
        """The page the cursor points at (the first one without a cursor).

        Raises `BadCursor` for a cursor that does not decode: the caller decides whether
        that is the first page (a web page) or an error (an API)."""
        ahead = self.per_page + 1
        if not cursor:
            found = list(rows.order_by(*self.fields)[:ahead])
            shown = found[: self.per_page]
            more = len(found) > self.per_page
            return KeysetPage(shown, next_cursor=self._cursor(shown[-1], AFTER) if more else "")
        direction, values = self._position(rows.model, cursor)
        if direction == AFTER:
            found = list(rows.filter(after_q(self.fields, values)).order_by(*self.fields)[:ahead])
            shown = found[: self.per_page]
            more = len(found) > self.per_page
            return KeysetPage(
                shown,
                # Back from here: the rows before this page's first (or before the position
                # itself, when the rows after it have gone since).
                previous_cursor=(
                    self._cursor(shown[0], BEFORE) if shown else self._dump(BEFORE, values)
                ),
                next_cursor=self._cursor(shown[-1], AFTER) if more else "",
            )
        backwards = [f"-{name}" for name in self.fields]
        earlier = rows.filter(after_q(self.fields, values, before=True))
        found = list(earlier.order_by(*backwards)[:ahead])
        shown = found[: self.per_page][::-1]
        more = len(found) > self.per_page
        if not more:  # back at the start: the first page, as it is now
            return self.page(rows)
        return KeysetPage(
            shown,
            previous_cursor=self._cursor(shown[0], BEFORE),
            next_cursor=self._cursor(shown[-1], AFTER),
        )


@dataclass(frozen=True)
class CappedCount:
    """How many rows, counted up to a cap; `capped`: there are more (`value` is the cap)."""

    value: int
    capped: bool


def capped_count(
    rows: QuerySet[Any], cap: int = 5000, *, column: str = "pk", ordered: Sequence[str] = ()
) -> CappedCount:
    """The rows, counted up to `cap`, without the related rows shown (no joins).

    `column`: one the list's index holds (the count then reads the index alone; SQLite's
    indexes hold the rowid, not a UUID key). `ordered`, on PostgreSQL: an order the
    list's index serves. Stopping at `cap` + 1 is then a walk along the index, which the
    planner prefers to a sequential scan however it misjudges how many rows match (on
    fresh statistics it sometimes scanned the whole table to find a few thousand). Not on
    SQLite: without statistics, its planner would pick an index for the order over the
    one that holds the filtered columns. Otherwise no order, so no sort."""
    order = ordered if connection.vendor == "postgresql" else ()
    counted = rows.order_by(*order).values(column)[: cap + 1].count()
    return CappedCount(min(counted, cap), counted > cap)
