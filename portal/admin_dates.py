"""Dates in the admin's list filters, by the reader's calendar.

On Persian pages the date hierarchy above a list (`date_hierarchy`) goes by Jalali years, months and
days ("آبان ۱۴۰۵"), and the date filters' "This month" and "This year" mean the Jalali month and
year; English pages keep Django's Gregorian ones. The hierarchy's links use Django's parameters
(`created_at__year=1405&created_at__month=8`): a year below 1700 is a Jalali year, read as its
range of days by `LocalChangeList`, so a link means the same days in either language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jdatetime
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.i18n.languages import number_style
from portal.templatetags.portal_tags import JALALI_MONTHS

# Below it a year is Jalali (1300-1699), from it Gregorian: no date of the portal is ambiguous.
FIRST_GREGORIAN_YEAR = 1700
JALALI_MONTHS_LATIN = (
    "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
    "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
)  # fmt: skip


def jalali_span(year: int, month: int | None = None, day: int | None = None) -> tuple[dt.date, dt.date]:
    """The Gregorian days a Jalali year, month or day covers: [first, day after the last).
    Raises ValueError for a date the Jalali calendar does not have."""
    if day is not None:
        first = jdatetime.date(year, month or 1, day).togregorian()
        return first, first + dt.timedelta(days=1)
    if month is not None:
        after = (year + 1, 1) if month == 12 else (year, month + 1)
        return jdatetime.date(year, month, 1).togregorian(), jdatetime.date(*after, 1).togregorian()
    return jdatetime.date(year, 1, 1).togregorian(), jdatetime.date(year + 1, 1, 1).togregorian()


def _bound(field: models.Field, day: dt.date) -> dt.date | dt.datetime:
    """The start of `day` as the field compares it: local midnight for a date and time."""
    if isinstance(field, models.DateTimeField):
        midnight = dt.datetime.combine(day, dt.time.min)
        return timezone.make_aware(midnight) if settings.USE_TZ else midnight
    return day


def _int_params(params: dict[str, Any], field_name: str) -> tuple[int | None, ...]:
    """The hierarchy's year, month and day in a list's parameters (each a text, or a list of them)."""
    values = []
    for part in ("year", "month", "day"):
        value = params.get(f"{field_name}__{part}")
        if isinstance(value, list):
            value = value[-1] if value else None
        try:
            values.append(int(value) if value else None)
        except ValueError as error:
            raise IncorrectLookupParameters(error) from error
    return tuple(values)


class LocalChangeList(ChangeList):
    """Django's list, reading a Jalali year (and month and day) of the date hierarchy as its days."""

    def get_filters_params(self, params: dict | None = None) -> dict[str, list[Any]]:
        lookup = super().get_filters_params(params)
        name = self.date_hierarchy
        if not name:
            return lookup
        year, month, day = _int_params(lookup, name)
        if year is None or year >= FIRST_GREGORIAN_YEAR:
            return lookup  # Django's own
        for part in ("year", "month", "day"):
            lookup.pop(f"{name}__{part}", None)
        try:
            first, after = jalali_span(year, month, day)
        except ValueError as error:
            raise IncorrectLookupParameters(error) from error
        field = get_fields_from_path(self.model, name)[-1]
        lookup[f"{name}__gte"] = [_bound(field, first)]
        lookup[f"{name}__lt"] = [_bound(field, after)]
        return lookup


def _to_jalali(value: dt.date | dt.datetime) -> jdatetime.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return jdatetime.date.fromgregorian(date=value)


def _title(year: int | None = None, month: int | None = None, day: int | None = None) -> str:
    """ "۱۴۰۵", "آبان ۱۴۰۵" or "۲۳ آبان", in the page's digits."""
    names = JALALI_MONTHS if number_style().jalali else JALALI_MONTHS_LATIN
    words = [str(day) if day else "", names[month - 1] if month else "", str(year) if year else ""]
    return number_style().digits_only(" ".join(word for word in words if word))


def jalali_hierarchy(cl: ChangeList) -> dict[str, Any]:
    """The context of admin/date_hierarchy.html in Jalali years, months and days; the same
    queries as Django's (the range of dates, then the dates of the level shown)."""
    name = cl.date_hierarchy
    field = get_fields_from_path(cl.model, name)[-1]
    year, month, day = _int_params(cl.params, name)
    keys = (f"{name}__year", f"{name}__month", f"{name}__day")

    def link(*values: int) -> str:
        return cl.get_query_string(dict(zip(keys, values, strict=False)), [f"{name}__"])

    if year is None:  # as Django: the narrowest level that holds every row
        span = cl.queryset.aggregate(first=models.Min(name), last=models.Max(name))
        if span["first"] is None or span["last"] is None:
            return {"show": False}
        first, last = _to_jalali(span["first"]), _to_jalali(span["last"])
        if first.year != last.year:
            years = range(first.year, last.year + 1)
            return {
                "show": True,
                "back": None,
                "choices": [{"link": link(y), "title": _title(y)} for y in years],
            }
        year, month = first.year, (first.month if first.month == last.month else None)
    if month is not None and day is not None:
        back = {"link": link(year, month), "title": _title(year, month)}
        return {"show": True, "back": back, "choices": [{"title": _title(None, month, day)}]}
    kind = "datetimes" if isinstance(field, models.DateTimeField) else "dates"
    days = sorted({_to_jalali(value) for value in getattr(cl.queryset, kind)(name, "day")})
    if month is not None:
        choices = [
            {"link": link(year, month, d.day), "title": _title(None, month, d.day)}
            for d in days
            if (d.year, d.month) == (year, month)
        ]
        return {"show": True, "back": {"link": link(year), "title": _title(year)}, "choices": choices}
    months = sorted({d.month for d in days if d.year == year})
    return {
        "show": True,
        "back": {"link": link(), "title": _("All dates")},
        "choices": [{"link": link(year, m), "title": _title(year, m)} for m in months],
    }


def uses_jalali_hierarchy(cl: ChangeList) -> bool:
    """Whether the list's date hierarchy is Jalali: on Persian pages, or with a Jalali year chosen."""
    year = _int_params(cl.params, cl.date_hierarchy)[0]
    return year < FIRST_GREGORIAN_YEAR if year is not None else number_style().jalali


class LocalDateFieldListFilter(admin.DateFieldListFilter):
    """Django's date filter, whose "This month" and "This year" are the Jalali ones on Persian pages."""

    def __init__(self, field: models.Field, request: Any, params: dict, *args: Any, **kwargs: Any) -> None:
        super().__init__(field, request, params, *args, **kwargs)
        if not number_style().jalali:
            return
        today = timezone.localdate()
        jalali = jdatetime.date.fromgregorian(date=today)
        month, year = jalali_span(jalali.year, jalali.month), jalali_span(jalali.year)
        since, until = self.lookup_kwarg_since, self.lookup_kwarg_until
        links = list(self.links)
        # Django's order: any date, today, past 7 days, this month, this year (then no date, has date).
        for index, (first, after) in ((3, month), (4, year)):
            links[index] = (links[index][0], {since: _bound(field, first), until: _bound(field, after)})
        self.links = tuple(links)
