"""Reads over deals that are more than one QuerySet method: the value paid for deals in US
dollars, a brokerage's credited export value and its verified results.

A brokerage's credited export value is stated once, here (`credited_export_values`): the sum, over
the payments received for the deals credited to it, of its share (`DealCredit.share_percent` / 100)
of each payment in US dollars. The results dashboard's table by brokerage, its downloads and
/api/v1/results/ (results.aggregates) and the brokerage's profile, the directory and
/api/v1/brokers/ (through `broker_results`, registered in brokers.results) all read it."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from brokers.results import BrokerResults
from portal.models import TargetCountry
from products.models import Product

from .models import CENTS, DealCredit, Payment, Status

# A deal counts as a result once goods left (shipped) or money came in (paid, then closed).
RESULT_STATES = (Status.SHIPPED, Status.PAID, Status.CLOSED)
MONEY = DecimalField(max_digits=30, decimal_places=10)


def payment_usd(prefix: str = "") -> Any:
    """A payment's amount in US dollars at its deal's rate (`prefix` reaches the payment)."""
    rate = Case(
        When(**{f"{prefix}currency": Product.Currency.USD}, then=Value(Decimal(1))),
        default=F(f"{prefix}deal__usd_rate"),
    )
    return ExpressionWrapper(F(f"{prefix}amount") * rate, output_field=MONEY)


def credit_share(prefix: str = "") -> Any:
    """The part of a deal (reached through `prefix`) credited to the brokerage of the credit row
    a query groups by (`<prefix>credits__broker`): its share over 100, or the whole for a deal that
    credits no brokerage (the company's own buyer, grouped under None)."""
    percent = Coalesce(F(f"{prefix}credits__share_percent"), Value(100))
    return ExpressionWrapper(percent * Value(Decimal("0.01")), output_field=MONEY)


def credited_export_values(payments: QuerySet[Payment], *also: str) -> QuerySet[Any]:
    """Per brokerage credited with their deals (`deal__credits__broker`; None: the payments of deals
    crediting no brokerage), and per the fields `also` (reached from a payment): `value`, the sum of
    its share of each payment in US dollars; `deals` paid and the `companies` behind them. One query;
    over all brokerages the values add up to the payments' total (a deal's shares sum to 100)."""
    return (
        payments.order_by()
        .values("deal__credits__broker", *also)
        .annotate(
            value=Sum(ExpressionWrapper(payment_usd() * credit_share("deal__"), output_field=MONEY)),
            deals=Count("deal", distinct=True),
            companies=Count("deal__company", distinct=True),
        )
    )


def broker_results(broker_ids: list[int]) -> dict[int, BrokerResults]:
    """Each brokerage's results from the deals credited to it: the deals shipped or paid (with the
    sum of its shares in them) and their countries, its credited export value and the companies
    behind that value. Three queries, however many brokerages."""
    rows = DealCredit.objects.filter(broker_id__in=broker_ids, deal__status__in=RESULT_STATES).values_list(
        "broker_id", "deal_id", "share_percent", "deal__destination_id"
    )
    results: dict[int, BrokerResults] = {pk: BrokerResults() for pk in broker_ids}
    deals: dict[int, set[int]] = defaultdict(set)
    countries: dict[int, set[int]] = defaultdict(set)
    for broker_id, deal_id, share, destination in rows:
        results[broker_id].credited_deals += Decimal(share) / 100
        deals[broker_id].add(deal_id)
        countries[broker_id].add(destination)
    paid = Payment.objects.filter(deal__credits__broker__in=broker_ids)
    for row in credited_export_values(paid, "deal__company"):  # a row per brokerage and company
        result = results[row["deal__credits__broker"]]
        part = row["value"] or Decimal(0)
        result.credited_value_usd += part
        result.companies += 1
        result.largest_company_usd = max(result.largest_company_usd, part)
    names = TargetCountry.objects.in_bulk(set().union(*countries.values())) if countries else {}
    for broker_id, result in results.items():
        result.deals = len(deals[broker_id])
        result.credited_value_usd = Decimal(result.credited_value_usd).quantize(CENTS)
        result.credited_deals = result.credited_deals.quantize(Decimal("0.01"))
        result.countries = sorted((names[pk] for pk in countries[broker_id]), key=lambda c: c.name_en)
    return results
