"""Who may see and change a company; objects outside the user's reach are 404s.

Each rule answers an `Access` (allowed, or the reason why not): see portal/access.py."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from portal.access import ALLOWED, Access, refuse
from portal.models import User
from portal.permissions import staff_may_view

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


def company_is_active(company: Company) -> Access:
    """A suspended company keeps read access to its data but cannot change it or act."""
    if company.status == Company.Status.SUSPENDED:
        return refuse(_("Your company is suspended by the centre: its data can be read but not changed."))
    return ALLOWED


def can_edit_company(user: User | AnonymousUser, company: Company) -> Access:
    """A member of the company, while it is not suspended: its profile, products, applications."""
    if not is_member(user, company):
        return refuse(_("Only the company's members can change it."))
    return company_is_active(company)


def can_act_for_own_company(user: User | AnonymousUser) -> Access:
    """The user has a company and may change it (add products, apply, respond to offers)."""
    company = company_of(user)
    if company is None:
        return refuse(_("Register your company first."))
    return can_edit_company(user, company)


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
    if staff_may_view(user, "companies.view_company"):
        return True
    own = company_of(user)
    return own is not None and own.certificate_file.name == name
