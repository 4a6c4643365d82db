"""Thin Celery tasks: they take ids, call a service and return."""

from __future__ import annotations

import logging
from datetime import timedelta
from smtplib import SMTPException

from celery import shared_task
from django.core.mail import EmailMessage
from django.utils import timezone

from .enqueue import enqueue
from .models import FormSubmission, Notification
from .notifications import notification_email_deliver

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
SWEEP_GRACE = timedelta(minutes=1)


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=5,
)
def notification_email_send(notification_id: int) -> bool:
    """Send a notification's e-mail; a no-op when it was already sent or claimed."""
    return notification_email_deliver(notification_id=notification_id)


@shared_task(acks_late=True)
def notification_emails_sweep() -> int:
    """Enqueue every e-mail still pending (or lost while sending); return how many."""
    # The grace period leaves just-created rows to the task enqueued on commit.
    cutoff = timezone.now() - SWEEP_GRACE
    ids = list(
        Notification.objects.email_due()
        .filter(created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in ids:
        enqueue(notification_email_send, pk)
    if ids:
        logger.info("Sweep enqueued %d pending notification e-mails", len(ids))
    return len(ids)


@shared_task(acks_late=True)
def notifications_prune(days: int = 365) -> int:
    """Delete read notifications older than `days`, and used form tokens older than a month."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    # A page kept open (or a back button pressed) for a month may create its object again.
    FormSubmission.objects.filter(created_at__lt=timezone.now() - timedelta(days=30)).delete()
    return deleted


@shared_task(acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=30, max_retries=5)
def email_send(*, subject: str, body: str, to: list[str]) -> None:
    """Send a one-off e-mail (password resets) that has no notification row."""
    EmailMessage(subject=subject, body=body, to=to).send()
