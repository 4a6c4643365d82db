"""An offer expires through one service (brokers.services.offer_expire); the beat task only picks
the offers past their deadline and calls it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from brokers.models import Offer
from brokers.services import offer_expire
from brokers.tasks import offers_expire
from portal.models import Notification
from tests.brokers.factories import OfferFactory

pytestmark = pytest.mark.django_db


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def test_expiring_closes_the_offer_once_and_tells_the_broker_once(broker_member, brokerage):
    offer = OfferFactory(broker=brokerage, deadline=yesterday())

    assert offer_expire(offer=offer) is True
    assert offer_expire(offer=offer) is False  # a second run (or a concurrent one) changes nothing

    offer.refresh_from_db()
    assert offer.status == Offer.Status.CLOSED
    assert offer.closed_at is not None
    assert Notification.objects.filter(kind="offer_expired", recipient=broker_member).count() == 1


def test_an_offer_whose_deadline_was_extended_meanwhile_stays_open(broker_member, brokerage):
    offer = OfferFactory(broker=brokerage, deadline=yesterday())
    Offer.objects.filter(pk=offer.pk).update(deadline=timezone.localdate() + dt.timedelta(days=5))

    assert offer_expire(offer=offer) is False  # the task picked it before the broker extended it

    offer.refresh_from_db()
    assert offer.status == Offer.Status.OPEN
    assert not Notification.objects.filter(kind="offer_expired").exists()


def test_the_beat_task_expires_every_offer_past_its_deadline_through_the_service(
    monkeypatch, brokerage, broker_member
):
    due = [OfferFactory(broker=brokerage, deadline=yesterday()) for _ in range(2)]
    OfferFactory(broker=brokerage)  # open, deadline ahead
    expired: list[int] = []

    def spy(*, offer: Offer) -> bool:
        expired.append(offer.pk)
        return offer_expire(offer=offer)

    monkeypatch.setattr("brokers.services.offer_expire", spy)
    assert offers_expire() == 2
    assert sorted(expired) == sorted(offer.pk for offer in due)
