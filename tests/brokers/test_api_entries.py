"""The offers API list keeps each offer's serialized entry in the shared cache, as the products
API does (portal/rest/entries.py): the answer is the one built from the rows, a change shows at
once, each language gets its own entries, and a signed-in caller's list is built from the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from brokers.models import Offer
from tests.brokers.factories import BrokerFactory, OfferFactory
from tests.products.factories import CategoryFactory

pytestmark = pytest.mark.django_db

OFFERS = "/api/v1/offers/"


@pytest.fixture(autouse=True)
def _entries_cached(settings) -> None:
    settings.PAGE_CACHE_SECONDS = 0  # the list is built each time; its entries come from the cache
    settings.FRAGMENT_CACHE_SECONDS = 300


def entry(client, offer: Offer, **headers: str) -> dict:
    response = client.get(OFFERS, {"page_size": 100}, headers=headers)
    assert response.status_code == 200, response.content
    return next(item for item in response.json()["results"] if item["id"] == offer.pk)


@pytest.mark.parametrize("page_size", [20, 100])
def test_a_page_from_cached_entries_is_the_page_built_from_the_rows_in_two_queries(
    client, settings, django_assert_num_queries, page_size
):
    masks = CategoryFactory(slug="masks")
    today = timezone.localdate()
    for broker in BrokerFactory.create_batch(3):
        for days in range(35):
            OfferFactory(broker=broker, categories=[masks], deadline=today + dt.timedelta(days))
    path = f"{OFFERS}?page_size={page_size}&page=2"
    settings.FRAGMENT_CACHE_SECONDS = 0
    built = client.get(path)
    settings.FRAGMENT_CACHE_SECONDS = 300
    # A cold cache: the count, the ids of the page, then the page's offers with their brokerage
    # and country, and their categories, however many the page shows.
    with django_assert_num_queries(4):
        cold = client.get(path)
    with django_assert_num_queries(2):  # the count and the ids; every entry from the cache
        warm = client.get(path)
    assert len(built.json()["results"]) == (5 if page_size == 100 else 20)
    assert warm.content == cold.content == built.content  # byte for byte


def test_a_change_to_an_offer_or_its_brokerage_shows_in_the_api_at_once(client):
    offer = OfferFactory(title_en="Gloves for Basra")
    assert entry(client, offer, accept_language="en")["title"] == "Gloves for Basra"  # cached

    offer.title_en = "Nitrile gloves for Basra"
    offer.quantity = 50_000
    offer.save()
    changed = entry(client, offer, accept_language="en")
    assert (changed["title"], changed["quantity"]) == ("Nitrile gloves for Basra", 50_000)

    offer.categories.add(CategoryFactory(slug="gloves"))
    assert set(entry(client, offer)["categories"]) == {"masks", "gloves"}

    offer.broker.name_en = "Tigris Trade"
    offer.broker.save()
    assert entry(client, offer, accept_language="en")["broker"]["name"] == "Tigris Trade"

    offer.status = Offer.Status.CLOSED
    offer.save()
    assert client.get(OFFERS).json()["results"] == []


def test_each_language_gets_its_own_entries(client):
    offer = OfferFactory(title_fa="نیاز به دستکش", title_en="Gloves needed")
    assert entry(client, offer, accept_language="en")["title"] == "Gloves needed"  # English first
    assert entry(client, offer, accept_language="fa")["title"] == "نیاز به دستکش"
    assert entry(client, offer, accept_language="en")["title"] == "Gloves needed"


def test_signed_in_callers_neither_read_nor_fill_the_shared_entries(
    client, client_for, brokerage, broker_member, other_broker_member
):
    offer = OfferFactory(broker=brokerage, title_en="Open offer")
    draft = OfferFactory(broker=brokerage, draft=True, title_en="Secret draft")
    member = client_for(broker_member)
    listed = {item["title_en"] for item in member.get(OFFERS).json()["results"]}
    assert listed == {"Open offer", "Secret draft"}
    # The member's list stored nothing an anonymous caller reads: no draft among the public.
    assert [item["id"] for item in client.get(OFFERS).json()["results"]] == [offer.pk]

    # A write that announces nothing (so the anonymous entries stay as they were) shows at once
    # to the member: their list is built from the rows, not read from the shared entries.
    Offer.objects.filter(pk=offer.pk).update(title_en="Open offer, renamed")
    assert entry(client, offer)["title_en"] == "Open offer"
    assert entry(member, offer)["title_en"] == "Open offer, renamed"
    assert draft.pk not in {item["id"] for item in client.get(OFFERS).json()["results"]}
    # Another brokerage's member sees neither the draft nor anything of the first member's list.
    other = client_for(other_broker_member)
    assert draft.pk not in {item["id"] for item in other.get(OFFERS).json()["results"]}
