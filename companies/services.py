"""Writes for companies: registration, profile changes, verification, members, certificate warnings.

The organisation core (portal/organisations) does the work for every kind of organisation;
these are the company's names for it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse

from portal.models import User, bilingual
from portal.notifications.services import notify_members
from portal.organisations import invitations
from portal.organisations import services as organisations

from .models import KIND, Company, CompanyInvitation, CompanyMembership


def company_member_add(*, company: Company, user: User, role: str) -> CompanyMembership:
    """Make `user` a member of `company` (a user works for one organisation only)."""
    return organisations.member_add(organisation=company, user=user, role=role)


def company_register(*, user: User, **fields: Any) -> Company:
    """Register a company (pending) with `user` as its owner and tell the programme managers."""
    return organisations.organisation_register(kind=KIND, user=user, **fields)


def company_update(*, company: Company, by: User | None = None, **fields: Any) -> Company:
    """Change the editable fields of a company; the national ID never changes here.

    A verified company that changes its identity (name, certificate) goes back to pending."""
    return organisations.organisation_update(organisation=company, by=by, **fields)


def company_verify(*, company: Company, by: User, note: str = "") -> Company:
    """Mark a company verified and tell its members."""
    return organisations.organisation_decide(
        organisation=company, status=Company.Status.VERIFIED, by=by, note=note
    )


def company_suspend(*, company: Company, by: User, note: str) -> Company:
    """Suspend a company (its products leave the catalog) and tell its members why."""
    return organisations.organisation_decide(
        organisation=company, status=Company.Status.SUSPENDED, by=by, note=note
    )


def company_invite(*, company: Company, by: User, email: str) -> CompanyInvitation:
    """Invite a colleague by e-mail; the link expires after seven days."""
    return invitations.invitation_create(organisation=company, by=by, email=email)


def invitation_accept(*, invitation: CompanyInvitation, user: User) -> CompanyMembership:
    """Join the inviting company; the invitation must be open and addressed to this user."""
    return invitations.invitation_accept(invitation=invitation, user=user)


@transaction.atomic
def company_certificate_expiry_warn(*, company: Company) -> bool:
    """Warn the members that the knowledge-based certificate nears its end, once per expiry date."""
    company = Company.objects.select_for_update().get(pk=company.pk)
    if company.certificate_warned_for == company.certificate_expiry:
        return False  # a concurrent run got here first
    notify_members(
        company,
        kind="company_certificate_expiring",
        url=reverse("companies:edit"),
        context={"company": bilingual(company, "name"), "expiry": company.certificate_expiry.isoformat()},
    )
    company.certificate_warned_for = company.certificate_expiry
    company.save(update_fields=["certificate_warned_for", "updated_at"])
    return True
