"""The public figures' rule: a value only with three companies or more behind it, none of them
dominating it, rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.disclosure import MIN_COMPANIES, disclosed_value, rounded


def test_values_are_rounded_to_the_thousand_half_up():
    assert [rounded(Decimal(v)) for v in ("1499.99", "1500", "0", "2520")] == [1000, 2000, 0, 3000]
    assert rounded(None) is None


@pytest.mark.parametrize(
    ("companies", "shown"),
    [(None, None), (0, None), (1, None), (MIN_COMPANIES - 1, None), (MIN_COMPANIES, 3000)],
)
def test_a_value_shows_only_with_enough_companies_behind_it(companies, shown):
    assert disclosed_value(Decimal("2520.00"), companies, largest=Decimal("900")) == shown


@pytest.mark.parametrize(("largest", "shown"), [("1512.00", 3000), ("1512.01", None), ("2500", None)])
def test_a_value_that_one_company_makes_up_mostly_is_not_shown(largest, shown):
    """Three companies, but one of them 2,500 of 2,520: the figure would tell that one's sales."""
    assert disclosed_value(Decimal("2520.00"), 3, largest=Decimal(largest)) == shown
