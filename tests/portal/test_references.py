"""Reference numbers: one counter per prefix and Jalali year, shared by applications and deals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from portal.db import next_reference
from portal.models import ReferenceCounter

pytestmark = pytest.mark.django_db

LAST_DAY_OF_1404 = dt.date(2026, 3, 20)  # 29 Esfand 1404
NOWRUZ_1405 = dt.date(2026, 3, 21)


def test_each_prefix_counts_on_its_own_within_a_jalali_year():
    assert next_reference("EXP", LAST_DAY_OF_1404) == "EXP-1404-000001"
    assert next_reference("EXP", LAST_DAY_OF_1404) == "EXP-1404-000002"
    assert next_reference("DL", LAST_DAY_OF_1404) == "DL-1404-000001"
    assert next_reference("EXP", NOWRUZ_1405) == "EXP-1405-000001"  # a new year starts again
    assert next_reference("EXP", LAST_DAY_OF_1404) == "EXP-1404-000003"


def test_a_number_taken_in_a_rolled_back_transaction_is_given_again():
    def open_a_refused_deal() -> None:
        with transaction.atomic():
            next_reference("DL", NOWRUZ_1405)
            raise RuntimeError("the deal was refused")

    next_reference("DL", NOWRUZ_1405)
    with pytest.raises(RuntimeError):
        open_a_refused_deal()
    assert next_reference("DL", NOWRUZ_1405) == "DL-1405-000002"
    assert ReferenceCounter.objects.get(prefix="DL", jalali_year=1405).last == 2
