"""What companies and brokerages share about invitations: the checks on acceptance and the
e-mail, sent once even when the task is redelivered."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .enqueue import enqueue_on_commit
from .models import Invitation, User


def invitation_create(*, organisation: Any, by: User, email: str, send_task: Any) -> Invitation:
    """Invite `email` to join `organisation` (a company or brokerage); e-mailed after commit.

    `organisation` has `memberships` and `invitations` relations; `send_task` is the Celery task
    that e-mails an invitation by id. Call inside a transaction.
    """
    email = email.strip().lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    if organisation.invitations.open().filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An invitation to this address is already waiting.")})
    invitation = organisation.invitations.create(email=email, invited_by=by)
    enqueue_on_commit(send_task, invitation.pk)
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


def invitation_email_send(*, invitation: Invitation, organisation: Any) -> bool:
    """E-mail the invitation link in both languages (the invitee's is not known yet).

    Claims the e-mail with a conditional update first, so a redelivered task sends nothing twice.
    """
    model = type(invitation)
    if not model.objects.open().filter(pk=invitation.pk, sent_at__isnull=True).update(sent_at=timezone.now()):
        return False
    context = {"organisation": organisation, "url": f"{settings.SITE_URL}{invitation.get_absolute_url()}"}
    with translation.override("fa"):
        subject = " ".join(render_to_string("emails/invitation_subject.txt", context).split())
    body = render_to_string("emails/invitation_body.txt", context)
    try:
        EmailMultiAlternatives(subject=subject, body=body, to=[invitation.email]).send()
    except Exception:
        model.objects.filter(pk=invitation.pk).update(sent_at=None)
        raise
    return True
