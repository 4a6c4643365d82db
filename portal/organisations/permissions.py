"""Who may see and change an organisation of any kind; objects outside the user's reach are 404s.

Each rule answers an `Access` (allowed, or the reason why not): see portal/access.py."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import Http404

from portal.access import ALLOWED, Access, refuse
from portal.models import User

from . import OrganisationKind, all_kinds, kind_of


def organisation_of(user: User | AnonymousUser, kind: OrganisationKind) -> models.Model | None:
    """The organisation of this kind the user works for, if any (cached on the user for the request)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, kind.cache_name):
        membership = (
            kind.membership.objects.select_related(kind.membership.organisation_field)
            .filter(user=user)
            .first()
        )
        setattr(user, kind.cache_name, membership.organisation if membership else None)
    return getattr(user, kind.cache_name)


def organisation_read(user: User | AnonymousUser, kind: OrganisationKind) -> models.Model | None:
    """The organisation of this kind `organisation_of` found for the user in this request, without
    a query: None when it has not been asked yet, or found none."""
    return getattr(user, kind.cache_name, None)


def other_organisation_kind(user: User | AnonymousUser, kind: OrganisationKind) -> OrganisationKind | None:
    """The other kind of organisation the user already works for (one account, one organisation)."""
    if not user.is_authenticated:
        return None
    return next((k for k in all_kinds() if k is not kind and hasattr(user, k.user_relation)), None)


def is_member_of(user: User | AnonymousUser, organisation: models.Model) -> bool:
    own = organisation_of(user, kind_of(organisation))
    return own is not None and own.pk == organisation.pk


def organisation_is_active(organisation: models.Model) -> Access:
    """A suspended organisation keeps read access to its data but cannot change it or act."""
    kind = kind_of(organisation)
    if organisation.status == kind.suspended:
        return refuse(kind.texts.suspended)
    return ALLOWED


def can_edit_organisation(user: User | AnonymousUser, organisation: models.Model) -> Access:
    """A member of the organisation, while it is not suspended."""
    if not is_member_of(user, organisation):
        return refuse(kind_of(organisation).texts.only_members)
    return organisation_is_active(organisation)


def can_act_for_own(user: User | AnonymousUser, kind: OrganisationKind) -> Access:
    """The user has an organisation of this kind and may change it."""
    organisation = organisation_of(user, kind)
    if organisation is None:
        return refuse(kind.texts.register_first)
    return can_edit_organisation(user, organisation)


def get_own(user: User | AnonymousUser, kind: OrganisationKind) -> models.Model:
    """The user's organisation of this kind, or 404 for users without one."""
    organisation = organisation_of(user, kind)
    if organisation is None:
        raise Http404(f"no {kind.keyword}")
    return organisation
