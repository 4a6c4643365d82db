"""Applicants see where they stand: the step, the promised date, the requests, the budget left,
the payments; overdue applications escalate once to the programme managers, and they see it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from portal.models import Notification
from portal.permissions import Role
from portal.templatetags.portal_tags import jdate
from support import workflow
from support.models import Application, ApplicationEvent, Status
from support.selectors import program_budget
from support.tasks import applications_overdue_escalate
from tests.portal.factories import UserFactory
from tests.support.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory(budget=Decimal("100000"), currency="EUR", review_period_days=10)


def in_state(application: Application, status: str, **fields: object) -> Application:
    Application.objects.filter(pk=application.pk).update(status=status, **fields)
    application.refresh_from_db()
    return application


@pytest.fixture
def under_review(company, program, reviewer):
    application = ApplicationFactory(company=company, program=program)
    return in_state(
        application, Status.UNDER_REVIEW, assigned_reviewer=reviewer, reference="EXP-1405-000007",
        submitted_at=timezone.now() - timedelta(days=2), review_due_at=timezone.now() + timedelta(days=8),
    )  # fmt: skip


def page(client, application, language="en") -> str:
    response = client.get(f"/{language}/support/applications/{application.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_current_step_and_the_promised_date(client_for, company_member, under_review):
    content = page(client_for(company_member), under_review)
    current = content.split('aria-current="step"', 1)[1].split("</li>", 1)[0]
    assert "Review" in current
    assert content.count("stepper-done") == 2  # draft, submitted
    with translation.override("en"):
        assert (
            f"The centre promises the next step by <strong>{jdate(under_review.review_due_at)}</strong>"
            in content
        )


def test_the_promised_date_is_jalali_in_persian(client_for, company_member, under_review):
    content = page(client_for(company_member), under_review, "fa")
    with translation.override("fa"):
        jalali = jdate(under_review.review_due_at)
    assert jalali in content
    assert any(month in jalali for month in ("آذر", "دی", "بهمن", "آبان", "مهر"))


def test_submission_promises_the_programme_review_period(
    company, company_member, program, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(company=company, program=program)
    with django_capture_on_commit_callbacks(execute=False):
        workflow.application_submit(application=application, by=company_member)
    application.refresh_from_db()
    assert application.review_due_at - application.submitted_at == timedelta(days=10)


def test_the_reviewers_requests_are_shown_prominently(client_for, company_member, under_review, reviewer):
    workflow.application_request_revision(
        application=under_review, by=reviewer, note="Attach the buyer's proforma"
    )
    content = page(client_for(company_member), under_review)
    requests = content.split('id="reviewer-requests"', 1)[1].split("</section>", 1)[0]
    assert "Changes are needed" in requests
    assert "Attach the buyer&#x27;s proforma" in requests
    assert "next step by" not in content  # waiting for the company now, not the centre


def test_the_page_shows_the_programmes_remaining_budget(
    client_for, company_member, under_review, program, other_company
):
    in_state(
        ApplicationFactory(company=other_company, program=program, requested_amount=Decimal("30000")),
        Status.APPROVED,
        granted_amount=Decimal("30000"),
    )
    content = page(client_for(company_member), under_review)
    budget = content.split('id="programme-budget"', 1)[1].split("</dl>", 1)[0]
    assert "100,000.00 EUR" in budget
    assert "30,000.00 EUR" in budget
    assert "70,000.00 EUR" in budget
    assert program_budget(program).remaining == Decimal("70000")


def test_the_applicant_sees_the_payments_and_what_is_paid_so_far(
    client_for, company_member, under_review, manager
):
    approved = in_state(
        under_review, Status.APPROVED, granted_amount=Decimal("9000"), decided_at=timezone.now()
    )
    workflow.application_payment_record(
        application=approved, by=manager, amount=Decimal("4000"), reference="TR-1405-1"
    )
    content = page(client_for(company_member), approved)
    assert "TR-1405-1" in content
    assert "Paid so far: 4,000.00 of 9,000.00 EUR" in content
    assert "Instalment paid; the rest of the grant follows" in content


def test_the_api_gives_the_promised_date_and_the_payments(client_for, company_member, under_review, manager):
    approved = in_state(
        under_review, Status.APPROVED, granted_amount=Decimal("9000"), decided_at=timezone.now()
    )
    workflow.application_payment_record(
        application=approved, by=manager, amount=Decimal("4000"), reference="TR-9"
    )
    body = client_for(company_member).get(f"/api/v1/applications/{approved.pk}/").json()
    assert body["payments"] == [
        {
            "paid_on": timezone.localdate().isoformat(),
            "amount": "4000.00",
            "currency": "EUR",
            "reference": "TR-9",
        }
    ]
    assert body["review_due_at"] is not None
    assert body["escalated_at"] is None


@pytest.mark.parametrize(
    ("who", "expected"), [("other_company_member", 404), ("broker_member", 404), ("anonymous", 302)]
)
def test_nobody_else_sees_the_page(client_for, request, under_review, who, expected):
    response = client_for(request.getfixturevalue(who)).get(f"/en/support/applications/{under_review.pk}/")
    assert response.status_code == expected
    assert b"EXP-1405-000007" not in response.content


# --- escalation -----------------------------------------------------------------------------------
@pytest.fixture
def managers(db):
    return [UserFactory(is_staff=True, roles=[Role.PROGRAMME_MANAGER]) for _ in range(2)]


@pytest.mark.parametrize("assigned", [True, False])
def test_an_overdue_application_escalates_once_to_every_manager(under_review, managers, reviewer, assigned):
    overdue = in_state(
        under_review, Status.UNDER_REVIEW, review_due_at=timezone.now() - timedelta(hours=1),
        assigned_reviewer=reviewer if assigned else None,
    )  # fmt: skip
    assert applications_overdue_escalate() == 1
    event = overdue.events.get(action="escalate")
    assert (event.from_status, event.to_status, event.actor) == ("under_review", "under_review", None)
    notified = Notification.objects.filter(kind="application_escalated")
    assert sorted(n.recipient_id for n in notified) == sorted(m.pk for m in managers)
    assert not notified.filter(recipient=reviewer).exists()
    # The next runs (hourly, daily) leave it alone.
    assert applications_overdue_escalate() == 0
    assert overdue.events.filter(action="escalate").count() == 1
    assert notified.count() == 2


def test_waiting_for_screening_past_the_date_escalates_too(under_review, managers):
    in_state(
        under_review,
        Status.SUBMITTED,
        review_due_at=timezone.now() - timedelta(days=1),
        assigned_reviewer=None,
    )
    assert applications_overdue_escalate() == 1


@pytest.mark.parametrize(
    ("status", "due_in"),
    [(Status.UNDER_REVIEW, timedelta(hours=1)), (Status.APPROVED, -timedelta(days=3)),
     (Status.REVISION_REQUESTED, -timedelta(days=3)), (Status.WITHDRAWN, -timedelta(days=3))],
)  # fmt: skip
def test_not_yet_due_or_no_longer_waiting_for_the_centre_is_not_escalated(
    under_review, managers, status, due_in
):
    in_state(under_review, status, review_due_at=timezone.now() + due_in)
    assert applications_overdue_escalate() == 0
    assert not ApplicationEvent.objects.filter(action="escalate").exists()


def test_the_applicant_sees_the_escalation(client_for, company_member, under_review, managers):
    in_state(under_review, Status.UNDER_REVIEW, review_due_at=timezone.now() - timedelta(hours=1))
    applications_overdue_escalate()
    content = page(client_for(company_member), under_review)
    with translation.override("en"):
        day = jdate(under_review.events.get(action="escalate").created_at)
    assert f"escalated to the programme managers on {day}" in content
    assert "Escalated to the programme managers" in content  # on the timeline
    assert "The centre promised the next step by" in content  # a date in the past, as such


def test_the_escalation_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["applications_overdue_escalate"]
    assert entry["task"] == "support.tasks.applications_overdue_escalate"


def test_managers_are_emailed_about_the_escalation_after_commit(
    under_review, managers, mailoutbox, django_capture_on_commit_callbacks
):
    in_state(under_review, Status.UNDER_REVIEW, review_due_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        applications_overdue_escalate()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(m.email for m in managers)
    assert all("EXP-1405-000007" in m.subject for m in mailoutbox)
    assert "/admin/support/application/" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("status", "current", "labels"),
    [
        (Status.DRAFT, "Draft", 6),
        (Status.SCREENING, "Submitted and eligibility check", 6),
        (Status.REVISION_REQUESTED, "Review", 6),
        (Status.APPROVED, "Decision", 6),
        (Status.REJECTED, "Decision", 4),
        (Status.PAID, "Paid", 6),
        (Status.CLOSED, "Closed", 6),
    ],
)
def test_each_status_stands_on_its_step(under_review, status, current, labels):
    from support.standing import application_steps

    with translation.override("en"):
        steps = application_steps(in_state(under_review, status))
        assert [str(s.label) for s in steps if s.state == "current"] == [current]
    assert len(steps) == labels


def test_a_withdrawn_application_has_no_current_step(under_review):
    from support.standing import application_steps

    steps = application_steps(in_state(under_review, Status.WITHDRAWN))
    assert [s.state for s in steps] == ["done", "done"]


def test_a_request_shows_its_numbers_in_the_readers_digits(
    client_for, company_member, under_review, reviewer
):
    """The note is kept as typed; a Persian page shows its numbers in Persian digits, its codes as
    written, in the request box and in the timeline alike."""
    note = "2 پیش‌فاکتور برای 12,500.50 USD (شماره PI-2026-07) پیوست کنید"
    workflow.application_request_revision(application=under_review, by=reviewer, note=note)
    assert ApplicationEvent.objects.filter(note=note).exists()  # the data stays as typed
    content = page(client_for(company_member), under_review, "fa")
    requests = content.split('id="reviewer-requests"', 1)[1].split("</section>", 1)[0]
    timeline = content.split('class="timeline', 1)[1].split("</ol>", 1)[0]
    shown = "۲ پیش‌فاکتور برای ۱۲٬۵۰۰٫۵۰ USD (شماره PI-2026-07) پیوست کنید"
    assert shown in requests
    assert shown in timeline
    assert note in page(client_for(company_member), under_review, "en")
