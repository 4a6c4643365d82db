from __future__ import annotations

import pytest
from django.utils import timezone

from portal.models import Notification
from support.models import Application, Status
from support.tasks import managers_weekly_summary, reviews_overdue_remind
from tests.support.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_overdue_reviews_remind_the_reviewer_once_a_day(reviewer, company):
    late = ApplicationFactory(company=company)
    on_time = ApplicationFactory(company=company)
    Application.objects.filter(pk=late.pk).update(
        status=Status.UNDER_REVIEW, assigned_reviewer=reviewer, reference="EXP-1405-000900",
        review_due_at=timezone.now() - timezone.timedelta(days=2),
    )  # fmt: skip
    Application.objects.filter(pk=on_time.pk).update(
        status=Status.UNDER_REVIEW,
        assigned_reviewer=reviewer,
        review_due_at=timezone.now() + timezone.timedelta(days=2),
    )
    assert reviews_overdue_remind() == 1
    assert reviews_overdue_remind() == 0  # the daily job ran twice: still one reminder
    reminder = Notification.objects.get(kind="review_overdue")
    assert reminder.recipient == reviewer
    assert "EXP-1405-000900" in reminder.title


def test_weekly_summary_goes_to_each_manager(manager, company):
    ApplicationFactory(company=company)
    assert managers_weekly_summary() == 1
    summary = Notification.objects.get(kind="managers_weekly_summary")
    assert summary.recipient == manager
    assert summary.body
