from __future__ import annotations

import pytest
from django.utils import timezone

from portal.models import Notification
from portal.permissions import Role
from support.models import Application, ReviewAssignment, Status
from support.tasks import reviews_overdue_remind
from tests.portal.factories import UserFactory
from tests.support.factories import ApplicationFactory, complete_reviews

pytestmark = pytest.mark.django_db


def test_overdue_reviews_remind_the_reviewer_once_a_day(reviewer, company):
    late = ApplicationFactory(company=company, under_review=True, advance__reviewer=reviewer)
    on_time = ApplicationFactory(company=company, under_review=True, advance__reviewer=reviewer)
    Application.objects.filter(pk=late.pk).update(review_due_at=timezone.now() - timezone.timedelta(days=2))
    Application.objects.filter(pk=on_time.pk).update(
        review_due_at=timezone.now() + timezone.timedelta(days=2)
    )
    assert reviews_overdue_remind() == 1
    assert reviews_overdue_remind() == 0  # the daily job ran twice: still one reminder
    reminder = Notification.objects.get(kind="review_overdue")
    assert reminder.recipient == reviewer
    assert late.reference in reminder.title


def test_an_overdue_panel_reminds_each_member_who_has_not_scored(reviewer, company):
    second, third = (UserFactory(is_staff=True, roles=[Role.REVIEWER]) for _ in range(2))
    late = ApplicationFactory(company=company)
    Application.objects.filter(pk=late.pk).update(
        status=Status.UNDER_REVIEW, assigned_reviewer=reviewer, reference="EXP-1405-000901", review_round=1,
        review_due_at=timezone.now() - timezone.timedelta(days=2),
    )  # fmt: skip
    for member in (reviewer, second, third):
        ReviewAssignment.objects.create(application=late, reviewer=member, review_round=1)
    late.refresh_from_db()
    complete_reviews(late, third)  # third has scored: no reminder for them

    assert reviews_overdue_remind() == 2
    reminded = set(Notification.objects.filter(kind="review_overdue").values_list("recipient", flat=True))
    assert reminded == {reviewer.pk, second.pk}


def test_a_broker_outage_at_submission_is_caught_up_by_the_sweep(
    client_for, company, company_member, reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    from support import tasks

    application = ApplicationFactory(company=company)

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(tasks.application_screen, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(company_member).post(f"/en/support/applications/{application.pk}/submit/")
    assert response.status_code == 302  # no error page for the company
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    monkeypatch.undo()
    Application.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - timezone.timedelta(minutes=10)
    )
    assert tasks.applications_screen_sweep() == 1
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
