"""Writes for companies: registration, profile changes, verification, members.

The organisation core (portal/organisations) does the work for every kind of organisation;
these are the company's names for it."""

from __future__ import annotations

from typing import Any

from portal.models import User
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
