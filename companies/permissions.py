"""Who may see and change a company; objects outside the user's reach are 404s.

Each rule answers an `Access` (allowed, or the reason why not): see portal/access.py."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from portal.access import Access
from portal.models import User
from portal.organisations.permissions import (
    can_act_for_own,
    can_edit_organisation,
    get_own,
    is_member_of,
    organisation_is_active,
    organisation_of,
)
from portal.permissions import staff_may_view

from .models import KIND, Company


def company_of(user: User | AnonymousUser) -> Company | None:
    """The company the user works for, if any (cached on the user for the request)."""
    return organisation_of(user, KIND)


def is_member(user: User | AnonymousUser, company: Company) -> bool:
    return is_member_of(user, company)


def company_is_active(company: Company) -> Access:
    """A suspended company keeps read access to its data but cannot change it or act."""
    return organisation_is_active(company)


def can_edit_company(user: User | AnonymousUser, company: Company) -> Access:
    """A member of the company, while it is not suspended: its profile, products, applications."""
    return can_edit_organisation(user, company)


def can_act_for_own_company(user: User | AnonymousUser) -> Access:
    """The user has a company and may change it (add products, apply, respond to offers)."""
    return can_act_for_own(user, KIND)


def get_own_company(user: User | AnonymousUser) -> Company:
    """The user's company, or 404 for users without one."""
    return get_own(user, KIND)


def can_see_certificate_file(user: User | AnonymousUser, name: str) -> bool:
    """A company's certificate scan is for its members and the centre's staff only."""
    if not user.is_authenticated:
        return False
    if staff_may_view(user, "companies.view_company"):
        return True
    own = company_of(user)
    return own is not None and own.certificate_file.name == name
