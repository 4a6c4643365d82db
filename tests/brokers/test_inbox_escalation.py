"""Unanswered inquiries go to the programme managers after the working days set in the admin
(Saturday to Wednesday count; Thursday and Friday do not), once each, from the beat task."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from brokers import services
from brokers.models import BuyerInquiry, InboxSettings
from brokers.tasks import inquiries_escalate
from brokers.working_days import add_working_days
from portal.models import Notification
from tests.conftest import admin_form_data
from tests.portal.factories import TargetCountryFactory

pytestmark = pytest.mark.django_db

TEHRAN = ZoneInfo("Asia/Tehran")


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment of December 2026 in Tehran (the 2nd is a Wednesday, the 3rd and 4th the weekend)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=TEHRAN)


def routed_at(moment: datetime, organisation: str = "Basra Medical") -> BuyerInquiry:
    with time_machine.travel(moment, tick=False):
        inquiry = services.inquiry_submit(
            source_ip=None, language="en", name="Ali", organisation=organisation,
            country=TargetCountryFactory(iso_code="IQ"), email="ali@buyer.example", message="Masks?",
        )  # fmt: skip
        services.inquiry_route(inquiry=inquiry)
    inquiry.refresh_from_db()
    return inquiry


def escalate_at(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return inquiries_escalate()


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (at(2), 3, at(7)),  # Wednesday + Sat, Sun, Mon
        (at(3), 3, at(7)),  # from Thursday: the weekend does not count
        (at(5), 1, at(6)),  # Saturday + Sunday
        (at(1), 1, at(2)),  # Tuesday + Wednesday
        (at(1), 2, at(5)),  # Tuesday + Wednesday, (Thu, Fri), Saturday
    ],
)
def test_working_days_skip_thursday_and_friday(start, days, due):
    assert add_working_days(start, days) == due


def test_an_unanswered_inquiry_is_escalated_once_after_three_working_days(
    broker_member, manager, django_capture_on_commit_callbacks
):
    waiting = routed_at(at(2))
    claimed = routed_at(at(2), "Claimed Ltd")
    answered = routed_at(at(2), "Answered Ltd")
    services.inquiry_claim(inquiry=claimed, by=broker_member)
    services.inquiry_claim(inquiry=answered, by=broker_member)
    services.inquiry_reply(inquiry=answered, by=broker_member, body="Here is our offer.")
    mail.outbox.clear()

    assert escalate_at(at(6, 23, 59)) == 0  # Sunday: two working days only (Thu, Fri do not count)
    assert escalate_at(at(7, 9, 59)) == 0
    with django_capture_on_commit_callbacks(execute=True):  # the managers' e-mails leave on commit
        assert escalate_at(at(7, 10, 0)) == 2  # Monday 10:00: three working days
    assert escalate_at(at(7, 11, 0)) == 0  # never twice
    assert escalate_at(at(14)) == 0

    escalated = set(BuyerInquiry.objects.filter(escalated_at__isnull=False))
    assert escalated == {waiting, claimed}
    told = Notification.objects.filter(kind="inquiry_escalated")
    assert {n.recipient for n in told} == {manager}
    assert {n.url for n in told} == {
        f"/admin/brokers/buyerinquiry/{inquiry.pk}/change/" for inquiry in (waiting, claimed)
    }
    subjects = sorted(m.subject for m in mail.outbox if m.to == [manager.email])
    assert len(subjects) == 2
    assert all("escalat" in subject.lower() or "ارجاع" in subject for subject in subjects)
    assert any(waiting.reference in subject for subject in subjects)


def test_an_inquiry_closed_before_it_is_due_is_not_escalated(broker_member, manager):
    inquiry = routed_at(at(2))
    services.inquiry_close(inquiry=inquiry, by=broker_member, reason=BuyerInquiry.CloseReason.SPAM)
    assert escalate_at(at(14)) == 0
    assert not Notification.objects.filter(kind="inquiry_escalated").exists()


def test_the_service_refuses_an_inquiry_not_yet_due(manager):
    inquiry = routed_at(at(2))
    assert services.inquiry_escalate(inquiry=inquiry, now=at(6)) is False
    assert services.inquiry_escalate(inquiry=inquiry, now=at(7)) is True
    assert services.inquiry_escalate(inquiry=inquiry, now=at(8)) is False


def test_managers_set_the_working_days_in_the_admin(client_for, manager):
    client = client_for(manager)
    response = client.get("/admin/brokers/inboxsettings/")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    saved = client.post(response["Location"], admin_form_data(page, escalate_after_days=5))
    assert saved.status_code == 302
    assert InboxSettings.load().escalate_after_days == 5
    refused = client.post(response["Location"], admin_form_data(page, escalate_after_days=0))
    assert refused.status_code == 200  # the form again, with its error
    assert InboxSettings.objects.count() == 1

    routed_at(at(2))
    assert escalate_at(at(7)) == 0  # three working days are no longer enough
    assert escalate_at(at(9, 10)) == 1  # Wednesday: Sat, Sun, Mon, Tue, Wed
