"""Mandates for tests, given as companies give them: through brokers.mandates, so each one has its
trail and its notifications behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import time_machine
from django.utils import timezone

from brokers.mandates import mandate_grant
from brokers.models import Broker, Mandate
from companies.models import Company
from portal.models import TargetCountry, User
from products.models import ProductCategory


def give_mandate(
    *,
    company: Company,
    broker: Broker,
    by: User,
    countries: Iterable[TargetCountry],
    categories: Iterable[ProductCategory],
    days: int = 90,
    granted_days_ago: int = 0,
) -> Mandate:
    """`company` authorises `broker` until `days` from today (negative: it has expired), granted
    `granted_days_ago` days ago (long enough ago for an expired one to have been valid then)."""
    today = timezone.localdate()
    granted = timezone.now() - dt.timedelta(days=granted_days_ago or max(0, -days + 1))
    with time_machine.travel(granted, tick=False):
        return mandate_grant(
            company=company,
            broker=broker,
            by=by,
            countries=list(countries),
            categories=list(categories),
            valid_until=today + dt.timedelta(days=days),
        )
