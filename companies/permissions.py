"""Who may see and change a company; objects outside the user's reach are 404s."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from portal.models import User

from .models import Company, CompanyMembership


def company_of(user: User | AnonymousUser) -> Company | None:
    """The company the user works for, if any (cached on the user for the request)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_company_cache"):
        membership = CompanyMembership.objects.select_related("company").filter(user=user).first()
        user._company_cache = membership.company if membership else None
    return user._company_cache


def is_member(user: User | AnonymousUser, company: Company) -> bool:
    own = company_of(user)
    return own is not None and own.pk == company.pk


def can_edit_company(user: User | AnonymousUser, company: Company) -> bool:
    # Suspended companies keep read access to their data but cannot change it.
    return is_member(user, company) and company.status != Company.Status.SUSPENDED


def get_own_company(user: User | AnonymousUser) -> Company:
    """The user's company, or 404 for users without one."""
    company = company_of(user)
    if company is None:
        raise Http404("no company")
    return company


def can_see_certificate_file(user: User | AnonymousUser, name: str) -> bool:
    """A company's certificate scan is for its members and the centre's staff only."""
    if not user.is_authenticated:
        return False
    if user.is_staff and user.has_perm("companies.view_company"):
        return True
    own = company_of(user)
    return own is not None and own.certificate_file.name == name
