"""The admin of every kind of organisation: the status is read-only and changes only through
decision actions (with the note the members are told), members and invitations are inline, and
invitations have a read-only list of their own."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from portal.admin_tools import CheckedActionsMixin, NoteActionForm, note_action
from portal.models import User
from portal.templatetags.portal_tags import localnumber

from . import OrganisationKind, kind_of
from .services import organisation_decide

DECISION_FIELDS = ["status", "status_note", "status_changed_at", "status_changed_by"]


class MembershipInline(admin.TabularInline):
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


class InvitationInline(admin.TabularInline):
    """Who was invited and whether they came; invitations are sent by members, never from here."""

    extra = 0
    fields = ["email", "invited_by", "created_at", "expires_at", "accepted_at", "sent_at"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("invited_by")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


def organisation_inlines(kind: OrganisationKind) -> list[type[InlineModelAdmin]]:
    """The membership and invitation inlines of one kind of organisation."""
    return [
        type(f"{kind.membership.__name__}Inline", (MembershipInline,), {"model": kind.membership}),
        type(f"{kind.invitation.__name__}Inline", (InvitationInline,), {"model": kind.invitation}),
    ]


class OrganisationAdminMixin(CheckedActionsMixin):
    """Mixed into an organisation's ModelAdmin: decisions as actions, members and invitations inline."""

    action_form = NoteActionForm
    date_hierarchy = "created_at"
    list_select_related = ["status_changed_by"]
    readonly_fields = [*DECISION_FIELDS, "created_at", "updated_at"]

    def __init__(self, model: type[Model], admin_site: admin.AdminSite) -> None:
        self.inlines = [*organisation_inlines(kind_of(model)), *self.inlines]
        super().__init__(model, admin_site)


def decision_action(kind: OrganisationKind, status: str, *, description: str) -> Any:
    """An admin action that decides `status` for the selected organisations and tells their members;
    any decision but the approval needs the reason in the note box."""

    def decide(*, by: User, note: str, **organisation: Model) -> Model:
        (selected,) = organisation.values()
        return organisation_decide(organisation=selected, status=status, by=by, note=note)

    def done(count: int) -> str:
        return kind.texts.decided % {"n": count, "shown": localnumber(count)}

    label = dict(kind.model._meta.get_field("status").flatchoices)[status]
    return note_action(
        decide, description=description, log_label=label, done=done, note_required=status != kind.approved
    )


class InvitationAdmin(CheckedActionsMixin, admin.ModelAdmin):
    """The invitations of one kind of organisation, read-only: members send them from their page."""

    exclude = ["token"]

    def __init__(self, model: type[Model], admin_site: admin.AdminSite) -> None:
        field = model.organisation_field
        self.list_display = ["email", field, "invited_by", "created_at", "expires_at", "accepted_at"]
        self.search_fields = ["email", f"{field}__name_fa", f"{field}__name_en"]
        self.list_select_related = [field, "invited_by"]
        self.readonly_fields = [field, "email", "invited_by", "expires_at", "accepted_at", "sent_at"]
        super().__init__(model, admin_site)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
