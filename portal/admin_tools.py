"""Admin helpers shared by the apps: checked action ids, a note box beside actions, actions logged
by name, and CSV export."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.admin_dates import LocalChangeList


class CheckedActionsMixin:
    """Refuse admin actions on ids that are not ids, instead of failing in the database lookup.

    Django's changelist filters `pk__in` with the posted `_selected_action` values as they come;
    "abc" there is a ValueError, a server error. Every ModelAdmin of the portal mixes this in
    (tests/portal/test_crafted_requests.py posts such ids to every changelist), so it also carries
    what every list shares: the date hierarchy by the reader's calendar.
    """

    def response_action(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        pk = self.model._meta.pk
        try:
            for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
                pk.to_python(value)
        except ValidationError:
            self.message_user(
                request, _("The selected rows are not valid; nothing was changed."), messages.WARNING
            )
            return None
        return super().response_action(request, queryset)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple:
        """What a deletion would take. When rows protect the object (an application naming a
        brokerage, a declared tie naming a person), the page lists them as the reason: Django
        would otherwise say the user may not delete them (applications are never deleted), which
        reads as a missing permission even to a superuser."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        return to_delete, model_count, set() if protected else perms_needed, protected

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        # The date hierarchy by the reader's calendar (portal/admin_dates.py).
        return LocalChangeList

    def action_checkbox(self, obj: Model) -> str:
        """Each row's checkbox, as Django's, written directly: rendering it through the form widget's
        template took a sixth of a changelist's time (25 rows)."""
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME, str(obj.pk), label,
        )  # fmt: skip


class NoteActionForm(ActionForm):
    """Adds a free-text note next to the action menu, for actions that record a reason."""

    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


def note_action(
    service: Callable[..., Any],
    *,
    description: str,
    log_label: str,
    done: Callable[[int], str],
    note_required: bool = False,
) -> Callable[..., None]:
    """Build an admin action that calls `service(<obj>=..., by=user, note=...)` for each row, logs
    it as `log_label` and says `done(count)`.

    The object's keyword is the model name (company=..., broker=...). With `note_required`, the
    action refuses to run without a note, since the note is what the members are told.
    """

    @admin.action(description=description, permissions=["change"])
    def run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        note = request.POST.get("note", "").strip()
        if note_required and not note:
            modeladmin.message_user(request, _("Write the reason in the note box first."), messages.ERROR)
            return
        keyword = queryset.model._meta.model_name
        count = 0
        for obj in queryset:
            service(**{keyword: obj}, by=request.user, note=note)
            log_action(modeladmin, request, obj, log_label, note)
            count += 1
        modeladmin.message_user(request, done(count), messages.SUCCESS)

    return run


def log_action(
    modeladmin: admin.ModelAdmin, request: HttpRequest, obj: Model, label: str, note: str = ""
) -> None:
    """Write an admin action into the object's log (its history page) by name: the label's English
    text is kept, and read in the reader's language (portal_admin.logged_change), as Django keeps
    the names of changed fields; the note as it was written."""
    with translation.override(None):
        action = {"label": str(label)}
    if note:
        action["note"] = note
    modeladmin.log_change(request, obj, [{"action": action}])


def csv_export_action(
    columns: Iterable[tuple[str, Callable[[Any], Any] | str]], *, filename: str
) -> Callable[..., HttpResponse]:
    """Build an admin action that downloads the selected rows as CSV (UTF-8 with BOM for Excel)."""
    columns = list(columns)

    @admin.action(description=_("Export selected as CSV"))
    def export_csv(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([str(header) for header, _ in columns])
        for obj in queryset:
            writer.writerow(
                [
                    spreadsheet_cell(getter(obj) if callable(getter) else _attr(obj, getter))
                    for _, getter in columns
                ]
            )
        return response

    return export_csv


def _attr(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part, "")
        if callable(obj):
            obj = obj()
    return "" if obj is None else obj


def spreadsheet_cell(value: Any) -> Any:
    """A value safe to put in a CSV or Excel cell."""
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
