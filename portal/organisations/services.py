"""Writes for organisations of every kind: members, registration, profile changes, status decisions.

The apps' services (company_register, broker_approve…) are thin names over these; the kind comes
from the organisation's model (see `OrganisationKind`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.db import save_unique
from portal.models import OrganisationMembership, User, bilingual
from portal.notifications.services import notify, notify_members
from portal.permissions import Role, staff_with_role
from portal.uploads.files import cleared_to_empty

from . import OrganisationKind, kind_of
from .permissions import other_organisation_kind

DECISION_FIELDS = ("status", "status_note", "status_changed_at", "status_changed_by_id")


def _check_fields(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")


def member_check_may_join(*, kind: OrganisationKind, user: User) -> None:
    """Raise ValidationError unless `user` may join an organisation of `kind` (one account, one
    organisation: not a second one of this kind, nor one of another kind)."""
    if kind.membership.objects.filter(user=user).exists():
        raise ValidationError(kind.texts.already_member, code="already_member")
    other = other_organisation_kind(user, kind)
    if other is not None:
        raise ValidationError(
            _("Members of %(other)s cannot also join %(this)s.")
            % {"other": other.texts.a_name, "this": kind.texts.a_name},
            code=f"{other.keyword}_member",
        )


def member_add(*, organisation: models.Model, user: User, role: str) -> OrganisationMembership:
    """Make `user` a member of `organisation` (a user works for one organisation only)."""
    kind = kind_of(organisation)
    member_check_may_join(kind=kind, user=user)
    membership = kind.membership(**{kind.membership.organisation_field: organisation}, user=user, role=role)
    save_unique(membership, message=str(kind.texts.already_member))
    user.groups.add(Group.objects.get(name=kind.member_role))
    for cache in (kind.cache_name, "_portal_roles"):
        user.__dict__.pop(cache, None)
    return membership


def managers_notify(organisation: models.Model) -> None:
    """Ask the programme managers to check a new organisation, or one whose identity changed."""
    kind = kind_of(organisation)
    for manager in staff_with_role(Role.PROGRAMME_MANAGER):
        notify(
            recipient=manager,
            kind=kind.notification_kind("registered"),
            url=kind.admin_url(organisation),
            context={kind.keyword: bilingual(organisation, "name")},
        )


@transaction.atomic
def organisation_register(*, kind: OrganisationKind, user: User, **fields: Any) -> models.Model:
    """Register an organisation (pending) with `user` as its owner and tell the programme managers."""
    relations = {name: fields.pop(name) for name in kind.relations if name in fields}
    _check_fields(fields, kind.editable_fields | {kind.key_field})
    fields = cleared_to_empty(fields)
    member_check_may_join(kind=kind, user=user)
    organisation = kind.model(**fields)
    organisation.full_clean()
    save_unique(organisation)  # the same key registered twice at once: a field error, not a 500
    for name, values in relations.items():
        getattr(organisation, name).set(values)
    member_add(organisation=organisation, user=user, role=OrganisationMembership.Role.OWNER)
    managers_notify(organisation)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: models.Model, by: User | None = None, **fields: Any) -> models.Model:
    """Change an organisation's profile; its key (national ID, licence number) never changes here.

    An approved organisation that changes its identity (what the centre checked) goes back to
    pending, recorded as a status decision, its members told why and the managers asked to check."""
    kind = kind_of(organisation)
    relations = {name: fields.pop(name) for name in kind.relations if name in fields}
    _check_fields(fields, kind.editable_fields)
    fields = cleared_to_empty(fields)
    # Compare with the stored row: a ModelForm has already copied the new values onto the instance.
    stored = kind.model.objects.select_for_update().get(pk=organisation.pk)
    changed = identity_changed_fields(stored, fields, kind.rechecked_fields)
    # The changes go onto the locked row and only they are written: what the services own (its
    # status and decision, a licence renewed meanwhile…) stays as another request left it, never
    # as the caller's instance read it at the start of the request.
    organisation = stored
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save(update_fields=[*fields, "updated_at"])
    for name, values in relations.items():
        if values is not None:
            getattr(organisation, name).set(values)
    if changed and organisation.status == kind.approved:
        decided = organisation_identity_recheck(organisation=organisation, changed=changed, by=by)
        for name in DECISION_FIELDS:
            setattr(organisation, name, getattr(decided, name))
        managers_notify(organisation)
    return organisation


def identity_changed_fields(
    stored: models.Model, fields: dict[str, object], names: Iterable[str]
) -> list[str]:
    """Which of `names` (what the centre checked) `fields` changes, compared with the stored row.

    Files compare by stored name: an upload is never equal to the file it replaces."""
    return [name for name in names if name in fields and fields[name] != getattr(stored, name)]


@transaction.atomic
def organisation_decide(
    *, organisation: models.Model, status: str, by: User | None, note: str = "", event: str = ""
) -> models.Model:
    """Lock the row, record the centre's decision and tell every member.

    The one door for every status change of an organisation: approval, rejection, suspension and
    the way back to pending. `event` names the members' e-mail (the new status by default). Any
    decision but the approval carries a note, since the note is what the members are told. A
    decision that changes nothing records nothing and notifies no one, so running an admin action
    twice is harmless."""
    kind = kind_of(organisation)
    if status not in kind.model.Status.values:
        raise ValidationError(_("Unknown decision."), code="invalid")
    if status != kind.approved and not note.strip():
        raise ValidationError(
            {"note": _("Write the reason: the members are told why.")}, code="note_required"
        )
    organisation = kind.model.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status == status:
        return organisation
    organisation.status = status
    organisation.status_note = note
    organisation.status_changed_at = timezone.now()
    organisation.status_changed_by = by
    organisation.save(
        update_fields=["status", "status_note", "status_changed_at", "status_changed_by", "updated_at"]
    )
    notify_members(
        organisation,
        kind=kind.notification_kind(event or status),
        url=organisation.get_absolute_url(),
        context={kind.keyword: bilingual(organisation, "name"), "note": note},
    )
    return organisation


def organisation_identity_recheck(
    *, organisation: models.Model, changed: list[str], by: User | None
) -> models.Model:
    """Send an approved organisation back to pending because its members changed what the centre
    checked (`changed` field names); record why and tell the members.

    Goes through the same decision as a manager's, so the row keeps who, when and why."""
    meta = type(organisation)._meta
    comma = "، " if (translation.get_language() or "").startswith("fa") else ", "
    labels = comma.join(str(meta.get_field(name).verbose_name) for name in changed)
    note = _(
        "Changed since the centre's check: %(fields)s. The centre checks the new details before "
        "the approval is restored."
    ) % {"fields": labels}
    return organisation_decide(
        organisation=organisation,
        status=kind_of(organisation).pending,
        by=by,
        note=note,
        event="identity_changed",
    )
