"""Pagination for lists over large tables (the catalog, the API, the admin)."""

from __future__ import annotations

import json
from math import ceil
from typing import Any

from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class LargeTablePaginator(Paginator):
    """A paginator for lists of large tables: exact counts only while they are cheap.

    Counting every row (100,000 products, 20,000 applications) cost more than the page itself, on
    every view. This counts at most `cap` rows (a LIMIT inside the COUNT); beyond that, on
    PostgreSQL, it takes the planner's estimate of the filtered query (one EXPLAIN, no rows read),
    and `estimated` tells the template to say "about". Pages past the estimate still open, and a
    page says another follows whenever one does (the page the estimate calls the last reads one
    row more to know).
    Anything else with a count() (a ranked search) is counted its own way.
    """

    cap = 2000
    estimated = False

    def __init__(self, *args: Any, cap: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cap is not None:
            self.cap = cap

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            counted = super().count
            self.estimated = getattr(queryset, "estimated", False)  # e.g. a ranked search
            return counted
        counted = queryset.order_by()[: self.cap + 1].count()
        if counted <= self.cap or connections[queryset.db].vendor != "postgresql":
            return counted if counted <= self.cap else queryset.count()
        self.estimated = True
        return max(counted, planner_rows(queryset))

    def validate_number(self, number: Any) -> int:
        self.count  # noqa: B018 - decides whether the count is an estimate (get_page asks first)
        if not self.estimated:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 0
        # An estimate is no upper bound: a page past it is just short. But not any number: a
        # huge one is an offset the database refuses, and deep pages cost a scan each.
        if number > 2 * ceil(self.count / self.per_page) + 1:
            raise EmptyPage(_("That page contains no results"))
        return max(number, 1)

    def page(self, number: Any) -> Page:
        self.count  # noqa: B018 - decides whether the count is an estimate
        if not self.estimated:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        # On the page the estimate calls the last, one row more says whether another follows:
        # the estimate may fall short of the rows there are.
        peek = number >= self.num_pages
        rows = list(self.object_list[bottom : bottom + self.per_page + peek])
        if len(rows) > self.per_page:
            rows = rows[: self.per_page]
            self._set_count(max(self.count, bottom + len(rows) + 1))
        elif (rows or number == 1) and (len(rows) < self.per_page or peek):
            # The last page: the exact count is known after all.
            self._set_count(bottom + len(rows))
            self.estimated = False
        return self._get_page(rows, number, self)

    def _set_count(self, count: int) -> None:
        self.__dict__["count"] = count
        self.__dict__.pop("num_pages", None)


def planner_rows(queryset: QuerySet) -> int:
    """PostgreSQL's estimate of how many rows `queryset` returns (EXPLAIN, nothing executed)."""
    plan = queryset.order_by().explain(format="json")
    if not plan:  # Django knew the answer is empty (an out-of-range filter) and asked nothing
        return 0
    return int(json.loads(plan)[0]["Plan"]["Plan Rows"])
