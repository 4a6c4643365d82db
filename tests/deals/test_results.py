"""A brokerage's verified results: deals credited to it that were shipped or paid, weighted by its
share, and the countries they went to; public (profile, directory) only once a programme manager
set `results_public` in the admin, always visible to its own members on their dashboard."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brokers.models import Broker
from deals import services
from deals.selectors import broker_results
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory, OfferFactory, OfferResponseFactory
from tests.deals.factories import open_from_response, walk_to
from tests.portal.factories import TargetCountryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def caspian_member(db):
    caspian = BrokerFactory(name_en="Caspian Logistics", countries=[TargetCountryFactory(iso_code="IQ")])
    user = UserFactory(email="nima@caspian.example", full_name="Nima")
    BrokerMembershipFactory(broker=caspian, user=user)
    return user


def deal_via_offer(brokerage, broker_member, company, company_member, product, country, quantity, status):
    """A deal opened from an accepted response to a new offer of `brokerage`, walked to `status`."""
    from brokers.services import response_decide

    offer = OfferFactory(broker=brokerage, country=country)
    response = OfferResponseFactory(offer=offer, company=company, created_by=company_member)
    response.products.set([product])
    response_decide(response=response, status="accepted", by=broker_member)
    deal = open_from_response(broker_member, response, product, quantity=quantity)  # 0.50 USD a unit
    return walk_to(deal, status, broker_member)


@pytest.fixture
def results_world(brokerage, broker_member, company, company_member, product, caspian_member):
    """Pars: deal A (Iraq, 1000 × 0.50 = 500 USD, paid, co-brokered 60/40 with Caspian), deal B
    (Oman, 2000 × 0.50 = 1000 USD, shipped, Pars alone), deal C (Iraq, negotiating: not a result),
    deal D (Iraq, lost: not a result)."""
    iraq, oman = TargetCountryFactory(iso_code="IQ"), TargetCountryFactory(iso_code="OM")
    a = deal_via_offer(brokerage, broker_member, company, company_member, product, iraq, 1000, "negotiating")
    caspian = Broker.objects.get(name_en="Caspian Logistics")
    partner = services.deal_partner_invite(deal=a, by=broker_member, broker=caspian, share_percent=40)
    services.deal_partner_accept(partner=partner, by=caspian_member)
    walk_to(a, "paid", broker_member)
    deal_via_offer(brokerage, broker_member, company, company_member, product, oman, 2000, "shipped")
    deal_via_offer(brokerage, broker_member, company, company_member, product, iraq, 3000, "negotiating")
    deal_via_offer(brokerage, broker_member, company, company_member, product, iraq, 4000, "lost")
    return {"pars": brokerage, "caspian": caspian, "iraq": iraq, "oman": oman}


def test_results_are_the_credited_shares_of_shipped_or_paid_deals(results_world):
    pars, caspian = results_world["pars"], results_world["caspian"]
    results = broker_results([pars.pk, caspian.pk])
    # Pars: A at 60% (300 USD) + B at 100% (1000 USD); C negotiating and D lost do not count.
    assert results[pars.pk].deals == 2
    assert results[pars.pk].credited_deals == Decimal("1.60")
    assert results[pars.pk].credited_value_usd == Decimal("1300.00")
    assert [c.iso_code for c in results[pars.pk].countries] == ["IQ", "OM"]
    # Caspian: A at 40% (200 USD).
    assert results[caspian.pk].deals == 1
    assert results[caspian.pk].credited_deals == Decimal("0.40")
    assert results[caspian.pk].credited_value_usd == Decimal("200.00")
    assert [c.iso_code for c in results[caspian.pk].countries] == ["IQ"]


def test_results_show_on_the_profile_and_in_the_directory_only_once_the_centre_allows_it(
    results_world, client
):
    pars = results_world["pars"]
    profile = client.get(f"/en/brokers/{pars.pk}/").content.decode()
    directory = client.get("/en/brokers/").content.decode()
    assert 'data-testid="verified-results"' not in profile
    assert 'data-testid="directory-results"' not in directory
    Broker.objects.filter(pk=pars.pk).update(results_public=True)
    from django.core.cache import cache

    cache.clear()
    profile = client.get(f"/en/brokers/{pars.pk}/").content.decode()
    assert 'data-testid="verified-results"' in profile
    assert "1,300.00" in profile
    assert "1.60" in profile
    directory = client.get("/en/brokers/").content.decode()
    assert "Verified: 2 deals shipped or paid, 2 countries served" in directory


def test_the_brokerages_own_members_always_see_its_results_on_the_dashboard(
    results_world, broker_member, client_for
):
    page = client_for(broker_member).get("/en/brokers/mine/").content.decode()
    assert 'data-testid="verified-results"' in page
    assert "Only your brokerage sees these figures" in page
    assert "1,300.00" in page


def test_the_results_public_flag_is_set_by_programme_managers_in_the_admin(
    brokerage, manager, reviewer, client_for
):
    for who, allowed in ((reviewer, False), (manager, True)):
        client_for(who).post(
            "/admin/brokers/broker/",
            {"action": "make_results_public", "_selected_action": [brokerage.pk]},
        )
        brokerage.refresh_from_db()
        assert brokerage.results_public is allowed
    assert brokerage.results_public_by == manager
    assert brokerage.results_public_at is not None


def test_the_directory_reads_a_fixed_number_of_queries_with_results(
    results_world, client, django_assert_num_queries
):
    Broker.objects.update(results_public=True)
    client.get("/en/brokers/?warm=1")
    with CaptureQueriesContext(connection) as few:
        client.get("/en/brokers/?x=1")
    for _ in range(8):
        BrokerFactory(results_public=True)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get("/en/brokers/?x=2")
    assert len(page.context["page_obj"]) == 10


def test_the_deal_list_reads_a_fixed_number_of_queries_for_a_co_broker(
    brokerage,
    broker_member,
    company,
    company_member,
    product,
    caspian_member,
    client_for,
    django_assert_num_queries,
):
    iraq = TargetCountryFactory(iso_code="IQ")
    caspian = Broker.objects.get(name_en="Caspian Logistics")

    def co_brokered() -> None:
        deal = deal_via_offer(
            brokerage, broker_member, company, company_member, product, iraq, 100, "negotiating"
        )
        partner = services.deal_partner_invite(deal=deal, by=broker_member, broker=caspian, share_percent=30)
        services.deal_partner_accept(partner=partner, by=caspian_member)

    co_brokered()
    client = client_for(caspian_member)
    client.get("/en/deals/")
    with CaptureQueriesContext(connection) as few:
        client.get("/en/deals/?x=1")
    for _ in range(5):
        co_brokered()
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get("/en/deals/?x=2")
    assert len(page.context["page_obj"]) == 6
