"""How the admin shows values: dates, numbers and amounts in the reader's language.

Django's admin writes every value of a change list, of a read-only field and of an inline row
through `display_for_field` (a model field's value) or `display_for_value` (what a method returned),
from django.contrib.admin.utils, which its change list tags and change form helpers import by name.
Django offers no hook there, so `install()` wraps both where they are used, once, when the admin
starts: every admin (the portal's, and Django's own users, groups and two-factor devices) then shows
dates in the Jalali calendar with Persian digits on Persian pages (portal_tags.jdate, Gregorian in
English), numbers grouped in the page's digits (portal_tags.localnumber) and codes made of digits
in them (portal_tags.localdigits); anything else is left to Django. The same display serves the
change history (portal.history); the date boxes of the admin's forms are Jalali on Persian pages
(portal.forms.LocalDateField) and its number boxes show and take the page's digits
(portal.forms.LocalNumberInput).

An amount is read with its currency, which lives on its row (or the row's programme): the functions
above are not given the row, so `money_column` builds the column that shows an amount with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.contrib.admin import utils as admin_utils
from django.core.validators import EMPTY_VALUES
from django.db import models

from portal.templatetags.portal_tags import jdate, localdigits, localnumber, money

_django_display_for_field = admin_utils.display_for_field
_django_display_for_value = admin_utils.display_for_value


def local_display(value: Any, field: models.Field | None = None) -> str | None:
    """`value` as the page writes it, or None where Django's own display stands (choices, yes/no,
    names of related rows, text)."""
    if field is not None and (field.flatchoices or isinstance(field, models.BooleanField)):
        return None
    if isinstance(value, bool) or value in EMPTY_VALUES:
        return None
    if isinstance(value, dt.datetime):
        return jdate(value, with_time=True)
    if isinstance(value, dt.date):
        return jdate(value)
    if isinstance(value, int | Decimal | float):
        # An id is a name, not an amount: its digits, ungrouped.
        return localdigits(value) if field is not None and field.primary_key else localnumber(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return localdigits(value)  # a code of digits (an HS code, a national id), as forms show it
    return None


def display_for_field(
    value: Any, field: models.Field, empty_value_display: str, avoid_link: bool = False
) -> Any:
    shown = local_display(value, field)
    if shown is None:
        return _django_display_for_field(value, field, empty_value_display, avoid_link)
    return shown


def display_for_value(value: Any, empty_value_display: str, boolean: bool = False) -> Any:
    shown = None if boolean else local_display(value)
    return _django_display_for_value(value, empty_value_display, boolean) if shown is None else shown


def install() -> None:
    """Show the admin's values through local_display; Jalali date boxes and date filters.

    Called before the admins are registered: each ModelAdmin copies the form field defaults when
    it is created."""
    from django.contrib.admin import helpers, options
    from django.contrib.admin.filters import FieldListFilter
    from django.contrib.admin.templatetags import admin_list

    from portal.admin_dates import LocalDateFieldListFilter
    from portal.forms import LocalDateField, LocalDateInput, LocalNumberInput

    for module in (admin_list, helpers):
        module.display_for_field = display_for_field
    admin_list.display_for_value = display_for_value
    defaults = options.FORMFIELD_FOR_DBFIELD_DEFAULTS
    defaults[models.DateField] = {"form_class": LocalDateField, "widget": LocalDateInput}
    # Number boxes in the page's digits, typed in any (a browser's number box shows ASCII only);
    # Django's classes kept for their widths.
    for field, css, mode in (
        (models.IntegerField, "vIntegerField", "numeric"),
        (models.BigIntegerField, "vBigIntegerField", "numeric"),
        (models.DecimalField, "", "decimal"),
        (models.FloatField, "", "decimal"),
    ):
        attrs = {"inputmode": mode, **({"class": css} if css else {})}
        defaults[field] = {"widget": LocalNumberInput(attrs)}
    # A date field named in list_filter: "This month" and "This year" by the reader's calendar.
    FieldListFilter.register(
        lambda field: isinstance(field, models.DateField), LocalDateFieldListFilter, take_priority=True
    )


def money_column(
    model: type[models.Model], field: str, *, currency: str = "currency"
) -> Callable[[admin.ModelAdmin, models.Model], str]:
    """A column (or read-only field) of `model`'s admin showing the amount `field` with its currency:
    "۱۲٬۵۰۰٫۰۰ USD". `currency` names the field holding it, through relations with "__"
    (`money_column(Application, "requested_amount", currency="program__currency")`); a list that
    shows the column selects those relations (list_select_related)."""
    label = model._meta.get_field(field).verbose_name

    @admin.display(description=label, ordering=field)
    def column(modeladmin: admin.ModelAdmin, obj: models.Model) -> str:
        amount = getattr(obj, field)
        if amount is None:
            return modeladmin.get_empty_value_display()
        code: Any = obj
        for part in currency.split("__"):
            code = getattr(code, part)
        return money(amount, code)

    return column
