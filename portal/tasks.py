"""Thin Celery tasks: they take ids, call a service and return.

`PortalTask` is the one retry policy every task of the project runs under
(`@shared_task(base=PortalTask)`): no task repeats it in its decorator.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from smtplib import SMTPException

import redis
from celery import Task, shared_task
from django.core.mail import EmailMessage
from django.utils import timezone
from kombu.exceptions import OperationalError

from portal.enqueue import sweep
from portal.http.once import form_tokens_prune
from portal.models import Notification
from portal.notifications.services import notification_email_deliver, notifications_read_delete

logger = logging.getLogger(__name__)

# Failures that a later try may not meet: a mail server or the network briefly away (an OSError;
# SMTPException is one, named for the reader), the broker or the Redis cache unreachable. Anything
# else (a bug, a missing row) fails at once: retrying would only repeat it.
TRANSIENT_ERRORS = (
    OSError,
    SMTPException,
    OperationalError,
    redis.ConnectionError,
    redis.TimeoutError,
)


class PortalTask(Task):
    """Late acknowledgement and bounded retries with exponential backoff and jitter."""

    # Acknowledged only once done, and redelivered if the worker dies meanwhile: every task is
    # idempotent (it claims its work with a conditional update, or finds it done).
    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = 30  # seconds before the first retry, doubling each time ...
    retry_backoff_max = 30 * 60  # ... up to half an hour
    retry_jitter = True  # a random share of that, so that tasks failed together do not retry together
    max_retries = 5  # then the task fails; its record stays for the sweeps


SWEEP_BATCH = 500
SWEEP_GRACE = timedelta(minutes=1)


@shared_task(base=PortalTask)
def notification_email_send(notification_id: int) -> bool:
    """Send a notification's e-mail; a no-op when it was already sent or claimed."""
    return notification_email_deliver(notification_id=notification_id)


@shared_task(base=PortalTask)
def notification_emails_sweep() -> int:
    """Enqueue every e-mail still pending (or lost while sending); return how many."""
    return sweep(
        Notification.objects.email_due(), notification_email_send, grace=SWEEP_GRACE, limit=SWEEP_BATCH
    )


@shared_task(base=PortalTask)
def notifications_prune(days: int = 365) -> int:
    """Delete read notifications older than `days`, and used form tokens older than a month."""
    now = timezone.now()
    # A page kept open (or a back button pressed) for a month may create its object again.
    form_tokens_prune(before=now - timedelta(days=30))
    return notifications_read_delete(before=now - timedelta(days=days))


@shared_task(base=PortalTask)
def email_send(*, subject: str, body: str, to: list[str]) -> None:
    """Send a one-off e-mail (password resets) that has no notification row."""
    EmailMessage(subject=subject, body=body, to=to).send()
