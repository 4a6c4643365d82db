"""Every aggregate against sums worked out by hand on the world of conftest.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jdatetime
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals import services
from results import aggregates
from results.aggregates import ResultsFilter
from tests.deals.factories import open_direct
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db

D = Decimal
EVERYTHING = ResultsFilter()


def table(rows, key="key"):
    """{key: (contracted deals, contracted USD, paid deals, paid USD, companies)}"""
    return {
        row[key]: (
            row["contracted_deals"],
            row["contracted_usd"],
            row["paid_deals"],
            row["paid_usd"],
            row["companies"],
        )
        for row in rows
    }


def test_export_value_by_country_matches_the_hand_sums(world):
    rows = aggregates.by_dimension(EVERYTHING, "country")
    assert table(rows) == {
        world.iraq.pk: (2, D("6000.00"), 2, D("1800.00"), 1),  # D1 500 + D2 5,500; paid 200 + 1,600
        world.afghanistan.pk: (1, D("1000.00"), 0, D("0.00"), 1),  # D3 shipped, unpaid; D5 only negotiating
    }
    assert [row["names"] for row in rows] == [(c.name_fa, c.name_en) for c in (world.iraq, world.afghanistan)]


def test_export_value_by_category_shares_each_payment_among_the_lines(world):
    assert table(aggregates.by_dimension(EVERYTHING, "category")) == {
        # masks: D1 500 + D2 2,000 × 1.10 + D3 1,000; paid D1 200 + 2/5 of D2's 1,600
        world.masks.pk: (3, D("3700.00"), 2, D("840.00"), 2),
        # the ventilator: 3,000 × 1.10; paid 3/5 of 1,600
        world.ventilators.pk: (1, D("3300.00"), 1, D("960.00"), 1),
    }


def test_export_value_by_company_and_by_brokerage(world):
    assert table(aggregates.by_dimension(EVERYTHING, "company")) == {
        world.alpha.pk: (2, D("6000.00"), 2, D("1800.00"), 1),
        world.beta.pk: (1, D("1000.00"), 0, D("0.00"), 1),
    }
    assert table(aggregates.by_dimension(EVERYTHING, "broker")) == {
        world.pars.pk: (1, D("5500.00"), 1, D("1600.00"), 1),
        None: (2, D("1500.00"), 1, D("200.00"), 2),  # D1 and D3, the companies' own buyers
    }


def test_export_value_by_month_folds_days_into_jalali_or_gregorian_months(world):
    today = timezone.localdate()
    for jalali in (True, False):
        rows = aggregates.by_month(EVERYTHING, jalali=jalali)
        early, late = (aggregates._month_of(day, jalali=jalali) for day in (world.early, today))
        assert early != late
        figures = {row["key"]: (row["contracted_usd"], row["paid_usd"]) for row in rows}
        assert figures.pop(early) == (D("500.00"), D("200.00"))
        assert figures.pop(late) == (D("6500.00"), D("1600.00"))
        # the months between show as zero, so the series has no holes
        assert set(figures.values()) <= {(D("0.00"), D("0.00"))}
        keys = [row["key"] for row in rows]
        assert keys[0] == early
        assert keys[-1] == late
        assert keys == aggregates._months_between(early, late)
    month = jdatetime.date.fromgregorian(date=today)
    label = aggregates.month_label((month.year, month.month), jalali=True)
    assert label.endswith(str(month.year).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))


def test_the_funnel_counts_each_step_and_its_rate(world):
    steps = {step["step"]: (step["count"], step["rate"]) for step in aggregates.funnel(EVERYTHING)}
    assert steps == {
        "offers": (2, None),
        "responses": (3, D("150.0")),  # three responses to two offers
        "shortlisted": (2, D("66.7")),  # Beta's shortlisted one and Alpha's accepted one
        "accepted": (1, D("50.0")),
        "deals": (1, D("100.0")),
        "shipped": (1, D("100.0")),
        "paid": (1, D("100.0")),
    }


def test_the_funnel_of_a_country_and_of_a_programme(world):
    in_afghanistan = aggregates.funnel(ResultsFilter(country_id=world.afghanistan.pk))
    assert [step["count"] for step in in_afghanistan] == [1, 0, 0, 0, 0, 0, 0]
    assert [step["rate"] for step in in_afghanistan] == [None, D("0.0"), None, None, None, None, None]
    fairs = aggregates.funnel(ResultsFilter(program_id=world.fairs.pk))  # Beta's shortlisted response
    assert [step["count"] for step in fairs] == [1, 1, 1, 0, 0, 0, 0]


def test_lost_deals_by_reason(world):
    assert aggregates.lost_reasons(EVERYTHING) == [{"reason": "price", "deals": 1, "value_usd": D("100.00")}]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert aggregates.lost_reasons(ResultsFilter(end=yesterday)) == []


def test_support_granted_against_export_value_per_programme(world):
    rows = {row["program"].pk: row for row in aggregates.programmes(EVERYTHING)}
    alpha = rows[world.masks_abroad.pk]
    assert (alpha["companies"], alpha["granted"], alpha["exported_usd"]) == (1, D("10000.00"), D("1800.00"))
    assert alpha["export_per_unit"] == D("0.18")
    beta = rows[world.fairs.pk]
    assert (beta["granted"], beta["exported_usd"], beta["export_per_unit"]) == (
        D("2000.00"),
        D("0.00"),
        D("0.00"),
    )


def test_a_programme_with_nothing_granted_has_no_ratio(world):
    from tests.support.factories import ProgramFactory

    empty = ProgramFactory()
    row = next(row for row in aggregates.programmes(EVERYTHING) if row["program"].pk == empty.pk)
    assert (row["companies"], row["granted"], row["exported_usd"], row["export_per_unit"]) == (0, 0, 0, None)


def test_the_period_leaves_out_contracts_and_payments_outside_it(world):
    recent = ResultsFilter(start=timezone.localdate() - dt.timedelta(days=30))
    assert table(aggregates.by_dimension(recent, "country"))[world.iraq.pk] == (
        1,
        D("5500.00"),
        1,
        D("1600.00"),
        1,
    )
    assert table(aggregates.by_dimension(recent, "category")) == {
        world.masks.pk: (2, D("3200.00"), 1, D("640.00"), 2),  # D2 2,200 + D3 1,000; not D1
        world.ventilators.pk: (1, D("3300.00"), 1, D("960.00"), 1),
    }
    old = ResultsFilter(end=timezone.localdate() - dt.timedelta(days=30))
    assert table(aggregates.by_dimension(old, "country")) == {
        world.iraq.pk: (1, D("500.00"), 1, D("200.00"), 1)
    }
    # D1's payment counts for its programme only within the period
    row = next(r for r in aggregates.programmes(recent) if r["program"].pk == world.masks_abroad.pk)
    assert row["exported_usd"] == D("1600.00")


def test_the_programme_and_country_filters_narrow_every_table(world):
    alpha_only = ResultsFilter(program_id=world.masks_abroad.pk)
    assert set(table(aggregates.by_dimension(alpha_only, "company"))) == {world.alpha.pk}
    assert [row["program"].pk for row in aggregates.programmes(alpha_only)] == [world.masks_abroad.pk]
    beta_only = ResultsFilter(program_id=world.fairs.pk)
    assert aggregates.lost_reasons(beta_only)[0]["deals"] == 1
    assert aggregates.lost_reasons(alpha_only) == []
    afghanistan = ResultsFilter(country_id=world.afghanistan.pk)
    assert table(aggregates.by_dimension(afghanistan, "category")) == {
        world.masks.pk: (1, D("1000.00"), 0, D("0"), 1)
    }
    row = next(r for r in aggregates.programmes(afghanistan) if r["program"].pk == world.masks_abroad.pk)
    assert row["exported_usd"] == D("0.00")


def test_the_totals_add_up_the_countries(world):
    totals = aggregates.results(EVERYTHING, jalali=True)["totals"]
    assert totals == {
        "contracted_usd": D("7000.00"), "paid_usd": D("1800.00"), "contracted_deals": 3, "paid_deals": 2,
    }  # fmt: skip


def test_the_aggregates_cost_the_same_queries_whatever_the_number_of_deals(world):
    with CaptureQueriesContext(connection) as before:
        aggregates.results(EVERYTHING, jalali=True)
    member = world.deals["D3"].created_by
    product = ProductFactory(company=world.beta, category=world.masks)
    for _ in range(3):
        deal = open_direct(member, product, world.iraq, quantity=10, unit_price="1.00")
        services.deal_contract(deal=deal, by=member)
    with CaptureQueriesContext(connection) as after:
        figures = aggregates.results(EVERYTHING, jalali=True)
    assert figures["totals"]["contracted_deals"] == 6
    # two per table of value (country, category, company, brokerage, month), two for the funnel,
    # one for lost deals, one for the programmes
    assert len(after) == len(before) == 14


def test_the_months_between_run_over_the_year_end():
    assert aggregates._months_between((1404, 11), (1405, 2)) == [(1404, 11), (1404, 12), (1405, 1), (1405, 2)]
    assert aggregates._months_between((2026, 3), (2026, 3)) == [(2026, 3)]
