from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_tools import CheckedActionsMixin
from portal.enqueue import enqueue
from portal.models import ApiToken, Notification, SecurityEvent, TargetCountry, User
from portal.tasks import notification_email_send
from portal.templatetags.portal_tags import localnumber

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
        message = ngettext("%(n)s e-mail queued.", "%(n)s e-mails queued.", len(ids))
        self.message_user(request, message % {"n": localnumber(len(ids))}, messages.SUCCESS)


class SuperusersReadOnly(CheckedActionsMixin):
    """A record only superusers read and nobody adds or edits (the security log, API tokens)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(SuperusersReadOnly, admin.ModelAdmin):
    """The security log: superusers read it; nobody adds, edits or deletes events."""

    list_display = ["created_at", "kind", "username", "ip_address", "path", "detail", "user_agent_short"]
    list_filter = ["kind", "created_at"]
    search_fields = ["username", "=ip_address", "path", "detail"]
    list_select_related = ["user"]
    readonly_fields = [f.name for f in SecurityEvent._meta.fields]
    show_full_result_count = False
    list_per_page = 50

    @admin.display(description=_("browser or client"))
    def user_agent_short(self, event: SecurityEvent) -> str:
        return event.user_agent[:60]


@admin.register(ApiToken)
class ApiTokenAdmin(SuperusersReadOnly, admin.ModelAdmin):
    """Integrations' tokens: superusers see them and may revoke (delete) one; the token is never shown."""

    list_display = ["name", "user", "token_key", "created", "expiry", "last_used_at"]
    search_fields = ["name", "user__email", "token_key"]
    list_select_related = ["user"]
    fields = ["name", "user", "token_key", "created", "expiry", "last_used_at"]
    readonly_fields = fields

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser
