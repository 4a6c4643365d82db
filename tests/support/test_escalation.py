"""An application past its promised date is escalated once per round to the programme managers;
the applicant sees it until the decision, and the note is the heading's, in the reader's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from support import standing, workflow
from support.models import Application, ApplicationEvent
from support.tasks import applications_overdue_escalate
from tests.support.factories import ApplicationFactory, complete_reviews

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def assigned(company, company_member, reviewer):
    return ApplicationFactory(company=company, under_review=True, advance__reviewer=reviewer)


def submit(application, by, capture):
    with capture(execute=True):
        workflow.application_submit(application=application, by=by)
    application.refresh_from_db()
    return application


# --- escalation per round ----------------------------------------------------------------------
def overdue(application):
    Application.objects.filter(pk=application.pk).update(review_due_at=timezone.now() - dt.timedelta(hours=1))


def test_a_resubmitted_application_overdue_again_is_escalated_again(
    assigned, reviewer, company_member, django_capture_on_commit_callbacks
):
    overdue(assigned)
    assert applications_overdue_escalate() == 1
    workflow.application_request_revision(application=assigned, by=reviewer, note="Attach the proforma")
    assigned = submit(assigned, company_member, django_capture_on_commit_callbacks)
    assert assigned.escalated_at is None
    events = list(assigned.events.for_applicant())
    assert standing.escalation(assigned, events) is None  # the last round's escalation is not this one's
    overdue(assigned)
    assert applications_overdue_escalate() == 1
    assert assigned.events.filter(action="escalate").count() == 2
    assigned.refresh_from_db()
    assert standing.escalation(assigned, list(assigned.events.for_applicant())) is not None


def test_the_escalation_no_longer_shows_once_decided(assigned, reviewer, manager):
    overdue(assigned)
    applications_overdue_escalate()
    complete_reviews(assigned, reviewer)
    workflow.application_approve(application=assigned, by=manager, amount=Decimal("1000"))
    assigned.refresh_from_db()
    assert standing.escalation(assigned, list(assigned.events.for_applicant())) is None


# --- the escalation's note -----------------------------------------------------------------------
def test_the_api_timeline_shows_no_escalation_note(client_for, assigned, company_member):
    overdue(assigned)
    applications_overdue_escalate()
    assert assigned.events.get(action="escalate").note == ""
    ApplicationEvent.objects.create(  # as older escalations were written
        application=assigned,
        from_status=assigned.status,
        to_status=assigned.status,
        action="escalate",
        note="Past the review period of 14 days.",
    )
    events = client_for(company_member).get(f"/api/v1/applications/{assigned.pk}/timeline/").json()
    assert [e["note"] for e in events if e["action"] == "escalate"] == ["", ""]
