"""The member pages every kind of organisation has: register, its dashboard ("mine"), edit the
profile, invite a colleague and accept an invitation.

An app makes one `OrganisationPages` with its kind, form and templates, and routes its URLs to the
views it holds (`pages.register`, `pages.mine`…)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts import lockout
from portal.forms import add_service_errors
from portal.organisations.forms import InviteForm

from . import OrganisationKind, invitations, kind_of, services
from .permissions import can_edit_organisation, get_own, organisation_of, other_organisation_kind

View = Callable[..., HttpResponse]
DashboardContext = Callable[[HttpRequest, models.Model], dict[str, Any]]


def invite_from_request(request: HttpRequest, send: Callable[[str], object]) -> None:
    """Check the posted e-mail address, call `send(email)`, and report the outcome as messages."""
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            send(form.cleaned_data["email"])
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        for error in form.errors.get("email", []) + form.non_field_errors():
            messages.error(request, error)
    else:
        messages.success(request, _("The invitation has been sent."))


def status_alert(organisation: models.Model) -> str:
    """What the dashboard says of the centre's decision: "pending", "refused" (any status but
    pending and approved: rejected, suspended) or nothing."""
    kind = kind_of(organisation)
    if organisation.status == kind.pending:
        return "pending"
    return "" if organisation.status == kind.approved else "refused"


class OrganisationPages:
    """The member pages of one kind of organisation, as view functions."""

    def __init__(
        self,
        *,
        kind: OrganisationKind,
        form_class: type[forms.ModelForm],
        form_template: str,
        dashboard_template: str,
        dashboard_context: DashboardContext | None = None,
    ) -> None:
        self.kind = kind
        self.form_class = form_class
        self.form_template = form_template
        self.dashboard_template = dashboard_template
        self.dashboard_context = dashboard_context or (lambda request, organisation: {})
        get_or_post = require_http_methods(["GET", "POST"])
        self.register: View = login_required(get_or_post(self._register))
        self.mine: View = login_required(require_GET(self._mine))
        self.edit: View = login_required(get_or_post(self._edit))
        self.invite: View = login_required(require_POST(self._invite))
        self.invitation_accept: View = login_required(get_or_post(self._invitation_accept))

    def _register(self, request: HttpRequest) -> HttpResponse:
        kind = self.kind
        if organisation_of(request.user, kind):
            return redirect(f"{kind.namespace}:mine")
        other = other_organisation_kind(request.user, kind)
        if other is not None:  # one organisation per account
            messages.info(
                request,
                _("You are a member of %(other)s; %(this)s needs its own account.")
                % {"other": other.texts.a_name, "this": kind.texts.a_name},
            )
            return redirect(f"{other.namespace}:mine")
        form = self.form_class(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.organisation_register(kind=kind, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, kind.texts.registered)
                return redirect(f"{kind.namespace}:mine")
        return render(request, self.form_template, {"form": form, "creating": True})

    def _mine(self, request: HttpRequest) -> HttpResponse:
        kind = self.kind
        organisation = organisation_of(request.user, kind)
        if organisation is None:
            return redirect(f"{kind.namespace}:register")
        context = {
            kind.keyword: organisation,
            "organisation": organisation,
            "members": organisation.memberships.select_related("user").order_by("created_at"),
            "invitations": organisation.invitations.open(),
            "invite_form": InviteForm(),
            "invite_url": kind.url("invite"),
            "can_edit": can_edit_organisation(request.user, organisation),
            "status_alert": status_alert(organisation),
            **self.dashboard_context(request, organisation),
        }
        return render(request, self.dashboard_template, context)

    def _edit(self, request: HttpRequest) -> HttpResponse:
        kind = self.kind
        organisation = get_own(request.user, kind)
        can_edit_organisation(request.user, organisation).require()
        form = self.form_class(request.POST or None, request.FILES or None, instance=organisation)
        if request.method == "POST" and form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != kind.key_field}
            was_approved = organisation.status == kind.approved
            try:
                organisation = services.organisation_update(
                    organisation=organisation, by=request.user, **data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, kind.texts.saved)
                if was_approved and organisation.status != kind.approved:
                    messages.warning(request, kind.texts.sent_back)
                return redirect(f"{kind.namespace}:mine")
        context = {"form": form, "creating": False, "cancel_url": kind.url("mine")}
        return render(request, self.form_template, context)

    def _invite(self, request: HttpRequest) -> HttpResponse:
        organisation = get_own(request.user, self.kind)
        can_edit_organisation(request.user, organisation).require()
        invite_from_request(
            request,
            lambda email: invitations.invitation_create(
                organisation=organisation, by=request.user, email=email
            ),
        )
        return redirect(f"{self.kind.namespace}:mine")

    def _invitation_accept(self, request: HttpRequest, token: str) -> HttpResponse:
        if not lockout.door_is_open(request, counters=(lockout.ADDRESS,)):
            return lockout.lockout_response(request)
        model = self.kind.invitation
        invitation = lockout.secret_link_object(
            request, model.objects.select_related(model.organisation_field), door="invitation", token=token
        )
        if request.method == "POST":
            try:
                invitations.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("You are now a member of %(organisation)s.")
                    % {"organisation": invitation.organisation},
                )
                return redirect(f"{self.kind.namespace}:mine")
        return render(
            request,
            "includes/invitation_accept.html",
            {"invitation": invitation, "organisation": invitation.organisation},
        )
