"""The admin's change history (django-simple-history), behind the same access rules as the admin.

`AuditedAdmin` replaces `admin.ModelAdmin` on the audited models' admins. Its history page lists
who changed what and when, for the objects the admin shows the user (`get_queryset`), and nothing
else: django-simple-history falls back to the last historical row of an object the queryset
hides, which would show a reviewer the history of an application assigned to someone else. The
library's per-version page is left out: it could POST a revert past the services and the final
records (support.final), and the list already shows every change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject, ModelChange, ModelDelta
from simple_history.template_utils import HistoricalRecordContextHelper

from portal.admin_display import local_display

# Bookkeeping that changes with every save and tells nothing the row's date does not.
UNDIFFED = {"id", "created_at", "updated_at"}


class ChangeDisplay(HistoricalRecordContextHelper):
    """Values as people read them: choices by their label, dates and numbers as the admin's lists
    show them (portal.admin_display), nothing as a dash."""

    def prepare_delta_change_value(self, change: Any, value: Any) -> Any:
        if value is None or value == "" or (isinstance(value, DeletedObject) and value.pk is None):
            return "—"
        field = self.model._meta.get_field(change.field)
        if field.choices and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        shown = local_display(value, field)
        return super().prepare_delta_change_value(change, value) if shown is None else shown


class AuditedAdmin(SimpleHistoryAdmin):
    object_history_template = "simple_history/object_history.html"
    object_history_list_template = "simple_history/object_history_list.html"

    def get_urls(self) -> list:
        return admin.ModelAdmin.get_urls(self)  # without the library's revert page

    def history_view_title(self, request: HttpRequest, obj: Any) -> str:
        return _("History of %(object)s") % {"object": obj}

    def get_historical_record_context_helper(
        self, request: HttpRequest, historical_record: Any
    ) -> ChangeDisplay:
        return ChangeDisplay(self.model, historical_record)

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Any, foreign_keys_are_objs: bool = True
    ) -> None:
        # Every tracked field, not only the editable ones the library compares: the status, the
        # decision and the reviewer are set by the workflow, never typed in a form.
        newer = None
        for older in historical_records:  # newest first
            if newer is not None:
                changes = [
                    _change(field, older, newer)
                    for field in newer.tracked_fields
                    if _differs(field, older, newer)
                ]
                delta = ModelDelta(changes, [c.field for c in changes], older, newer)
                helper = self.get_historical_record_context_helper(request, newer)
                newer.history_delta_changes = helper.context_for_delta_changes(delta)
            newer = older

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # As Django's own history page: an object the user cannot see "does not exist".
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        extra = {**self.history_extra_context(request, obj), **(extra_context or {})}
        return super().history_view(request, object_id, extra)

    def history_extra_context(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        """More for the history page of `obj`, e.g. the history of rows edited inline on its page."""
        return {}


def _differs(field: models.Field, older: Any, newer: Any) -> bool:
    return field.name not in UNDIFFED and getattr(older, field.attname) != getattr(newer, field.attname)


def _change(field: models.Field, older: Any, newer: Any) -> ModelChange:
    def value(record: Any) -> Any:
        if not isinstance(field, models.ForeignKey):
            return getattr(record, field.attname)
        try:  # the related row itself (selected with the history), or what is left of it
            return getattr(record, field.name)
        except ObjectDoesNotExist:
            return DeletedObject(field.related_model, getattr(record, field.attname))

    return ModelChange(field.name, value(older), value(newer))
