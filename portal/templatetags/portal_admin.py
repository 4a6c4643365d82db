"""The admin's own pages in the reader's language: no Save button where nothing can be saved, the
date hierarchy by the reader's calendar (portal/admin_dates.py), the change log's actions by name,
and the numbers Django's own templates and scripts write in the page's digits."""

from __future__ import annotations

import json
import re
from typing import Any

from django import template
from django.contrib.admin.models import LogEntry
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext

from portal.admin_dates import jalali_hierarchy, uses_jalali_hierarchy
from portal.i18n.languages import number_style
from portal.templatetags.portal_tags import localdigits, localnumber

register = template.Library()


@register.simple_tag(takes_context=True)
def nothing_to_save(context: template.Context) -> bool:
    """Whether a change page has nothing its user could save: every field read-only (by the admin
    or for want of the permission), and no inline row to add, change or delete. Django offers Save
    whenever the user holds the change permission, even with every field read-only."""
    form = context.get("adminform")
    if context.get("add") or form is None:
        return False
    if form.form.visible_fields():
        return False
    return not any(_can_save_inline(inline) for inline in context.get("inline_admin_formsets", []))


def _can_save_inline(inline: Any) -> bool:
    formset = inline.formset
    if inline.has_add_permission:
        return True
    if inline.has_delete_permission and formset.can_delete and formset.initial_forms:
        return True
    return inline.has_change_permission and any(form.visible_fields() for form in formset.initial_forms)


@register.inclusion_tag("admin/date_hierarchy.html")
def local_date_hierarchy(cl: ChangeList) -> dict[str, Any] | None:
    """`{% date_hierarchy cl %}`, in Jalali years, months and days on Persian pages."""
    return jalali_hierarchy(cl) if uses_jalali_hierarchy(cl) else date_hierarchy(cl)


@register.simple_tag
def local_paginator_number(cl: ChangeList, number: int | str) -> str:
    """`{% paginator_number cl i %}` in the page's digits."""
    if number == cl.paginator.ELLIPSIS:
        return format_html("{} ", number)
    if number == cl.page_num:
        return format_html('<span class="this-page">{}</span> ', localdigits(number))
    end = mark_safe(' class="end"') if number == cl.paginator.num_pages else ""
    url = cl.get_query_string({PAGE_VAR: number})
    return format_html('<a href="{}"{}>{}</a> ', url, end, localdigits(number))


@register.filter
def logged_change(entry: LogEntry) -> str:
    """A log entry's message in the reader's language, with the portal's admin actions by name
    (portal.admin_tools.log_action keeps a label's English text and the note)."""
    message = entry.change_message
    if not message.startswith("["):
        return gettext(message) if message else ""  # older entries kept a label's English text
    try:
        parts = json.loads(message)
    except ValueError:
        return message
    actions = [part["action"] for part in parts if isinstance(part, dict) and "action" in part]
    if not actions:
        return entry.get_change_message()
    shown = []
    for action in actions:
        label, note = gettext(action.get("label", "")), action.get("note", "")
        shown.append(f"{label}: {note}" if note else label)
    return " ".join(shown)


# What Django's list filters add to a choice when they show counts: "Approved (12)".
_FACET_COUNT = re.compile(r" \((\d+)\)$")


@register.filter
def facet_count(display: object) -> str:
    """A list filter's choice, its count ("Show counts") in the page's digits."""
    shown = _FACET_COUNT.sub(lambda m: f" ({localnumber(m.group(1))})", str(display))
    return mark_safe(shown) if isinstance(display, SafeData) else shown  # noqa: S308 (only digits changed)


@register.simple_tag
def admin_digits_script() -> str:
    """The script that writes the numbers Django's admin scripts put in their texts (the action
    counter, the selection boxes' counts) in the page's digits and separators, given here."""
    style = number_style()
    return format_html(
        '<script src="{}" data-digits="{}" data-group="{}" data-decimal="{}" defer></script>',
        static("portal/admin-digits.js"), style.digits, style.group, style.decimal,
    )  # fmt: skip


@register.simple_tag
def counted_name(opts: Any, count: int) -> str:
    """A model's name after a count: "1 application", "63 applications"; in Persian a noun after a
    number stays singular ("۶۳ درخواست", not "۶۳ درخواست‌ها"): NumberStyle.singular_after_count."""
    one = count == 1 or number_style().singular_after_count
    return str(opts.verbose_name if one else opts.verbose_name_plural)
