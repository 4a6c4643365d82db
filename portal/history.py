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
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin


class AuditedAdmin(SimpleHistoryAdmin):
    object_history_template = "simple_history/object_history.html"
    object_history_list_template = "simple_history/object_history_list.html"

    def get_urls(self) -> list:
        return admin.ModelAdmin.get_urls(self)  # without the library's revert page

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # As Django's own history page: an object the user cannot see "does not exist".
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)
