from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from portal.models import bilingual
from portal.notifications import notify_members
from portal.organisations.invitations import invitation_email_send, invitations_sweep

from .models import CERTIFICATE_WARNING_DAYS, KIND, Company


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def company_invitation_send(invitation_id: int) -> bool:
    """E-mail an invitation to join a company; a no-op once sent or closed."""
    return invitation_email_send(kind=KIND, invitation_id=invitation_id)


@shared_task(acks_late=True)
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
        .values_list("pk", flat=True)
    )
    return sum(_warn_company(pk) for pk in list(due))


@transaction.atomic
def _warn_company(company_id: int) -> int:
    company = Company.objects.select_for_update().get(pk=company_id)
    if company.certificate_warned_for == company.certificate_expiry:
        return 0  # a concurrent run got here first
    notify_members(
        company,
        kind="company_certificate_expiring",
        url=reverse("companies:edit"),
        context={"company": bilingual(company, "name"), "expiry": company.certificate_expiry.isoformat()},
    )
    company.certificate_warned_for = company.certificate_expiry
    company.save(update_fields=["certificate_warned_for", "updated_at"])
    return 1


@shared_task(acks_late=True)
def company_invitations_sweep() -> int:
    """Send company invitations whose e-mail message was lost."""
    return invitations_sweep(kind=KIND)
