"""A brokerage answers an offer for a company under the company's mandate: Reza (Pars) answers
Leila's brokerage's buyer demand in Iraq for Sara's company (Alpha Medical), with Alpha's masks."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from brokers.mandates import mandate_revoke
from brokers.models import OfferResponse
from brokers.services import response_submit
from portal.models import Notification
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory, OfferFactory
from tests.brokers.mandates import give_mandate
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db

QUOTE = {"unit_price": "0.11", "currency": "USD", "quantity": 50_000, "lead_time_days": 21, "message": ""}


@pytest.fixture
def iraq(db):
    return TargetCountryFactory(iso_code="IQ")


@pytest.fixture
def masks(db):
    return CategoryFactory(slug="masks")


@pytest.fixture
def mask(company, masks):
    return ProductFactory(company=company, category=masks, name_en="Alpha three-ply mask")


@pytest.fixture
def ventilator(company):
    return ProductFactory(company=company, category=CategoryFactory(slug="ventilators"), name_en="Alpha vent")


@pytest.fixture
def offer_owner(iraq):
    """Leila works for Tigris Brokers, which listed the buyer demand."""
    user = UserFactory(email="leila@tigris.example", english=True)
    BrokerMembershipFactory(broker=BrokerFactory(name_en="Tigris Brokers", countries=[iraq]), user=user)
    return user


@pytest.fixture
def offer(offer_owner, iraq, masks):
    return OfferFactory(broker=offer_owner.broker_membership.broker, country=iraq, categories=[masks])


@pytest.fixture
def mandate(company, company_member, brokerage, broker_member, iraq, masks):
    return give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[masks]
    )


def send(offer, company, by, products, broker=None, **changes):
    return response_submit(
        offer=offer, company=company, by=by, products=products, broker=broker, **{**QUOTE, **changes}
    )


# ---------------------------------------------------------------------------
# The service
# ---------------------------------------------------------------------------
def test_a_broker_answers_for_a_company_it_holds_a_covering_mandate_for(
    mandate, offer, company, company_member, brokerage, broker_member, mask, offer_owner
):
    response = send(offer, company, broker_member, [mask], broker=brokerage)
    assert response.company == company
    assert response.submitted_by_broker == brokerage
    assert response.created_by == broker_member
    assert response.by_broker
    to_owner = Notification.objects.get(recipient=offer_owner, kind="offer_response_received")
    assert "Pars Export Brokers" in to_owner.body
    assert "Alpha Medical Equipment" in to_owner.body
    to_company = Notification.objects.get(recipient=company_member, kind="offer_response_sent_for_company")
    assert to_company.url == offer.get_absolute_url()


def test_without_a_mandate_the_answer_is_refused_and_nothing_saved(
    offer, company, brokerage, broker_member, mask
):
    with pytest.raises(ValidationError, match="هیچ وکالت"):
        send(offer, company, broker_member, [mask], broker=brokerage)
    assert not OfferResponse.objects.exists()


def test_products_outside_the_mandates_categories_are_refused_on_the_products_field(
    mandate, offer, company, brokerage, broker_member, ventilator
):
    with pytest.raises(ValidationError) as refused:
        send(offer, company, broker_member, [ventilator], broker=brokerage)
    assert "گروه‌های محصول" in refused.value.message_dict["products"][0]
    assert not OfferResponse.objects.exists()


def test_an_offer_in_a_country_outside_the_mandate_is_refused(
    mandate, company, brokerage, broker_member, mask, masks
):
    syria = TargetCountryFactory(iso_code="SY")
    elsewhere = OfferFactory(broker=BrokerFactory(countries=[syria]), country=syria, categories=[masks])
    with pytest.raises(ValidationError, match="SY را در بر"):
        send(elsewhere, company, broker_member, [mask], broker=brokerage)
    assert not OfferResponse.objects.exists()


def test_a_revoked_mandate_no_longer_lets_the_broker_answer(
    mandate, offer, company, company_member, brokerage, broker_member, mask
):
    mandate_revoke(mandate=mandate, by=company_member)
    with pytest.raises(ValidationError):
        send(offer, company, broker_member, [mask], broker=brokerage)
    assert not OfferResponse.objects.exists()


def test_a_broker_does_not_answer_its_own_offer_for_a_company(
    mandate, company, brokerage, broker_member, mask, iraq, masks
):
    own = OfferFactory(broker=brokerage, country=iraq, categories=[masks])
    with pytest.raises(PermissionDenied):
        send(own, company, broker_member, [mask], broker=brokerage)


def test_a_broker_does_not_overwrite_the_companys_own_answer(
    mandate, offer, company, company_member, brokerage, broker_member, mask
):
    own = send(offer, company, company_member, [mask])
    with pytest.raises(ValidationError, match="خود به این پیشنهاد پاسخ داده"):
        send(offer, company, broker_member, [mask], broker=brokerage, unit_price="0.01")
    own.refresh_from_db()
    assert str(own.unit_price) == "0.11"
    assert own.submitted_by_broker is None


def test_the_broker_changes_its_own_answer_and_the_company_stays_its_owner(
    mandate, offer, company, company_member, brokerage, broker_member, mask
):
    first = send(offer, company, broker_member, [mask], broker=brokerage)
    again = send(offer, company, broker_member, [mask], broker=brokerage, unit_price="0.09")
    assert again.pk == first.pk
    assert str(again.unit_price) == "0.09"
    # The company may change the answer sent for it: it is its response, and its own from then on.
    send(offer, company, company_member, [mask], unit_price="0.10")
    assert OfferResponse.objects.get().submitted_by_broker is None


def test_a_member_of_another_brokerage_cannot_answer_under_pars_mandate(
    mandate, offer, company, brokerage, other_broker_member, mask
):
    with pytest.raises(PermissionDenied):
        send(offer, company, other_broker_member, [mask], broker=brokerage)


# ---------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------
def test_the_offer_page_offers_the_broker_the_companies_it_represents_there(
    client_for, mandate, offer, broker_member, company
):
    page = client_for(broker_member).get(offer.get_absolute_url())
    assert reverse("brokers:respond_for", args=[offer.pk, company.pk]) in page.content.decode()


def test_the_broker_answers_through_its_page_and_everyone_reads_by_whom_for_whom(
    client_for, mandate, offer, company, company_member, brokerage, broker_member, offer_owner, mask
):
    url = reverse("brokers:respond_for", args=[offer.pk, company.pk])
    assert client_for(broker_member).get(url).status_code == 200
    sent = client_for(broker_member).post(
        url, {"products": [mask.pk], "unit_price": "۰٫۱۱", "currency": "USD", "quantity": "۵۰۰۰۰",
              "lead_time_days": "21"},
    )  # fmt: skip
    assert sent.status_code == 302
    response = OfferResponse.objects.get()
    assert response.submitted_by_broker == brokerage
    assert response.quantity == 50_000
    label = "by Pars Export Brokers for Alpha Medical Equipment"
    assert label in client_for(offer_owner).get("/en" + offer.get_absolute_url()[3:]).content.decode()
    assert label in client_for(broker_member).get("/en" + offer.get_absolute_url()[3:]).content.decode()
    with translation.override("fa"):
        mine = client_for(company_member).get(reverse("brokers:my_responses")).content.decode()
    assert "کارگزاری پارس" in mine
    assert "شرکت تجهیزات پزشکی آلفا" in mine


def test_without_a_mandate_the_page_says_why_and_saves_nothing(
    client_for, offer, company, other_broker_member, mask
):
    url = reverse("brokers:respond_for", args=[offer.pk, company.pk])
    page = client_for(other_broker_member).get(url)
    assert page.status_code == 200
    assert "وکالت" in page.content.decode()
    refused = client_for(other_broker_member).post(
        url, {"products": [mask.pk], "unit_price": "0.11", "currency": "USD", "quantity": "50000",
              "lead_time_days": "21"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "۰٫۱۱" in refused.content.decode()  # what was typed is kept, in the Persian page's digits
    assert not OfferResponse.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "company_member"])
def test_only_brokerage_members_open_the_answer_for_page(client_for, request, who, offer, company, mandate):
    user = request.getfixturevalue(who)
    page = client_for(user).get(reverse("brokers:respond_for", args=[offer.pk, company.pk]))
    assert page.status_code == (302 if who == "anonymous" else 403)


def test_the_api_names_the_brokerage_that_sent_a_response(
    client_for, mandate, offer, company, company_member, brokerage, broker_member, mask
):
    send(offer, company, broker_member, [mask], broker=brokerage)
    for user in (company_member, broker_member):
        rows = client_for(user).get("/api/v1/offer-responses/").json()["results"]
        assert rows[0]["submitted_by_broker"]["id"] == brokerage.pk
        assert rows[0]["submitted_by_broker"]["name"] in (brokerage.name_fa, brokerage.name_en)


@pytest.mark.parametrize("who", ["anonymous", "company_member", "offer_owner"])
def test_only_a_brokerage_acting_for_companies_sees_the_answer_for_card(
    client_for, request, who, offer, mandate
):
    with translation.override("en"):
        page = client_for(request.getfixturevalue(who)).get(offer.get_absolute_url()).content.decode()
    assert "Answer for a company you represent" not in page
    assert "/respond-for/" not in page
