"""Where an application stands, as its company reads it: the steps, the promised date, the requests.

Pure reads over an application and its events, for the applicant's page (support.views).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import AWAITING_CENTRE, Action, Application, ApplicationEvent, Status

# The steps the company sees, and the statuses that stand on each.
STEPS: list[tuple[Promise, tuple[str, ...]]] = [
    (_("Draft"), (Status.DRAFT,)),
    (_("Submitted and eligibility check"), (Status.SUBMITTED, Status.SCREENING)),
    (_("Review"), (Status.UNDER_REVIEW, Status.REVISION_REQUESTED)),
    (_("Decision"), (Status.APPROVED, Status.REJECTED)),
    (_("Paid"), (Status.PAID,)),
    (_("Closed"), (Status.CLOSED,)),
]
DECIDED_STEP = 3
REQUEST_ACTIONS = (Action.REQUEST_REVISION, Action.SCREEN_FAIL)


@dataclass(frozen=True)
class Step:
    number: int
    label: Promise
    state: str  # "done", "current" or "upcoming"


def application_steps(application: Application) -> list[Step]:
    """The workflow's steps with the current one marked; a rejection ends the list at the decision."""
    if application.status == Status.WITHDRAWN:  # the steps it went through, none current
        reached = 1 if application.submitted_at else 0
        return [Step(i + 1, label, "done") for i, (label, _s) in enumerate(STEPS[: reached + 1])]
    current = next(i for i, (_label, statuses) in enumerate(STEPS) if application.status in statuses)
    last = DECIDED_STEP if application.status == Status.REJECTED else len(STEPS) - 1
    return [
        Step(i + 1, label, "done" if i < current else "current" if i == current else "upcoming")
        for i, (label, _s) in enumerate(STEPS[: last + 1])
    ]


def next_step_due(application: Application) -> datetime | None:
    """The date by which the centre promised the next step: while the application waits for it,
    its submission or the start of its review plus the programme's review period."""
    if application.status in AWAITING_CENTRE:
        return application.review_due_at
    return None


def reviewer_requests(events: list[ApplicationEvent]) -> list[ApplicationEvent]:
    """What the centre asked the company to change (revision notes, failed checks), newest first."""
    return sorted(
        (e for e in events if e.action in REQUEST_ACTIONS and e.note),
        key=lambda e: e.created_at,
        reverse=True,
    )


def escalation(application: Application, events: list[ApplicationEvent]) -> ApplicationEvent | None:
    """The escalation of the current round, while the application still waits for the centre
    (a resubmission starts a new round with its own date; a decision ends the wait)."""
    if application.status not in AWAITING_CENTRE:
        return None
    submits = [e.created_at for e in events if e.action == Action.SUBMIT]
    since = max(submits) if submits else None
    return next(
        (e for e in events if e.action == Action.ESCALATE and (since is None or e.created_at >= since)), None
    )
