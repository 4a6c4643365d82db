"""Reads over deals that are more than one QuerySet method: a brokerage's verified results."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from brokers.results import BrokerResults
from portal.models import TargetCountry

from .models import CENTS, DealCredit, Status

# A deal counts as a result once goods left (shipped) or money came in (paid, then closed).
RESULT_STATES = (Status.SHIPPED, Status.PAID, Status.CLOSED)


def broker_results(broker_ids: list[int]) -> dict[int, BrokerResults]:
    """Each brokerage's results from the deals credited to it: two queries, however many."""
    rows = DealCredit.objects.filter(broker_id__in=broker_ids, deal__status__in=RESULT_STATES).values_list(
        "broker_id",
        "deal_id",
        "share_percent",
        "deal__expected_value",
        "deal__usd_rate",
        "deal__destination_id",
    )
    results: dict[int, BrokerResults] = {pk: BrokerResults() for pk in broker_ids}
    deals: dict[int, set[int]] = defaultdict(set)
    countries: dict[int, set[int]] = defaultdict(set)
    for broker_id, deal_id, share, value, rate, destination in rows:
        result = results[broker_id]
        part = Decimal(share) / 100
        result.credited_deals += part
        result.credited_value_usd += value * rate * part
        deals[broker_id].add(deal_id)
        countries[broker_id].add(destination)
    names = TargetCountry.objects.in_bulk(set().union(*countries.values())) if countries else {}
    for broker_id, result in results.items():
        result.deals = len(deals[broker_id])
        result.credited_value_usd = result.credited_value_usd.quantize(CENTS)
        result.credited_deals = result.credited_deals.quantize(Decimal("0.01"))
        result.countries = sorted((names[pk] for pk in countries[broker_id]), key=lambda c: c.name_en)
    return results
