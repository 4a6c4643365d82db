"""A brokerage's verified results: deals credited to it that were shipped or paid, weighted by its
share, and the countries they went to; public (profile, directory) only once a programme manager
set `results_public` in the admin, always visible to its own members on their dashboard."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from brokers.models import Broker
from deals import services
from deals.selectors import broker_results
from portal.permissions import Role
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
    # Pars: A at 60% and B at 100%; C negotiating and D lost do not count. Its value: 60% of A's
    # payment (200 USD); B is shipped but not paid yet.
    assert results[pars.pk].deals == 2
    assert results[pars.pk].credited_deals == Decimal("1.60")
    assert results[pars.pk].credited_value_usd == Decimal("120.00")
    assert results[pars.pk].companies == 1
    assert [c.iso_code for c in results[pars.pk].countries] == ["IQ", "OM"]
    # Caspian: A at 40%.
    assert results[caspian.pk].deals == 1
    assert results[caspian.pk].credited_deals == Decimal("0.40")
    assert results[caspian.pk].credited_value_usd == Decimal("80.00")
    assert [c.iso_code for c in results[caspian.pk].countries] == ["IQ"]


@pytest.fixture
def no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


def test_results_show_on_the_profile_and_in_the_directory_only_once_the_centre_allows_it(
    results_world, client, no_page_cache
):
    pars = results_world["pars"]
    profile = client.get(f"/en/brokers/{pars.pk}/").text
    directory = client.get("/en/brokers/").text
    assert 'data-testid="verified-results"' not in profile
    assert 'data-testid="directory-results"' not in directory
    assert client.get(f"/api/v1/brokers/{pars.pk}/").json()["results"] is None
    Broker.objects.filter(pk=pars.pk).update(results_public=True)
    profile = client.get(f"/en/brokers/{pars.pk}/").text
    assert 'data-testid="verified-results"' in profile
    assert "1.60" in profile
    directory = client.get("/en/brokers/").text
    assert "Verified: 2 deals shipped or paid, 2 countries served" in directory


def test_the_brokerages_own_members_always_see_their_exact_figures(
    results_world, broker_member, caspian_member, client_for
):
    page = client_for(broker_member).get("/en/brokers/mine/").text
    assert 'data-testid="verified-results"' in page
    assert "Only your brokerage sees these figures" in page
    assert "120.00" in page  # 60% of the 200 USD received for A
    assert client_for(caspian_member).get("/en/brokers/mine/").text.count("80.00") == 1  # its 40%
    profile = client_for(broker_member).get(f"/en/brokers/{results_world['pars'].pk}/").text
    assert "120.00" in profile


# ---------------------------------------------------------------------------
# One figure: the results dashboard, its API and the profiles credit the same shares
# ---------------------------------------------------------------------------
def test_a_co_brokered_deal_counts_60_and_40_percent_on_the_dashboard_and_the_profiles(
    results_world, manager, broker_member, caspian_member, client_for
):
    """A (500 USD, paid 200) is Pars' at 60% and Caspian's at 40%; B (1,000 USD, shipped) Pars'
    alone: the dashboard's table by brokerage, /api/v1/results/ and each brokerage's own page show
    the same shares, and the rows add up to the totals."""
    pars, caspian = results_world["pars"], results_world["caspian"]
    client = client_for(manager)
    data = client.get("/api/v1/results/").json()
    rows = {row["id"]: row for row in data["broker"]}
    assert set(rows) == {pars.pk, caspian.pk}  # every deal here has a brokerage
    assert (rows[pars.pk]["contracted_usd"], rows[pars.pk]["paid_usd"]) == ("1300.00", "120.00")
    assert (rows[caspian.pk]["contracted_usd"], rows[caspian.pk]["paid_usd"]) == ("200.00", "80.00")
    assert (rows[pars.pk]["paid_deals"], rows[caspian.pk]["paid_deals"]) == (1, 1)
    assert data["totals"]["paid_usd"] == "200.00"
    assert data["totals"]["contracted_usd"] == "1500.00"
    assert sum(Decimal(row["paid_usd"]) for row in rows.values()) == Decimal("200.00")
    assert sum(Decimal(row["contracted_usd"]) for row in rows.values()) == Decimal("1500.00")
    profiles = broker_results([pars.pk, caspian.pk])
    for broker in (pars, caspian):
        assert profiles[broker.pk].credited_value_usd == Decimal(rows[broker.pk]["paid_usd"])

    client.cookies["portal_language"] = "en"
    page = client.get("/admin/results/", headers={"accept-language": "en"})
    table = page.text.split('id="results-broker"')[1].split("</table>")[0]
    pars_row = table.split(pars.name_en)[1].split("</tr>")[0]
    caspian_row = table.split(caspian.name_en)[1].split("</tr>")[0]
    assert "1,300.00" in pars_row
    assert "120.00" in pars_row
    assert "200.00" in caspian_row
    assert "80.00" in caspian_row
    assert "its agreed share of the deal" in page.text
    assert "120.00" in client_for(broker_member).get("/en/brokers/mine/").text
    assert "80.00" in client_for(caspian_member).get("/en/brokers/mine/").text


# ---------------------------------------------------------------------------
# What the public read: the public results page's rule (portal/disclosure.py)
# ---------------------------------------------------------------------------
def test_with_fewer_than_three_companies_behind_it_the_public_see_counts_never_the_value(
    results_world, client, no_page_cache
):
    """Pars' value (120 USD) comes from Alpha's deal alone: the profile, the directory and the API
    show the deals and countries, and no value at all, exact or rounded."""
    pars = results_world["pars"]
    Broker.objects.filter(pk=pars.pk).update(results_public=True)
    profile = client.get(f"/en/brokers/{pars.pk}/").text
    assert 'data-testid="results-deals">2<' in profile
    assert 'data-testid="results-value"' not in profile
    assert not re.search(r"(?<![\d/])120(?![\d/])", profile)  # ids in links (offers/1200/) aside
    assert "once the deals of at least 3 companies stand behind it" in profile
    persian = client.get(f"/fa/brokers/{pars.pk}/").text
    assert not re.search(r"(?<![\d/])۱۲۰(?![\d/])", persian)
    assert 'data-testid="results-value-withheld"' in persian
    directory = client.get("/en/brokers/").text
    assert "Verified: 2 deals" in directory
    assert 'data-testid="directory-results-value"' not in directory
    expected = {"deals": 2, "credited_deals": "1.60", "countries": ["IQ", "OM"], "value_usd": None}
    assert client.get(f"/api/v1/brokers/{pars.pk}/").json()["results"] == expected
    listed = {row["id"]: row for row in client.get("/api/v1/brokers/").json()["results"]}
    assert listed[pars.pk]["results"] == expected


@pytest.fixture
def three_companies(results_world, brokerage, broker_member, other_company, other_company_member):
    """Pars brings buyers to Beta (paid 1,000 USD) and Gamma (paid 1,400 USD) too: with Alpha's 60%
    of 200 USD, its value is 2,520 USD from three companies."""
    from tests.companies.factories import CompanyFactory, MembershipFactory
    from tests.deals.factories import pay
    from tests.products.factories import ProductFactory

    gamma = CompanyFactory(name_en="Gamma Labs")
    goli = UserFactory(email="goli@gamma.example", roles=[Role.COMPANY_MEMBER])
    MembershipFactory(company=gamma, user=goli)
    for firm, member, amount in ((other_company, other_company_member, "1000"), (gamma, goli, "1400")):
        product = ProductFactory(company=firm)
        deal = deal_via_offer(
            brokerage, broker_member, firm, member, product, results_world["iraq"], 4000, "shipped"
        )
        pay(deal, broker_member, amount=amount)
    Broker.objects.filter(pk=brokerage.pk).update(results_public=True)
    return results_world


def test_with_three_companies_behind_it_the_public_see_the_value_rounded(
    three_companies, client, broker_member, client_for, no_page_cache
):
    pars = three_companies["pars"]
    assert broker_results([pars.pk])[pars.pk].credited_value_usd == Decimal("2520.00")
    profile = client.get(f"/en/brokers/{pars.pk}/").text
    assert '<span dir="ltr">3,000</span>' in profile
    assert "2,520" not in profile
    assert 'data-testid="results-value-withheld"' not in profile
    assert "۳٬۰۰۰" in client.get(f"/fa/brokers/{pars.pk}/").text
    directory = client.get("/en/brokers/").text
    assert 'About <span dir="ltr">3,000</span> US dollars received' in directory
    results = client.get(f"/api/v1/brokers/{pars.pk}/").json()["results"]
    assert (results["deals"], results["value_usd"]) == (4, 3000)
    # Its own members still read the exact figure.
    assert "2,520.00" in client_for(broker_member).get("/en/brokers/mine/").text


def test_a_value_one_company_makes_up_mostly_is_withheld_though_three_stand_behind_it(
    three_companies, client, broker_member, client_for, no_page_cache
):
    """Gamma's deal is paid 20,000 more: of Pars' 22,520, Gamma's part is 21,400, which the rounded
    figure would all but tell. The public see the counts; Pars' members the exact value."""
    from deals.models import Deal
    from tests.deals.factories import pay

    pars = three_companies["pars"]
    gamma_deal = Deal.objects.get(company__name_en="Gamma Labs")
    pay(gamma_deal, broker_member, amount="20000")
    figures = broker_results([pars.pk])[pars.pk]
    assert (figures.credited_value_usd, figures.largest_company_usd, figures.companies) == (
        Decimal("22520.00"), Decimal("21400.00"), 3,
    )  # fmt: skip
    profile = client.get(f"/en/brokers/{pars.pk}/").text
    assert 'data-testid="results-value-withheld"' in profile
    assert "23,000" not in profile
    assert client.get(f"/api/v1/brokers/{pars.pk}/").json()["results"]["value_usd"] is None
    assert "22,520.00" in client_for(broker_member).get("/en/brokers/mine/").text


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


def test_the_profile_reads_a_fixed_number_of_queries_whatever_its_results(
    three_companies, broker_member, company, company_member, product, client, no_page_cache,
    django_assert_num_queries,
):  # fmt: skip
    from tests.deals.factories import pay

    pars = three_companies["pars"]
    url = f"/en/brokers/{pars.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for country in ("AE", "KW", "QA"):
        destination = TargetCountryFactory(iso_code=country)
        deal = deal_via_offer(
            pars, broker_member, company, company_member, product, destination, 1000, "shipped"
        )
        pay(deal, broker_member, amount="300")
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.context["results"].deals == 7
    assert len(page.context["results"].countries) == 5


def test_the_api_reads_a_fixed_number_of_queries_with_results(
    results_world, client, django_assert_num_queries
):
    Broker.objects.update(results_public=True)
    client.get("/api/v1/brokers/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/brokers/?x=1")
    for _ in range(8):
        BrokerFactory(results_public=True)
    with django_assert_num_queries(len(few.captured_queries)):
        data = client.get("/api/v1/brokers/?x=2").json()
    assert data["count"] == 10


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


def test_deals_opened_with_a_brokerage_before_credits_were_kept_credit_it_whole(results_world):
    """Migration 0009: a deal with a brokerage and no credit rows (opened before 0003) credits its
    brokerage with the whole, so it counts in the brokerage's results, not as the company's own."""
    from importlib import import_module

    from django.apps import apps

    from deals.models import Deal, DealCredit

    deal = Deal.objects.filter(broker__isnull=False).first()
    DealCredit.objects.filter(deal=deal).delete()
    import_module("deals.migrations.0009_credit_earlier_deals").credit_earlier_deals(apps, None)
    credit = DealCredit.objects.get(deal=deal)
    assert (credit.broker_id, credit.role, credit.share_percent) == (deal.broker_id, "introduced", 100)
    import_module("deals.migrations.0009_credit_earlier_deals").credit_earlier_deals(apps, None)
    assert DealCredit.objects.filter(deal=deal).count() == 1  # deals with credits are left alone
