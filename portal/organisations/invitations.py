"""Invitations to join an organisation of any kind: creating one, the checks on acceptance, the
e-mail (sent once even when the task is redelivered) and the sweep for e-mails whose message was lost."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.enqueue import enqueue_on_commit, sweep
from portal.models import Invitation, OrganisationMembership, User

from . import OrganisationKind, kind_of

# An invitation's e-mail is enqueued on commit; after this long unsent, its message was lost.
SWEEP_GRACE = timedelta(minutes=5)


@transaction.atomic
def invitation_create(*, organisation: models.Model, by: User, email: str) -> Invitation:
    """Invite `email` to join `organisation`; the e-mail is sent after commit."""
    email = email.strip().lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    if organisation.invitations.open().filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An invitation to this address is already waiting.")})
    invitation = organisation.invitations.create(email=email, invited_by=by)
    enqueue_on_commit(kind_of(organisation).get_send_task(), invitation.pk)
    return invitation


def invitation_check(*, invitation: Invitation, user: User) -> None:
    """Raise ValidationError unless `invitation` is open and addressed to `user`."""
    if not invitation.is_open:
        raise ValidationError(_("This invitation has expired or was already used."), code="closed")
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            _("This invitation was sent to another e-mail address. Log in with that address to accept it."),
            code="wrong_user",
        )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> OrganisationMembership:
    """Join the inviting organisation; the invitation must be open and addressed to this user."""
    from .services import member_add

    model = type(invitation)
    invitation = model.objects.select_for_update().get(pk=invitation.pk)
    invitation_check(invitation=invitation, user=user)
    membership = member_add(
        organisation=invitation.organisation, user=user, role=OrganisationMembership.Role.MEMBER
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    return membership


def invitation_email_send(*, kind: OrganisationKind, invitation_id: int) -> bool:
    """E-mail the invitation link in both languages (the invitee's is not known yet); a no-op
    once sent or closed.

    Claims the e-mail with a conditional update first, so a redelivered task sends nothing twice.
    """
    model = kind.invitation
    if not model.objects.open().filter(pk=invitation_id, sent_at__isnull=True).update(sent_at=timezone.now()):
        return False
    invitation = model.objects.select_related(model.organisation_field).get(pk=invitation_id)
    context = {
        "organisation": invitation.organisation,
        "url": f"{settings.SITE_URL}{invitation.get_absolute_url()}",
    }
    with translation.override("fa"):
        subject = " ".join(render_to_string("emails/invitation_subject.txt", context).split())
    body = render_to_string("emails/invitation_body.txt", context)
    try:
        EmailMultiAlternatives(subject=subject, body=body, to=[invitation.email]).send()
    except Exception:
        model.objects.filter(pk=invitation_id).update(sent_at=None)
        raise
    return True


def invitations_sweep(*, kind: OrganisationKind) -> int:
    """Enqueue the e-mail of every open invitation whose message was lost; return how many."""
    unsent = kind.invitation.objects.open().filter(sent_at__isnull=True)
    return sweep(unsent, kind.get_send_task(), grace=SWEEP_GRACE)
