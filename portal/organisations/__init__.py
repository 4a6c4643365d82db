"""One core for the organisations the centre admits: companies, brokerages, and whatever kind comes
next (a buyer organisation, a logistics provider).

An organisation is a model with a decided `status` (`portal.models.StatusDecision`), a membership
model (`portal.models.OrganisationMembership`) and an invitation model (`portal.models.Invitation`).
Each app describes its kind once, with an `OrganisationKind` beside its models; the services
(`services.py`), the access rules (`permissions.py`), the member pages (`views.py`), the admin
(`admin.py`) and the invitation e-mails (`invitations.py`) of this package work for every kind.
One account belongs to one organisation of one kind.

A new kind (a logistics provider, say) needs: its model (`portal.models.Organisation` with a
`status` field and its `Status` choices, `objects = OrganisationQuerySet.as_manager()`), a
membership (`OrganisationMembership` plus the two foreign keys) and an invitation (`Invitation`
plus one), a `KIND = OrganisationKind(...)` beside them, a role group, two Celery tasks that call
`invitation_email_send` and `invitations_sweep`, a profile form with `OrganisationFormMixin` and
a template extending `includes/_organisation_form.html`, an `OrganisationPages` routed under its
namespace (its dashboard includes `includes/_organisation_members.html`), an admin with
`OrganisationAdminMixin` and `decision_action`, and the e-mail templates its notification kinds
name (`<kind>_registered`, `<kind>_<status>`, `<kind>_identity_changed`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.urls import reverse
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from celery import Task

    from portal.models import Invitation, OrganisationMembership

_KINDS: dict[str, OrganisationKind] = {}


@dataclass(frozen=True)
class OrganisationTexts:
    """What members read about their kind of organisation (lazy translations, one sentence each)."""

    a_name: str  # "a company": in "Members of a brokerage cannot also join a company."
    already_member: str  # joining or registering a second one of this kind
    register_first: str  # a user without an organisation of this kind asks to act for one
    only_members: str  # someone else tries to change it
    suspended: str  # a member of a suspended one tries to change it
    registered: str  # after registration
    saved: str  # after the profile was saved
    sent_back: str  # after a change of identity sent an approved one back to pending
    # After a decision on several in the admin: ngettext_lazy(..., "n"), formatted with the count
    # `n` and `shown`, the count in the reader's digits ("%(shown)s companies updated.").
    decided: str = ""


@dataclass(frozen=True)
class OrganisationKind:
    """Everything the shared core needs to know about one kind of organisation."""

    model: type[models.Model]
    membership: type[OrganisationMembership]
    invitation: type[Invitation]
    member_role: str  # the role group (portal.permissions.Role) every member joins
    namespace: str  # the app's URL namespace: <namespace>:mine, :edit, :invite, :invitation_accept
    send_task: str  # dotted path of the Celery task that e-mails one invitation by id
    approved: str  # the status in which the organisation is public and may act
    pending: str  # the status of a new one, and of one whose identity changed
    suspended: str  # the status in which its data is read-only
    key_field: str  # set at registration and never by the members afterwards (national ID, licence)
    editable_fields: frozenset[str]  # what members change on the profile form
    rechecked_fields: tuple[str, ...]  # what the centre checked: a change sends it back to pending
    texts: OrganisationTexts
    relations: tuple[str, ...] = field(default=())  # many-to-many fields set with the profile

    def __post_init__(self) -> None:
        _KINDS[self.model._meta.label_lower] = self

    @property
    def keyword(self) -> str:
        """The model's name ("company", "broker"): keyword arguments, context and notification kinds."""
        return self.model._meta.model_name

    @property
    def user_relation(self) -> str:
        """The reverse name of the membership's user field on User ("company_membership")."""
        return self.membership._meta.get_field("user").related_query_name()

    @property
    def cache_name(self) -> str:
        """Where the user's organisation of this kind is cached for the request."""
        return f"_{self.keyword}_cache"

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"{self.namespace}:{name}", kwargs=kwargs or None)

    def admin_url(self, organisation: models.Model) -> str:
        meta = self.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[organisation.pk])

    def get_send_task(self) -> Task:
        return import_string(self.send_task)

    def notification_kind(self, event: str) -> str:
        """Names the e-mail templates: company_verified, broker_rejected, company_identity_changed…"""
        return f"{self.keyword}_{event}"


def kind_of(organisation: models.Model | type[models.Model]) -> OrganisationKind:
    """The kind an organisation (or its model) belongs to."""
    return _KINDS[organisation._meta.label_lower]


def all_kinds() -> list[OrganisationKind]:
    return list(_KINDS.values())
