"""A brokerage's verified results on its pages, without the brokers app knowing deals.

Results come from the deals credited to a brokerage, and deals depend on brokers (never the other
way round). So the deals app registers the function that computes them (deals/apps.py: its
`deals.selectors.broker_results`, over the same credited export value as the results dashboard)
and the brokers' pages ask through `results_for`: one batch for a whole directory page. The public
see a brokerage's results only once the centre set `Broker.results_public`, and then as the public
results page shows figures (portal/disclosure.py): the counts, and the value only rounded and only
when enough companies stand behind it; its own members always see their exact figures."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from portal.disclosure import MIN_COMPANIES, disclosed_value

from .models import Broker


@dataclass
class BrokerResults:
    """What a brokerage achieved: deals it is credited with that were shipped or paid, the countries
    they went to, and its credited export value (its shares of the payments received, in US dollars)
    with the number of companies behind it."""

    deals: int = 0
    credited_deals: Decimal = Decimal(0)  # the sum of its shares (a 60% deal counts 0.6)
    credited_value_usd: Decimal | None = Decimal(0)  # exact; None in the public figures
    companies: int | None = 0  # the companies whose deals' payments make up the value
    largest_company_usd: Decimal | None = Decimal(0)  # the largest of those companies' parts
    countries: list[Any] = field(default_factory=list)
    # The public figures only: the value rounded, or None when too few companies stand behind it.
    value_rounded: int | None = None
    min_companies = MIN_COMPANIES  # what the pages say when the value is not shown

    def public(self) -> BrokerResults:
        """The figures as the public may read them: the counts of deals and countries (the
        brokerage's own work, which the centre chose to publish), and the value only rounded and
        only when enough companies, none dominating, stand behind it (portal/disclosure.py, the
        public results page's rule for values)."""
        return replace(
            self,
            credited_value_usd=None,
            companies=None,
            largest_company_usd=None,
            value_rounded=disclosed_value(self.credited_value_usd, self.companies, self.largest_company_usd),
        )


_provider: Callable[[list[int]], dict[int, BrokerResults]] | None = None


def register_results(provider: Callable[[list[int]], dict[int, BrokerResults]]) -> None:
    global _provider  # noqa: PLW0603 - set once, when the deals app is ready
    _provider = provider


def results_for(brokers: Iterable[Broker], *, public_only: bool = True) -> dict[int, BrokerResults]:
    """{broker id: results} for the brokerages given; empty when no app provides results.

    `public_only` (the directory, a visitor's view of a profile, the API): only the brokerages
    whose results are public, as the public may read them (`BrokerResults.public`). Otherwise (a
    brokerage's own members) every brokerage given, with the exact figures."""
    ids = [broker.pk for broker in brokers if broker.results_public or not public_only]
    if not ids or _provider is None:
        return {}
    results = _provider(ids)
    if public_only:
        return {pk: result.public() for pk, result in results.items()}
    return results


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
