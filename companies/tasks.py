"""Company tasks: invitation e-mails and the certificate-expiry warnings (services do the work)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from portal.organisations.invitations import invitation_email_send, invitations_sweep
from portal.tasks import PortalTask

from .models import CERTIFICATE_WARNING_DAYS, KIND, Company
from .services import company_certificate_expiry_warn


@shared_task(base=PortalTask)
def company_invitation_send(invitation_id: int) -> bool:
    """E-mail an invitation to join a company; a no-op once sent or closed."""
    return invitation_email_send(kind=KIND, invitation_id=invitation_id)


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
    return invitations_sweep(kind=KIND)
