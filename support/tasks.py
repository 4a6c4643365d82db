"""Support tasks: screening on submission, overdue-review reminders and escalation, the weekly summary."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from portal.enqueue import enqueue
from portal.models import bilingual
from portal.notifications import notify
from portal.permissions import Role, staff_with_role

from . import workflow
from .models import GRANTED_STATES, Application, Status
from .panel import panel_of

# Screening tries per submission (the task's own retries and the sweep's together); after the
# last one the application waits in "submitted" and shows in the admin under "Screening failed".
SCREENING_MAX_ATTEMPTS = 5


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def application_screen(application_id: int) -> str:
    """Screen a submitted application; a redelivered task finds it already moved on and stops."""
    # Counted (and committed) before the work, so a try that crashes or is killed still counts.
    claimed = Application.objects.filter(
        pk=application_id, status=Status.SUBMITTED, screening_attempts__lt=SCREENING_MAX_ATTEMPTS
    ).update(screening_attempts=F("screening_attempts") + 1)
    application = Application.objects.filter(pk=application_id, status=Status.SUBMITTED).first()
    if not claimed or application is None:
        return "skipped"
    return workflow.application_screen(application=application).status


@shared_task(acks_late=True)
def reviews_overdue_remind() -> int:
    """Remind reviewers, once a day, of applications under review past the programme's period."""
    today = timezone.localdate()
    reminded = 0
    for pk in list(
        Application.objects.overdue().exclude(last_reminded_on=today).values_list("pk", flat=True)
    ):
        reminded += _remind(pk, today)
    return reminded


@transaction.atomic
def _remind(application_id: int, today) -> int:  # noqa: ANN001 - a date
    if (
        not Application.objects.filter(pk=application_id)
        .exclude(last_reminded_on=today)
        .update(last_reminded_on=today)
    ):
        return 0
    application = Application.objects.select_related("assigned_reviewer", "program").get(pk=application_id)
    # Every seat of the current round whose review is not in yet (the lead's too, seated or not).
    scored = set(
        application.reviews.filter(review_round=application.review_round).values_list("reviewer", flat=True)
    )
    waiting = {seat.reviewer for seat in panel_of(application)}
    if application.assigned_reviewer:
        waiting.add(application.assigned_reviewer)
    waiting = sorted((reviewer for reviewer in waiting if reviewer.pk not in scored), key=lambda r: r.pk)
    for reviewer in waiting:
        notify(
            recipient=reviewer,
            kind="review_overdue",
            url=f"/admin/support/application/{application.pk}/change/",
            context={"reference": application.reference, "program": bilingual(application.program, "name")},
        )
    return len(waiting)


@shared_task(acks_late=True)
def managers_weekly_summary() -> int:
    """Send programme managers the week's figures: applications by status and amounts granted."""
    week_ago = timezone.now() - timezone.timedelta(days=7)
    by_status = dict(Application.objects.values_list("status").annotate(n=Count("pk")).order_by())
    context = {
        "by_status": {status: by_status.get(status, 0) for status in Status.values},
        "submitted_this_week": Application.objects.filter(submitted_at__gte=week_ago).count(),
        # Programmes may use different currencies: one sum per currency, never added together.
        "granted_this_week": ", ".join(
            f"{total:,.2f} {currency}"
            for currency, total in Application.objects.filter(
                decided_at__gte=week_ago, status__in=GRANTED_STATES
            )
            .values_list("program__currency")
            .annotate(total=Sum("granted_amount"))
            .order_by("program__currency")
        )
        or "0",
        "overdue": Application.objects.overdue().count(),
        "week": timezone.localdate().isoformat(),
    }
    managers = staff_with_role(Role.PROGRAMME_MANAGER)
    sent = 0
    for manager in managers:
        # A redelivered run in the same week sends nothing new.
        if manager.notifications.filter(
            kind="managers_weekly_summary", context__week=context["week"]
        ).exists():
            continue
        notify(
            recipient=manager,
            kind="managers_weekly_summary",
            url="/admin/support/application/dashboard/",
            context=context,
        )
        sent += 1
    return sent


@shared_task(acks_late=True)
def applications_screen_sweep() -> int:
    """Queue screening for applications still "submitted" a few minutes on (a lost message)."""
    cutoff = timezone.now() - timezone.timedelta(minutes=5)
    ids = list(
        Application.objects.filter(
            status=Status.SUBMITTED, submitted_at__lt=cutoff, screening_attempts__lt=SCREENING_MAX_ATTEMPTS
        ).values_list("pk", flat=True)[:200]
    )
    for pk in ids:
        enqueue(application_screen, pk)
    return len(ids)


@shared_task(acks_late=True)
def applications_overdue_escalate() -> int:
    """Escalate to the programme managers, once each, applications waiting past the promised date."""
    ids = list(Application.objects.to_escalate().order_by("review_due_at").values_list("pk", flat=True)[:500])
    return sum(workflow.application_escalate(application=Application(pk=pk)) for pk in ids)
