"""The managers' weekly summary: its figures (support.selectors) and its sending (support.services)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from portal.models import Notification
from portal.permissions import Role
from support.models import Application, Status
from support.selectors import weekly_summary_figures
from support.services import managers_weekly_summary_send
from support.tasks import managers_weekly_summary
from tests.portal.factories import UserFactory
from tests.support.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def put(status: str, *, program, days_ago: int = 1, granted: str | None = None, overdue: bool = False):
    application = ApplicationFactory(program=program)
    when = timezone.now() - dt.timedelta(days=days_ago)
    Application.objects.filter(pk=application.pk).update(
        status=status, submitted_at=when, decided_at=when if granted else None,
        granted_amount=Decimal(granted) if granted else None,
        review_due_at=timezone.now() - dt.timedelta(days=1) if overdue else None,
    )  # fmt: skip


def test_the_figures_count_this_weeks_work():
    usd = ProgramFactory(currency="USD")
    eur = ProgramFactory(currency="EUR")
    put(Status.UNDER_REVIEW, program=usd, overdue=True)
    put(Status.UNDER_REVIEW, program=usd, days_ago=20)
    put(Status.APPROVED, program=usd, granted="9000")
    put(Status.PAID, program=eur, granted="4000.50")
    put(Status.APPROVED, program=usd, days_ago=30, granted="1000")  # decided last month

    figures = weekly_summary_figures()

    counts = {row["status"]: row["count"] for row in figures["by_status"]}
    assert counts[Status.UNDER_REVIEW] == 2
    assert counts[Status.APPROVED] == 2
    assert counts[Status.REJECTED] == 0
    assert [row["status"] for row in figures["by_status"]] == Status.values  # every status, in order
    (under_review,) = [row for row in figures["by_status"] if row["status"] == Status.UNDER_REVIEW]
    # Every language of the site has the label (staff pages read English in Arabic and Russian).
    assert under_review["label"] == {
        "fa": "در حال ارزیابی", "en": "Under review", "ar": "Under review", "ru": "Under review",
    }  # fmt: skip
    assert figures["submitted_this_week"] == 3
    assert figures["granted_this_week"] == "4,000.50 EUR, 9,000.00 USD"  # never added across currencies
    assert figures["overdue"] == 1
    assert figures["week"] == timezone.localdate().isoformat()


def test_each_manager_gets_the_figures_once_a_week(manager):
    figures = {**weekly_summary_figures(), "submitted_this_week": 7}

    assert managers_weekly_summary_send(figures=figures) == 1
    assert managers_weekly_summary_send(figures=figures) == 0  # redelivered in the same week

    summary = Notification.objects.get(kind="managers_weekly_summary")
    assert summary.recipient == manager
    assert summary.context["submitted_this_week"] == 7


def test_the_weekly_task_sends_each_manager_the_figures_they_can_check(manager, reviewer, company):
    """Figures a manager can check by hand: 3 submitted this week (a fourth, older, does not count),
    8,000 USD granted, 1 review overdue, each status counted."""
    english_manager = UserFactory(english=True, is_staff=True, roles=[Role.PROGRAMME_MANAGER])
    ApplicationFactory(company=company, submitted=True)
    ApplicationFactory(company=company, approved=True, advance__amount="8000", advance__manager=manager)
    late = ApplicationFactory(company=company, under_review=True)
    Application.objects.filter(pk=late.pk).update(review_due_at=timezone.now() - timezone.timedelta(days=1))
    older = ApplicationFactory(company=company, submitted=True)
    Application.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timezone.timedelta(days=8))

    assert managers_weekly_summary() == 2
    assert managers_weekly_summary() == 0  # redelivered in the same week

    summaries = Notification.objects.filter(kind="managers_weekly_summary")
    assert set(summaries.values_list("recipient", flat=True)) == {manager.pk, english_manager.pk}
    body = summaries.get(recipient=english_manager).body
    assert "Submitted this week: 3\n" in body
    assert "Granted this week: 8,000.00 USD\n" in body
    assert "Reviews overdue: 1\n" in body
    for line in ["Submitted: 2", "Under review: 1", "Approved: 1", "Rejected: 0"]:
        assert f"\n{line}\n" in body


RAW_CODE = re.compile(r"\b(" + "|".join(Status.values) + r")\b")


def test_the_summary_a_manager_reads_names_each_status_in_their_language(
    manager, company, django_capture_on_commit_callbacks
):
    """The e-mails the managers receive show "در حال ارزیابی" / "Under review", never `under_review`."""
    english_manager = UserFactory(english=True, is_staff=True, roles=[Role.PROGRAMME_MANAGER])
    ApplicationFactory(company=company, submitted=True)
    ApplicationFactory(company=company, under_review=True)
    ApplicationFactory(company=company, revision_requested=True)

    with django_capture_on_commit_callbacks(execute=True):
        assert managers_weekly_summary() == 2

    received = {message.to[0]: message.body for message in mail.outbox}
    assert set(received) == {manager.email, english_manager.email}
    persian, english = received[manager.email], received[english_manager.email]
    for line in ["در حال ارزیابی: 1", "نیازمند اصلاح: 1", "ارسال‌شده: 1", "ردشده: 0"]:
        assert f"\n{line}\n" in persian
    for line in ["Under review: 1", "Revision requested: 1", "Submitted: 1", "Rejected: 0"]:
        assert f"\n{line}\n" in english
    assert RAW_CODE.findall(persian) == []
    assert RAW_CODE.findall(english) == []
