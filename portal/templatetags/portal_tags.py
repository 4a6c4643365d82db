"""Presentation helpers: Jalali dates and Persian digits in Persian, Gregorian elsewhere."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

import jdatetime
from django import template
from django.template import Context
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import get_language

from portal.i18n.digits import to_persian_digits

register = template.Library()

JALALI_MONTHS = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip


def _is_persian() -> bool:
    return (get_language() or "fa").startswith("fa")


@register.filter
def jdate(value: dt.date | dt.datetime | None, with_time: bool = False) -> str:
    """Show a date in the Jalali calendar with Persian digits in Persian, else Gregorian."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if not _is_persian():
        fmt = "DATETIME_FORMAT" if with_time and isinstance(value, dt.datetime) else "DATE_FORMAT"
        return formats.date_format(value, fmt)
    jd = jdatetime.date.fromgregorian(date=value if not isinstance(value, dt.datetime) else value.date())
    text = f"{jd.day} {JALALI_MONTHS[jd.month - 1]} {jd.year}"
    if with_time and isinstance(value, dt.datetime):
        text += f"، {value:%H:%M}"
    return to_persian_digits(text)


@register.filter
def jdatetime_(value: dt.datetime | None) -> str:
    return jdate(value, with_time=True)


register.filter("jdatetime", jdatetime_)


@register.filter
def localdigits(value: object) -> str:
    """Show digits in Persian when the page is Persian."""
    text = "" if value is None else str(value)
    return to_persian_digits(text) if _is_persian() else text


@register.filter
def localnumber(value: object) -> str:
    """Group thousands and show Persian digits in Persian."""
    if value in (None, ""):
        return ""
    try:
        text = f"{Decimal(str(value)):,}"
    except (InvalidOperation, ValueError):
        return str(value)
    if _is_persian():
        text = to_persian_digits(text.replace(",", "٬").replace(".", "٫"))
    return text


@register.simple_tag(takes_context=True)
def url_in_language(context: template.Context, language: str) -> str:
    """The current page's path in another language (for the language switcher's `next`)."""
    from django.urls import translate_url

    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), language)


@register.simple_tag
def current_year() -> str:
    """This year: Jalali with Persian digits in Persian, Gregorian otherwise."""
    today = timezone.localdate()
    if _is_persian():
        return to_persian_digits(str(jdatetime.date.fromgregorian(date=today).year))
    return str(today.year)


@register.filter
def loc(value: object) -> object:
    """Pick the current language from a {"fa": ..., "en": ...} pair (as stored in notifications)."""
    if not isinstance(value, dict):
        return value
    lang = (get_language() or "fa")[:2]
    other = "en" if lang == "fa" else "fa"
    return value.get(lang) or value.get(other) or ""


@register.filter
def join_local(items: object) -> str:
    """Join names with the list separator of the current language ("، " or ", ")."""
    separator = "، " if _is_persian() else ", "
    return separator.join(str(item) for item in items)


@register.filter
def jdate_iso(value: str) -> str:
    """jdate for an ISO date string (as stored in notification contexts)."""
    try:
        return jdate(dt.date.fromisoformat(value))
    except (TypeError, ValueError):
        return value


@register.simple_tag(takes_context=True)
def form_token(context: Context) -> str:
    """The hidden one-time token of a creation form (portal/http/once.py); kept when the form comes back
    with errors, so that a corrected copy and a double click of it still count as one."""
    from portal.http.once import FIELD, new_token, posted_token

    request = context.get("request")
    token = (posted_token(request) if request is not None else "") or new_token()
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, token)


@register.inclusion_tag("includes/_status_badge.html")
def status_badge(obj: object, field: str = "status") -> dict[str, str]:
    """`{% status_badge company %}`: the object's status as a badge, its tone from portal/badges.py.

    `field` names another status-like attribute (`{% status_badge certificate "state" %}`); its label
    is `get_<field>_display()` for a model field, else the `<field>_label` attribute."""
    from portal.badges import icon, tone

    model = obj._meta.label_lower
    value = str(getattr(obj, field))
    display = getattr(obj, f"get_{field}_display", None)
    label = display() if display is not None else getattr(obj, f"{field}_label")
    return {
        "value": value, "label": label, "tone": tone(model, value, field), "icon": icon(model, value, field),
    }  # fmt: skip


@register.filter
def status_tone(value: str, model_label: str) -> str:
    """`{{ event.to_status|status_tone:"support.application" }}`: the tone alone (timeline dots)."""
    from portal.badges import tone

    return tone(model_label, value)
