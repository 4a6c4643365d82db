from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .admin_tools import CheckedActionsMixin
from .enqueue import enqueue
from .models import Notification, TargetCountry, User
from .tasks import notification_email_send

# Django's own Group admin, with the same check on action ids as the portal's admins.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(CheckedActionsMixin, DjangoGroupAdmin):
    pass


@admin.register(User)
class UserAdmin(CheckedActionsMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "preferred_language", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "preferred_language"]
    search_fields = ["email", "full_name", "phone"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "phone", "preferred_language", "email_notifications")}),
        (
            _("Roles and permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "preferred_language", "password1", "password2"),
            },
        ),
    )


@admin.register(TargetCountry)
class TargetCountryAdmin(CheckedActionsMixin, admin.ModelAdmin):
    list_display = ["iso_code", "name_fa", "name_en", "buyer_status", "is_active"]
    list_filter = ["buyer_status", "is_active"]
    list_editable = ["buyer_status", "is_active"]
    search_fields = ["iso_code", "name_fa", "name_en"]
    fieldsets = (
        (None, {"fields": ("iso_code", "name_fa", "name_en", "buyer_status", "is_active")}),
        (_("Regulation"), {"fields": ("regulatory_notes_fa", "regulatory_notes_en")}),
        (_("Logistics"), {"fields": ("logistics_notes_fa", "logistics_notes_en")}),
    )


@admin.register(Notification)
class NotificationAdmin(CheckedActionsMixin, admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "email_status", "email_attempts"]
    list_filter = ["email_status", "kind", "language"]
    search_fields = ["title", "recipient__email"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["resend_email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Send the e-mail again"), permissions=["change"])
    def resend_email(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        # Never to people who turned e-mail off: their rows stay "skipped".
        queryset = queryset.exclude(email_status=Notification.EmailStatus.SKIPPED)
        ids = list(queryset.values_list("pk", flat=True))
        queryset.update(email_status=Notification.EmailStatus.PENDING, email_attempts=0)
        for pk in ids:
            enqueue(notification_email_send, pk)
        self.message_user(
            request,
            ngettext("%(n)d e-mail queued.", "%(n)d e-mails queued.", len(ids)) % {"n": len(ids)},
            messages.SUCCESS,
        )
