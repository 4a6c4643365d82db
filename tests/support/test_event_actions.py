"""Every step on an application's timeline is a named Action: the workflow's transitions, the steps
that keep the status, and nothing else (the database refuses a stray one)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from support import workflow
from support.models import Action, ApplicationEvent, Status
from tests.support.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_every_transition_of_the_workflow_is_a_named_action() -> None:
    assert set(workflow.TRANSITIONS) <= set(Action)
    assert all(isinstance(action, Action) for action in workflow.TRANSITIONS)


def test_the_database_refuses_a_step_nobody_named(company) -> None:
    application = ApplicationFactory(company=company)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationEvent.objects.create(
            application=application, from_status=Status.DRAFT, to_status=Status.DRAFT, action="approved"
        )


@pytest.mark.parametrize("action", list(Action))
def test_every_step_reads_in_persian_in_the_admin_and_on_the_timeline(company, action) -> None:
    event = ApplicationEvent(
        application=ApplicationFactory.build(company=company), from_status=Status.UNDER_REVIEW,
        to_status=Status.UNDER_REVIEW, action=action,
    )  # fmt: skip
    with translation.override("en"):
        english = (event.get_action_display(), event.heading)
    with translation.override("fa"):
        persian = (event.get_action_display(), event.heading)
    assert persian[0] != english[0], f"{action} has no Persian label"
    assert persian[1] != english[1], f"{action}'s timeline heading has no Persian"


@pytest.mark.parametrize("action", [Action.RECORD_PAYMENT, Action.MARK_PAID, Action.ASSIGN, Action.ESCALATE])
def test_staff_notes_are_withheld_from_the_company(company, action) -> None:
    event = ApplicationEvent(
        application=ApplicationFactory.build(company=company), to_status=Status.APPROVED, action=action,
        note="2,400.00 USD · TR-1405-0412 · 2,400.00 / 4,000.00",
    )  # fmt: skip
    assert event.note_for_applicant == ""


def test_a_request_for_changes_keeps_its_note_for_the_company(company) -> None:
    event = ApplicationEvent(
        application=ApplicationFactory.build(company=company), to_status=Status.REVISION_REQUESTED,
        action=Action.REQUEST_REVISION, note="Attach the buyer's proforma invoice.",
    )  # fmt: skip
    assert event.note_for_applicant == "Attach the buyer's proforma invoice."
