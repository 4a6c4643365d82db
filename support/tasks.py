"""Support tasks: screening on submission, overdue-review reminders and escalation, the weekly summary.

Each fetches by id (or selects what is due) and calls a service, the workflow or a selector.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from portal.enqueue import sweep
from portal.tasks import PortalTask

from . import services, workflow
from .models import Application, Status
from .selectors import weekly_summary_figures
from .services import SCREENING_MAX_ATTEMPTS


@shared_task(base=PortalTask)
def application_screen(application_id: int) -> str:
    """Screen a submitted application; a redelivered task finds it already moved on and stops."""
    application = Application.objects.filter(pk=application_id).first()
    return services.application_screen_attempt(application=application) if application else "skipped"


@shared_task(base=PortalTask)
def reviews_overdue_remind() -> int:
    """Remind reviewers, once a day, of applications under review past the programme's period."""
    today = timezone.localdate()
    due = list(Application.objects.overdue().exclude(last_reminded_on=today).only("pk"))
    return sum(
        services.application_reviewers_remind(application=application, today=today) for application in due
    )


@shared_task(base=PortalTask)
def managers_weekly_summary() -> int:
    """Send programme managers the week's figures: applications by status and amounts granted."""
    return services.managers_weekly_summary_send(figures=weekly_summary_figures())


@shared_task(base=PortalTask)
def applications_screen_sweep() -> int:
    """Queue screening for applications still "submitted" a few minutes on (a lost message)."""
    waiting = Application.objects.filter(
        status=Status.SUBMITTED, screening_attempts__lt=SCREENING_MAX_ATTEMPTS
    )
    return sweep(waiting, application_screen, grace=timedelta(minutes=5), since="submitted_at")


@shared_task(base=PortalTask)
def applications_overdue_escalate() -> int:
    """Escalate to the programme managers, once each, applications waiting past the promised date."""
    ids = list(Application.objects.to_escalate().order_by("review_due_at").values_list("pk", flat=True)[:500])
    return sum(workflow.application_escalate(application=Application(pk=pk)) for pk in ids)
