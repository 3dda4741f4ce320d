"""Pagination of long lists without counting them to the end.

`CappedPaginator` counts at most `cap` + 1 rows (`SELECT COUNT(*) FROM (... LIMIT n)`), so
a list of 100,000 costs what one of 5,000 does; beyond the cap the page says "more than"
and the last reachable page is the cap's. Filters, not page 4,000, find old rows.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, *, cap: int = 5000, **kwargs: Any):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):  # counting needs no order (and no sort)
            rows = rows.order_by()
        return int(rows[: self.cap + 1].count())  # type: ignore[attr-defined]

    @cached_property
    def count(self) -> int:
        """The number of rows, counted up to the cap (then the cap itself)."""
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """Whether there are more rows than the cap (the count is then a lower bound)."""
        return self._counted > self.cap
