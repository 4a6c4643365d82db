"""Writes for companies: registration, profile changes, verification, members, certificate warnings."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.db import save_unique
from portal.invitations import invitation_check, invitation_create
from portal.models import User, bilingual
from portal.notifications import notify, notify_members
from portal.permissions import Role, staff_with_role
from portal.services import identity_changed_fields, organisation_identity_recheck, organisation_status_set
from portal.uploads import cleared_to_empty

from .models import Company, CompanyInvitation, CompanyMembership

EDITABLE_FIELDS = {
    "name_fa", "name_en", "certificate_number", "certificate_expiry", "certificate_file",
    "company_type", "province", "city", "address", "phone", "website", "profile_fa", "profile_en",
    "logo",
}  # fmt: skip
# The company's identity as the centre verified it: a change sends a verified company back to
# pending (the national ID is never edited by members).
RECHECKED_FIELDS = (
    "name_fa", "name_en", "national_id", "certificate_number", "certificate_expiry", "certificate_file",
)  # fmt: skip


def company_member_add(*, company: Company, user: User, role: str) -> CompanyMembership:
    """Make `user` a member of `company` (a user works for one company only)."""
    if CompanyMembership.objects.filter(user=user).exists():
        raise ValidationError(_("You are already a member of a company."), code="already_member")
    if hasattr(user, "broker_membership"):  # the reverse side of brokers' membership, no import
        raise ValidationError(_("Members of a brokerage cannot also join a company."), code="broker_member")
    membership = CompanyMembership(company=company, user=user, role=role)
    save_unique(membership, message=_("You are already a member of a company."))
    user.groups.add(Group.objects.get(name=Role.COMPANY_MEMBER))
    for cache in ("_company_cache", "_portal_roles"):
        user.__dict__.pop(cache, None)
    return membership


@transaction.atomic
def company_register(*, user: User, **fields: Any) -> Company:
    """Register a company (pending) with `user` as its owner and tell the programme managers."""
    unknown = set(fields) - EDITABLE_FIELDS - {"national_id"}
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    fields = cleared_to_empty(fields)
    if CompanyMembership.objects.filter(user=user).exists():
        raise ValidationError(_("You are already a member of a company."), code="already_member")
    company = Company(**fields)
    company.full_clean()
    save_unique(company)  # the same national ID registered twice at once: a field error, not a 500
    company_member_add(company=company, user=user, role=CompanyMembership.Role.OWNER)
    _notify_managers(company)
    return company


def _notify_managers(company: Company) -> None:
    for manager in staff_with_role(Role.PROGRAMME_MANAGER):
        notify(
            recipient=manager,
            kind="company_registered",
            url=reverse("admin:companies_company_change", args=[company.pk]),
            context={"company": bilingual(company, "name")},
        )


@transaction.atomic
def company_update(*, company: Company, by: User | None = None, **fields: Any) -> Company:
    """Change the editable fields of a company; the national ID never changes here.

    A verified company that changes its identity (name, certificate) goes back to pending,
    recorded as a status decision, its members told why and the managers asked to check."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    fields = cleared_to_empty(fields)
    # Compare with the stored row: a ModelForm has already copied the new values onto `company`.
    stored = Company.objects.select_for_update().get(pk=company.pk)
    changed = identity_changed_fields(stored, fields, RECHECKED_FIELDS)
    for name, value in fields.items():
        setattr(company, name, value)
    company.status = stored.status  # a status is decided, never taken from the form's instance
    company.full_clean()
    company.save()
    if changed and stored.status == Company.Status.VERIFIED:
        decided = organisation_identity_recheck(
            organisation=company,
            changed=changed,
            pending=Company.Status.PENDING,
            by=by,
            kind="company_identity_changed",
        )
        for name in ("status", "status_note", "status_changed_at", "status_changed_by_id"):
            setattr(company, name, getattr(decided, name))
        _notify_managers(company)
    return company


@transaction.atomic
def company_verify(*, company: Company, by: User, note: str = "") -> Company:
    """Mark a company verified and tell its members."""
    return organisation_status_set(
        organisation=company, status=Company.Status.VERIFIED, by=by, note=note, kind="company_verified"
    )


@transaction.atomic
def company_suspend(*, company: Company, by: User, note: str = "") -> Company:
    """Suspend a company (its products leave the catalog) and tell its members why."""
    return organisation_status_set(
        organisation=company, status=Company.Status.SUSPENDED, by=by, note=note, kind="company_suspended"
    )


@transaction.atomic
def company_invite(*, company: Company, by: User, email: str) -> CompanyInvitation:
    """Invite a colleague by e-mail; the link expires after seven days."""
    from .tasks import company_invitation_send as company_invitation_send_task

    return invitation_create(organisation=company, by=by, email=email, send_task=company_invitation_send_task)


@transaction.atomic
def invitation_accept(*, invitation: CompanyInvitation, user: User) -> CompanyMembership:
    """Join the inviting company; the invitation must be open and addressed to this user."""
    invitation = CompanyInvitation.objects.select_for_update().get(pk=invitation.pk)
    invitation_check(invitation=invitation, user=user)
    membership = company_member_add(company=invitation.company, user=user, role=CompanyMembership.Role.MEMBER)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    return membership


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
