"""The managers' weekly summary: its figures (support.selectors) and its sending (support.services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from portal.models import Notification
from support.models import Application, Status
from support.selectors import weekly_summary_figures
from support.services import managers_weekly_summary_send
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

    assert figures["by_status"][Status.UNDER_REVIEW] == 2
    assert figures["by_status"][Status.APPROVED] == 2
    assert figures["by_status"][Status.REJECTED] == 0
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
