"""Presentation helpers: dates, numbers and digits in each language's style (portal/i18n/languages.py):
Jalali dates and Persian digits in Persian, Gregorian elsewhere, Arabic-Indic digits in Arabic."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import jdatetime
from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template import Context
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language

from portal.i18n.languages import number_style, pick_from
from portal.i18n.paths import path_in_language

register = template.Library()

JALALI_MONTHS = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip


@register.filter
def jdate(value: dt.date | dt.datetime | None, with_time: bool = False) -> str:
    """Show a date in the Jalali calendar with Persian digits in Persian, else Gregorian in the
    language's format (with Arabic-Indic digits in Arabic)."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    style = number_style()
    if not style.jalali:
        fmt = "DATETIME_FORMAT" if with_time and isinstance(value, dt.datetime) else "DATE_FORMAT"
        return style.digits_only(formats.date_format(value, fmt))
    jd = jdatetime.date.fromgregorian(date=value if not isinstance(value, dt.datetime) else value.date())
    text = f"{jd.day} {JALALI_MONTHS[jd.month - 1]} {jd.year}"
    if with_time and isinstance(value, dt.datetime):
        text += f"، {value:%H:%M}"
    return style.digits_only(text)


@register.filter
def jdatetime_(value: dt.datetime | None) -> str:
    return jdate(value, with_time=True)


register.filter("jdatetime", jdatetime_)


@register.filter
def localdigits(value: object) -> str:
    """Show digits in the page's script (Persian, Arabic-Indic or Latin)."""
    text = "" if value is None else str(value)
    return number_style().digits_only(text)


# In markup, what is not text: tags, and character references ("&#39;").
_MARKUP = re.compile(r"(<[^>]*>|&#?\w+;)")


@register.filter
def localtext(value: object) -> str:
    """Free text with its numbers in the page's digits (NumberStyle.in_text): a stored note shows
    its figures as the reader writes them, whatever language it was written in; codes as written.
    Safe markup (a message with a link) stays markup: only its text changes."""
    text = "" if value is None else str(value)
    style = number_style()
    if not isinstance(value, SafeData):
        return style.in_text(text)
    parts = _MARKUP.split(text)
    return mark_safe("".join(part if i % 2 else style.in_text(part) for i, part in enumerate(parts)))  # noqa: S308


@register.filter
def localnumber(value: object) -> str:
    """Group thousands in the page's style: 12,500.5 / ۱۲٬۵۰۰٫۵ / ١٢٬٥٠٠٫٥ / 12 500,5."""
    if value in (None, ""):
        return ""
    try:
        text = f"{Decimal(str(value)):,}"
    except (InvalidOperation, ValueError):
        return str(value)
    return number_style().localize(text)


def money_text(amount: object, currency: str) -> str:
    """An amount and its currency as the page writes them: "۱۲٬۵۰۰ USD" or "۱۲٬۵۰۰٫۵۰ USD" in
    Persian, "12,500 USD" in English (plain text: messages, names of rows); to the cent, whole
    amounts without cents (as whatever database summed them); empty without an amount."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return ""
    value = value.quantize(Decimal(1) if value == value.to_integral_value() else Decimal("0.01"))
    # A no-break space: a narrow column never leaves the currency alone on the next line.
    return f"{localnumber(value)}\u00a0{currency}" if currency else localnumber(value)


@register.filter
def money(amount: object, currency: str = "") -> str:
    """`{{ amount|money:currency }}`: money_text kept left to right in right-to-left pages, as every
    amount of the portal is (the number first, then its currency)."""
    shown = money_text(amount, currency)
    return format_html('<span dir="ltr">{}</span>', shown) if shown else ""


@register.simple_tag(takes_context=True)
def url_in_language(context: template.Context, language: str) -> str:
    """The current page's path in another language (for the language switcher's `next`).

    The URL patterns are not translated, so swapping the prefix is what Django's translate_url()
    does, without resolving the path and reversing it again (eight times a page: 2 ms)."""
    request = context.get("request")
    if request is None:
        return "/"
    return path_in_language(request.get_full_path(), language)


@register.simple_tag
def current_year() -> str:
    """This year: Jalali with Persian digits in Persian, Gregorian otherwise (in the page's digits)."""
    today = timezone.localdate()
    style = number_style()
    year = _jalali_year(today) if style.jalali else today.year
    return style.digits_only(str(year))


@lru_cache(maxsize=4)
def _jalali_year(day: dt.date) -> int:
    """The Jalali year of a day: converted once a day, not on every page's footer."""
    return jdatetime.date.fromgregorian(date=day).year


@register.filter
def loc(value: object) -> object:
    """Pick the current language from a {"fa": ..., "en": ...} dict (as stored in notifications),
    falling back as model texts do (Arabic and Russian to English, then Persian)."""
    if not isinstance(value, dict):
        return value
    return pick_from(value)


@register.filter
def join_local(items: object) -> str:
    """Join names with the list separator of the current language ("، " or ", ")."""
    return number_style().list_separator.join(str(item) for item in items)


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


# Open Graph names a locale with its territory.
OG_LOCALES = {"fa": "fa_IR", "en": "en_US", "ar": "ar_AR", "ru": "ru_RU"}


@register.simple_tag(takes_context=True)
def page_links(context: template.Context) -> dict[str, object]:
    """The page's canonical address and its hreflang alternates, absolute.

    The canonical address is the path with its page number only: a filtered or sorted list is the
    same page to a search engine. Alternates are that address in each language, and x-default the
    address without a language, which sends a visitor to theirs."""
    request = context.get("request")
    if request is None:
        return {}
    page = request.GET.get("page", "")
    query = f"?page={page}" if page.isdigit() and int(page) > 1 else ""
    current = get_language() or settings.LANGUAGE_CODE
    alternates = [
        (code, request.build_absolute_uri(path_in_language(request.path, code) + query))
        for code, _name in settings.LANGUAGES
    ]
    canonical = dict(alternates).get(current, request.build_absolute_uri(request.path + query))
    prefix = f"/{current}/"
    unprefixed = request.path.replace(prefix, "/", 1) if request.path.startswith(prefix) else request.path
    return {
        "canonical": canonical,
        "alternates": alternates,
        "x_default": request.build_absolute_uri(unprefixed + query),
        "locale": OG_LOCALES.get(current, current),
        "alternate_locales": [
            OG_LOCALES.get(code, code) for code, _ in settings.LANGUAGES if code != current
        ],
    }


@register.simple_tag(takes_context=True)
def absolute_url(context: template.Context, path: str) -> str:
    """`path` (a page or a file's URL) as an absolute address, for tags read off the site."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None and path else path


# As in django.utils.html.json_script: nothing in the data can close the script element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def ld_json(data: dict[str, object]) -> SafeString:
    """A schema.org description as JSON-LD, empty values left out."""
    cleaned = {key: value for key, value in data.items() if value not in (None, "", [], {})}
    text = json.dumps(cleaned, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 - escaped above
