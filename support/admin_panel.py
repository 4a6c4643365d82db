"""Who reviews what, in the admin: reassignment, declared ties (conflicts of interest) and the
reviewers' availability. Every write calls support.workflow or a short service here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin_tools import CheckedActionsMixin
from portal.forms import LocalDateField
from portal.models import User
from portal.permissions import Role, is_manager, staff_with_role
from portal.templatetags.portal_tags import jdate, localnumber

from . import services, workflow
from .models import Application, Reviewer, StaffTie, Status
from .panel import panel_of


# --- reassignment --------------------------------------------------------------------------------
class ReviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        if user.is_away_on(timezone.localdate()):
            return _("%(user)s (away until %(day)s)") % {"user": user, "day": jdate(user.away_until)}
        return str(user)


class ReassignForm(forms.Form):
    replacing = ReviewerChoiceField(
        label=_("Instead of"), queryset=User.objects.none(), required=False,
        help_text=_(
            "Which member of the panel hands over; empty for the lead reviewer, or to add a "
            "reviewer to a panel that is short of one."
        ),
    )  # fmt: skip
    reviewer = ReviewerChoiceField(label=_("New reviewer"), queryset=User.objects.none())
    note = forms.CharField(
        label=_("Note"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the application moves; it is kept on the timeline."),
    )  # fmt: skip

    def __init__(self, *args: Any, application: Application, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        panel = [seat.reviewer_id for seat in panel_of(application)]
        self.fields["replacing"].queryset = User.objects.filter(pk__in=panel)
        self.fields["reviewer"].queryset = staff_with_role(Role.REVIEWER).order_by("full_name", "email")


def reassign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme manager moves a seat on the application's panel to another reviewer."""
    if not is_manager(request.user):
        raise PermissionDenied
    application = get_object_or_404(Application.objects.select_related("program", "company"), pk=pk)
    form = ReassignForm(request.POST or None, application=application)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.application_reassign(
                application=application,
                by=request.user,
                to=form.cleaned_data["reviewer"],
                replacing=form.cleaned_data["replacing"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The application is reassigned."))
            return HttpResponseRedirect(reverse("admin:support_application_change", args=[pk]))
    context = {
        **admin.site.each_context(request),
        "title": _("Reassign %(reference)s") % {"reference": application.reference or application.pk},
        "application": application,
        "panel": panel_of(application),
        "form": form,
        "opts": Application._meta,
        "under_review": application.status == Status.UNDER_REVIEW,
    }
    return render(request, "admin/support/application_reassign.html", context)


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- declared ties -------------------------------------------------------------------------------
class StaffTieForm(forms.ModelForm):
    class Meta:
        model = StaffTie
        fields = ["user", "company", "broker", "nature", "note"]


@admin.register(StaffTie)
class StaffTieAdmin(CheckedActionsMixin, admin.ModelAdmin):
    """Staff declare their ties here; managers see every declaration and approve or reject it."""

    form = StaffTieForm
    list_display = ["user", "company", "broker", "nature", "status", "created_at", "decided_by"]
    list_filter = ["status", "nature"]
    list_select_related = ["user", "company", "broker", "decided_by"]
    search_fields = [
        "user__email", "user__full_name", "company__name_fa", "company__name_en", "broker__name_fa",
        "broker__name_en",
    ]  # fmt: skip
    autocomplete_fields = ["company", "broker"]
    readonly_fields = ["status", "decided_by", "decided_at", "created_at"]
    actions = ["approve", "reject"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffTie]:
        ties = super().get_queryset(request)
        return ties if is_manager(request.user) else ties.filter(user=request.user)

    def get_form(self, request: HttpRequest, obj: StaffTie | None = None, **kwargs: Any) -> type:
        form = super().get_form(request, obj, **kwargs)
        if "user" in form.base_fields:
            staff = User.objects.filter(is_staff=True, is_active=True)
            if not is_manager(request.user):  # others declare their own ties only
                staff = staff.filter(pk=request.user.pk)
            form.base_fields["user"].queryset = staff
            form.base_fields["user"].initial = request.user.pk
        return form

    def has_change_permission(self, request: HttpRequest, obj: StaffTie | None = None) -> bool:
        # A declaration is not edited after the fact: declare another one instead.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: StaffTie | None = None) -> bool:
        return False  # the record of who declared what stays

    def _decide(self, request: HttpRequest, queryset: QuerySet[StaffTie], status: str) -> None:
        try:
            for tie in queryset:
                services.staff_tie_decide(tie=tie, by=request.user, status=status)
        except PermissionDenied as error:
            self.message_user(request, str(error) or _("Not allowed."), messages.ERROR)
            return
        count = len(queryset)
        message = ngettext("%(n)s declaration updated.", "%(n)s declarations updated.", count)
        self.message_user(request, message % {"n": localnumber(count)}, messages.SUCCESS)

    @admin.action(description=_("Approve the declared ties"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[StaffTie]) -> None:
        self._decide(request, queryset, StaffTie.Status.APPROVED)

    @admin.action(description=_("Reject: not a conflict of interest"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[StaffTie]) -> None:
        self._decide(request, queryset, StaffTie.Status.REJECTED)


# --- availability --------------------------------------------------------------------------------
class ReviewerAvailabilityForm(forms.ModelForm):
    away_until = LocalDateField(label=_("away until"), required=False)

    class Meta:
        model = Reviewer
        fields = ["away_until"]


@admin.register(Reviewer)
class ReviewerAdmin(CheckedActionsMixin, admin.ModelAdmin):
    """Managers see each reviewer's load and set when they are away; nothing else about them."""

    form = ReviewerAvailabilityForm
    list_display = ["email", "full_name", "is_active", "away_until", "load"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "is_active", "away_until"]
    readonly_fields = ["email", "full_name", "is_active"]
    ordering = ["full_name", "email"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Reviewer]:
        current = Q(
            review_assignments__application__status=Status.UNDER_REVIEW,
            review_assignments__review_round=F("review_assignments__application__review_round"),
            review_assignments__ended_at__isnull=True,
        )
        return Reviewer.objects.filter(is_staff=True, groups__name=Role.REVIEWER.value).annotate(
            load=Count("review_assignments", filter=current)
        )

    @admin.display(description=_("applications under review"), ordering="load")
    def load(self, reviewer: Reviewer) -> int:
        return reviewer.load

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reviewers are users; this page only says when they are away

    def has_delete_permission(self, request: HttpRequest, obj: Reviewer | None = None) -> bool:
        return False
