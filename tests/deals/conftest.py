"""The deals' cast: Sara's company (Alpha Medical) sells masks to Iraq through Reza's brokerage
(Pars, covering Iraq); Omid's company and Leila's brokerage are outsiders to every deal here."""

from __future__ import annotations

import pytest

from brokers.services import response_decide
from tests.brokers.factories import OfferFactory, OfferResponseFactory
from tests.deals.factories import deal_terms, lines_of
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import ProductFactory


@pytest.fixture
def iraq(db):
    return TargetCountryFactory(iso_code="IQ")


@pytest.fixture
def product(company):
    return ProductFactory(company=company, name_en="Three-ply mask")


@pytest.fixture
def other_product(other_company):
    return ProductFactory(company=other_company, name_en="Beta mask")


@pytest.fixture
def accepted_response(brokerage, broker_member, company, company_member, product, iraq):
    offer = OfferFactory(broker=brokerage, country=iraq)
    response = OfferResponseFactory(offer=offer, company=company, created_by=company_member)
    response.products.set([product])
    return response_decide(response=response, status="accepted", by=broker_member)


@pytest.fixture
def brokered_deal(accepted_response, broker_member, product):
    """Alpha's deal with a Baghdad hospital, opened by Reza from the accepted response (negotiating)."""
    from deals.services import deal_open_from_response

    return deal_open_from_response(
        response=accepted_response, by=broker_member, lines=lines_of(product, 1000, "0.50"),
        **deal_terms(accepted_response.offer.country),
    )  # fmt: skip


@pytest.fixture
def direct_deal(company_member, product, iraq):
    from tests.deals.factories import open_direct

    return open_direct(company_member, product, iraq)
