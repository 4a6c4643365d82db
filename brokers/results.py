"""A brokerage's verified results on its pages, without the brokers app knowing deals.

Results come from the deals credited to a brokerage, and deals depend on brokers (never the other
way round). So the deals app registers the function that computes them (deals/apps.py) and the
brokers' pages ask through `results_for`: one batch for a whole directory page. The public see a
brokerage's results only once the centre set `Broker.results_public`; its own members always do."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .models import Broker


@dataclass
class BrokerResults:
    """What a brokerage achieved: deals it is credited with that were shipped or paid, their
    value in US dollars weighted by its share, and the countries they went to."""

    deals: int = 0
    credited_deals: Decimal = Decimal(0)  # the sum of its shares (a 60% deal counts 0.6)
    credited_value_usd: Decimal = Decimal(0)
    countries: list[Any] = field(default_factory=list)


_provider: Callable[[list[int]], dict[int, BrokerResults]] | None = None


def register_results(provider: Callable[[list[int]], dict[int, BrokerResults]]) -> None:
    global _provider  # noqa: PLW0603 - set once, when the deals app is ready
    _provider = provider


def results_for(brokers: Iterable[Broker], *, public_only: bool = True) -> dict[int, BrokerResults]:
    """{broker id: results} for the brokerages given (only those whose results are public unless
    `public_only` is False); empty when no app provides results."""
    ids = [broker.pk for broker in brokers if broker.results_public or not public_only]
    if not ids or _provider is None:
        return {}
    return _provider(ids)


def results_publish(*, broker: Broker, by: Any, public: bool) -> Broker:
    """The centre shows (or hides) a brokerage's results on its public pages, recording who and when."""
    from django.utils import timezone

    from portal.http.page_cache import public_content_changed

    broker.results_public = public
    broker.results_public_by = by if public else None
    broker.results_public_at = timezone.now() if public else None
    broker.save(update_fields=["results_public", "results_public_by", "results_public_at", "updated_at"])
    public_content_changed()  # the cached directory and profile pages show the change at once
    return broker
