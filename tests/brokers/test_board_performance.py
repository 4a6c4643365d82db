"""The offer board and an offer's page: constant query counts, and a broker filter that scales."""

from __future__ import annotations

import pytest

from brokers.models import Offer
from tests.brokers.factories import BrokerFactory, OfferFactory, OfferResponseFactory
from tests.companies.factories import MembershipFactory
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import CategoryFactory

pytestmark = pytest.mark.django_db

BOARD = "/en/offers/"


@pytest.fixture
def board(brokerage):
    """36 open offers of twelve brokerages, with categories; one brokerage with a Persian name."""
    iraq = TargetCountryFactory(iso_code="IQ")
    categories = [CategoryFactory(slug=slug) for slug in ("masks", "ventilators")]
    brokers = [brokerage] + [BrokerFactory(countries=[iraq]) for _ in range(11)]
    brokers[1].name_fa, brokers[1].name_en = "کارگزاری کیان", "Kian Trade"
    brokers[1].save()
    BrokerFactory(pending=True, name_en="Kian Pending", countries=[iraq])
    return [
        OfferFactory(broker=brokers[n % 12], country=iraq, categories=categories[: 1 + n % 2])
        for n in range(36)
    ]


# Country and category options, the count, the page, its categories; a chosen country or
# category is looked up once more by the form.
BOARD_QUERIES = [
    ("", 5),
    ("?page=2", 5),
    ("?kind=demand", 5),
    ("?broker=Kian", 5),
    ("?broker={pk}", 5),
    ("?country=IQ", 6),
    ("?category=masks", 6),
    ("?country=IQ&category=ventilators&kind=demand&broker=Kian&deadline_before=2099-01-01", 7),
]


@pytest.mark.parametrize(("query", "queries"), BOARD_QUERIES)
def test_offer_board_costs_at_most_eight_queries_whatever_the_page(
    client, brokerage, board, django_assert_num_queries, query, queries
):
    url = BOARD + query.format(pk=brokerage.pk)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    assert list(response.context["page_obj"])


def test_the_broker_filter_is_a_name_box_not_a_list_of_every_brokerage(client, board):
    content = client.get(BOARD).content.decode()
    assert 'name="broker"' in content
    assert "Export Brokerage 5</option>" not in content
    assert "Kian Trade</option>" not in content


@pytest.mark.parametrize("typed", ["Kian", "kian trade", "کیان", "كيان"])
def test_the_broker_filter_finds_that_brokerages_open_offers(client, board, typed):
    offers = client.get(BOARD, {"broker": typed}).context["page_obj"]
    assert {o.broker.name_en for o in offers} == {"Kian Trade"}
    assert len(offers) == 3


def test_the_broker_filter_takes_an_id_as_links_and_the_api_pass_it(client, brokerage, board):
    offers = list(client.get(BOARD, {"broker": brokerage.pk}).context["page_obj"])
    assert offers
    assert {o.broker_id for o in offers} == {brokerage.pk}


def test_no_open_offer_of_a_pending_brokerage_is_found_by_name(client, board):
    offers = client.get(BOARD, {"broker": "Kian Pending"}).context["page_obj"]
    assert not list(offers)


@pytest.fixture
def offer_with_responses(brokerage):
    offer = OfferFactory(broker=brokerage)
    for _ in range(12):
        OfferResponseFactory(offer=offer)
    return offer


def test_offer_page_costs_a_constant_number_of_queries(
    client, offer_with_responses, django_assert_num_queries
):
    with django_assert_num_queries(3):  # the offer, its categories, its attachments
        assert client.get(f"/en/offers/{offer_with_responses.pk}/").status_code == 200


def test_the_owner_sees_twelve_responses_at_a_constant_cost(
    client_for, broker_member, offer_with_responses, django_assert_max_num_queries
):
    client = client_for(broker_member)
    url = f"/en/offers/{offer_with_responses.pk}/"
    client.get(url)
    # + session, user, memberships, unread notifications, unanswered inquiries, roles, responses
    # and their products, the offer's co-brokers and the brokerages the owner may invite
    with django_assert_max_num_queries(13):
        assert client.get(url).status_code == 200


def test_a_responding_company_sees_the_offer_page_at_a_constant_cost(
    client_for, offer_with_responses, django_assert_max_num_queries
):
    member = UserFactory()
    MembershipFactory(user=member)
    client = client_for(member)
    url = f"/en/offers/{offer_with_responses.pk}/"
    client.get(url)
    with django_assert_max_num_queries(11):
        assert client.get(url).status_code == 200
    assert Offer.objects.filter(pk=offer_with_responses.pk).exists()
