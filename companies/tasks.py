"""Company tasks: invitation e-mails and the certificate-expiry warnings (services do the work)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from portal.enqueue import sweep
from portal.invitations import invitation_email_send
from portal.tasks import PortalTask

from .models import CERTIFICATE_WARNING_DAYS, Company, CompanyInvitation
from .services import company_certificate_expiry_warn


@shared_task(base=PortalTask)
def company_invitation_send(invitation_id: int) -> bool:
    """E-mail an invitation to join a company; a no-op once sent or closed."""
    invitation = CompanyInvitation.objects.select_related("company").filter(pk=invitation_id).first()
    return bool(invitation) and invitation_email_send(invitation=invitation, organisation=invitation.company)


@shared_task(base=PortalTask)
def company_certificates_expiry_warn() -> int:
    """Warn members once per expiry date when the knowledge-based certificate nears its end."""
    today = timezone.localdate()
    due = (
        Company.objects.exclude(status=Company.Status.SUSPENDED)
        .filter(
            certificate_expiry__gte=today,
            certificate_expiry__lte=today + timedelta(days=CERTIFICATE_WARNING_DAYS),
        )
        .exclude(certificate_warned_for=F("certificate_expiry"))
        .only("pk")
    )
    return sum(company_certificate_expiry_warn(company=company) for company in list(due))


@shared_task(base=PortalTask)
def company_invitations_sweep() -> int:
    """Send company invitations whose e-mail message was lost."""
    unsent = CompanyInvitation.objects.open().filter(sent_at__isnull=True)
    return sweep(unsent, company_invitation_send, grace=timedelta(minutes=5))
