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
    and `estimated` tells the template to say "about". Anything else with a count() (a ranked
    search) is counted its own way; its `at_least` says the count is a lower bound ("more than").

    Pages past an estimate still open, up to twice the estimate's pages or `deepest`, whichever
    is more (not any number: a huge one is an offset the database refuses, and deep pages cost a
    scan each). A page says another follows whenever one does, up to that limit: the page the
    estimate calls the last reads one row more to know. A page past the end of the rows there are
    opens no list: it is an EmptyPage (a 404 in the API), and `get_page` shows the real last one.
    """

    cap = 2000
    deepest = 100
    estimated = False
    at_least = False

    def __init__(self, *args: Any, cap: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if cap is not None:
            self.cap = cap

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            counted = super().count
            # A ranked search counts up to a cap: past it, its count is a lower bound.
            self.estimated = self.at_least = getattr(queryset, "at_least", False)
            return counted
        counted = queryset.order_by()[: self.cap + 1].count()
        if counted <= self.cap or connections[queryset.db].vendor != "postgresql":
            return counted if counted <= self.cap else queryset.count()
        self.estimated = True
        return max(counted, planner_rows(queryset))

    def is_estimated(self) -> bool:
        """Whether the count is an estimate or a lower bound (counting first if need be)."""
        _ = self.count  # counting decides it
        return self.estimated

    def last_page_open(self) -> int:
        """The last page number that opens while the count is an estimate."""
        return max(2 * ceil(self.count / self.per_page) + 1, self.deepest)

    def _expect(self, number: Any) -> None:
        """Tell a list that can read its page with its count (a ranked search) which rows the
        page asked for will read."""
        expect = getattr(self.object_list, "expect", None)
        if expect is None or "count" in self.__dict__:
            return
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
            number = 1
        if number > self.deepest:
            # Deeper pages are rare, and some are past anything the database reads (an offset out
            # of bigint's range): they are read after the count, as the page's number allows.
            return
        # One row more than the page: the page the count calls the last reads it (`page`).
        expect((number - 1) * self.per_page, self.per_page + 1)

    def validate_number(self, number: Any) -> int:
        self._expect(number)
        if not self.is_estimated():
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 0
        if number > self.last_page_open():
            raise EmptyPage(_("That page contains no results"))
        return max(number, 1)

    def page(self, number: Any) -> Page:
        self._expect(number)
        if not self.is_estimated():
            return super().page(number)
        number = self.validate_number(number)
        bottom, deepest = (number - 1) * self.per_page, number >= self.last_page_open()
        # On the page the estimate calls the last, one row more says whether another follows:
        # the estimate may fall short of the rows there are. Not on the last page that opens.
        peek = number >= self.num_pages and not deepest
        rows = list(self.object_list[bottom : bottom + self.per_page + peek])
        if not rows and number > 1:
            raise EmptyPage(_("That page contains no results"))
        if len(rows) > self.per_page:
            rows = rows[: self.per_page]
            self._set_count(max(self.count, bottom + len(rows) + 1))
        elif len(rows) < self.per_page or peek:
            # The last page: the exact count is known after all.
            self._set_count(bottom + len(rows))
            self.estimated = self.at_least = False
        elif deepest:  # more may follow, but no page past this one opens
            self._set_count(bottom + len(rows))
        return self._get_page(rows, number, self)

    def get_page(self, number: Any) -> Page:
        try:
            return super().get_page(number)
        except EmptyPage:
            # Past the end of an estimated list (a typed or an old address): the real last page,
            # found by counting the rows before the page asked for (at most the pages that open).
            try:
                asked = self.validate_number(number)
            except EmptyPage:
                asked = self.num_pages
            before = (asked - 1) * self.per_page
            rows = self.object_list
            found = rows.order_by()[:before].count() if isinstance(rows, QuerySet) else len(rows[:before])
            self._set_count(found)
            self.estimated = self.at_least = False
            return super().page(self.num_pages)

    def _set_count(self, count: int) -> None:
        self.__dict__["count"] = count
        self.__dict__.pop("num_pages", None)


def planner_rows(queryset: QuerySet) -> int:
    """PostgreSQL's estimate of how many rows `queryset` returns (EXPLAIN, nothing executed)."""
    plan = queryset.order_by().explain(format="json")
    if not plan:  # Django knew the answer is empty (an out-of-range filter) and asked nothing
        return 0
    return int(json.loads(plan)[0]["Plan"]["Plan Rows"])
