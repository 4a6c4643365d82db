from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import CompanyInvitation


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def company_invitation_send(invitation_id: int) -> bool:
    """E-mail an invitation link (in both languages: we do not know the invitee's yet)."""
    invitation = (
        CompanyInvitation.objects.open()
        .select_related("company", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return False
    # Claim the e-mail first, so a redelivered task sends nothing twice.
    claimed = CompanyInvitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    context = {
        "invitation": invitation,
        "company": invitation.company,
        "url": f"{settings.SITE_URL}{invitation.get_absolute_url()}",
    }
    with translation.override("fa"):
        subject = " ".join(render_to_string("emails/company_invitation_subject.txt", context).split())
    body = render_to_string("emails/company_invitation_body.txt", context)
    try:
        EmailMultiAlternatives(subject=subject, body=body, to=[invitation.email]).send()
    except Exception:
        CompanyInvitation.objects.filter(pk=invitation.pk).update(sent_at=None)
        raise
    return True
