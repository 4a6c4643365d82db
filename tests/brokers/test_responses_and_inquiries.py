from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from brokers.models import BuyerInquiry, OfferResponse
from brokers.tasks import inquiry_route
from companies.models import Company
from portal.models import Notification
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory, OfferFactory, OfferResponseFactory
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(brokerage):
    return OfferFactory(broker=brokerage, categories=[CategoryFactory(slug="masks")])


def response_data(product, **overrides: object) -> dict[str, object]:
    data = {
        "products": [product.pk],
        "unit_price": "۰٫۰۹",
        "currency": "USD",
        "quantity": "۲۰۰۰۰۰",
        "lead_time_days": "21",
        "message": "Two shipments, first in three weeks.",
    }
    data.update(overrides)
    return data


def test_company_answers_once_and_may_change_its_answer(
    client_for, company_member, company, offer, broker_member
):
    product = ProductFactory(company=company)
    client = client_for(company_member)
    response = client.post(f"/en/offers/{offer.pk}/respond/", response_data(product))
    assert response.status_code == 302
    answer = OfferResponse.objects.get()
    assert answer.unit_price == Decimal("0.09")
    assert answer.quantity == 200_000
    assert Notification.objects.filter(recipient=broker_member, kind="offer_response_received").exists()
    client.post(f"/en/offers/{offer.pk}/respond/", response_data(product, unit_price="0.08"))
    assert OfferResponse.objects.count() == 1
    assert OfferResponse.objects.get().unit_price == Decimal("0.08")
    assert Notification.objects.filter(recipient=broker_member, kind="offer_response_updated").exists()


def test_only_own_published_products_can_be_offered(
    client_for, company_member, company, other_company, offer
):
    theirs = ProductFactory(company=other_company)
    draft = ProductFactory(company=company, draft=True)
    client = client_for(company_member)
    for product in (theirs, draft):
        response = client.post(f"/en/offers/{offer.pk}/respond/", response_data(product))
        assert response.status_code == 400
        assert "products" in response.context["response_form"].errors
    assert not OfferResponse.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("unit_price", "-1"), ("quantity", "0"), ("currency", "BTC")])
def test_bad_quote_is_a_field_error(client_for, company_member, company, offer, field, value):
    product = ProductFactory(company=company)
    response = client_for(company_member).post(
        f"/en/offers/{offer.pk}/respond/", response_data(product, **{field: value})
    )
    assert response.status_code == 400
    assert field in response.context["response_form"].errors
    assert "Two shipments" in response.content.decode()


def test_unverified_companies_and_brokers_cannot_answer(
    client_for, company_member, company, offer, broker_member
):
    product = ProductFactory(company=company)
    assert (
        client_for(broker_member).post(f"/en/offers/{offer.pk}/respond/", response_data(product)).status_code
        == 403
    )
    company.status = Company.Status.PENDING
    company.save()
    assert (
        client_for(company_member).post(f"/en/offers/{offer.pk}/respond/", response_data(product)).status_code
        == 403
    )
    assert not OfferResponse.objects.exists()


def test_broker_decides_and_the_company_hears(client_for, broker_member, offer, company, company_member):
    answer = OfferResponseFactory(offer=offer, company=company)
    client = client_for(broker_member)
    assert client.post(f"/en/responses/{answer.pk}/shortlisted/").status_code == 302
    assert client.post(f"/en/responses/{answer.pk}/accepted/").status_code == 302
    answer.refresh_from_db()
    assert answer.status == OfferResponse.Status.ACCEPTED
    kinds = set(Notification.objects.filter(recipient=company_member).values_list("kind", flat=True))
    assert {"offer_response_shortlisted", "offer_response_accepted"} <= kinds
    # Decided: the company can no longer change it, and the broker cannot decide again.
    product = ProductFactory(company=company)
    response = client_for(company_member).post(f"/en/offers/{offer.pk}/respond/", response_data(product))
    assert response.status_code == 400
    client.post(f"/en/responses/{answer.pk}/declined/")
    answer.refresh_from_db()
    assert answer.status == OfferResponse.Status.ACCEPTED


def test_other_brokers_and_companies_cannot_see_or_decide(
    client_for, other_broker_member, other_company_member, offer, company
):
    answer = OfferResponseFactory(offer=offer, company=company, message="our secret price")
    assert client_for(other_broker_member).post(f"/en/responses/{answer.pk}/accepted/").status_code == 404
    answer.refresh_from_db()
    assert answer.status == OfferResponse.Status.SUBMITTED
    for user in (other_broker_member, other_company_member, None):
        assert "our secret price" not in client_for(user).get(f"/en/offers/{offer.pk}/").content.decode()
    assert (
        "our secret price" not in client_for(other_company_member).get("/en/responses/mine/").content.decode()
    )


def test_unknown_decision_changes_nothing(client_for, broker_member, offer, company):
    answer = OfferResponseFactory(offer=offer, company=company)
    response = client_for(broker_member).post(f"/en/responses/{answer.pk}/hacked/", follow=True)
    assert response.status_code == 200
    answer.refresh_from_db()
    assert answer.status == OfferResponse.Status.SUBMITTED


def test_company_sees_its_responses_on_one_page(client_for, company_member, company, offer):
    OfferResponseFactory(offer=offer, company=company, status="shortlisted")
    content = client_for(company_member).get("/en/responses/mine/").content.decode()
    assert offer.title_en in content
    assert "Shortlisted" in content


# --- buyer inquiries --------------------------------------------------------------------------------
def inquiry_data(**overrides: object) -> dict[str, object]:
    data = {
        "name": "Ali Hassan",
        "organisation": "Baghdad Medical City & Partners",
        "country": TargetCountryFactory(iso_code="IQ").pk,
        "email": "ali@buyer.example",
        "message": "Please quote 100,000 masks <monthly>.",
    }
    data.update(overrides)
    return data


def test_inquiry_reaches_the_company_and_the_brokers_covering_the_country(
    client, company, company_member, brokerage, broker_member, django_capture_on_commit_callbacks
):
    product = ProductFactory(company=company)
    BrokerMembershipFactory(broker=BrokerFactory(pending=True))  # covers Iraq, not approved: not told
    BrokerMembershipFactory(
        broker=BrokerFactory(countries=[TargetCountryFactory(iso_code="OM")])
    )  # elsewhere
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/inquiries/new/?product={product.pk}", inquiry_data())
    inquiry = BuyerInquiry.objects.get()
    assert response["Location"] == f"/en/inquiries/thanks/?ref={inquiry.reference}"
    assert inquiry.product == product
    assert inquiry.company == company
    assert inquiry.status == BuyerInquiry.Status.ROUTED
    assert inquiry.routed_to == 2
    told = {n.recipient for n in Notification.objects.filter(kind="inquiry_received")}
    assert told == {company_member, broker_member}
    english = next(m for m in mail.outbox if broker_member.email in m.to)
    assert "Baghdad Medical City & Partners" in english.body  # plain text, not HTML-escaped
    assert "<monthly>" in english.body
    assert "&lt;" in english.alternatives[0][0]  # but escaped in the HTML part
    assert inquiry_route(inquiry.pk) == 0  # routed once only


def test_honeypot_drops_bots_silently(client):
    response = client.post("/en/inquiries/new/", inquiry_data(website="http://spam.example"))
    assert response["Location"] == "/en/inquiries/thanks/"
    assert not BuyerInquiry.objects.exists()


def test_inquiries_are_rate_limited_per_address(client):
    for _ in range(5):
        assert client.post("/en/inquiries/new/", inquiry_data()).status_code == 302
    response = client.post("/en/inquiries/new/", inquiry_data())
    assert response.status_code == 200
    assert "Too many inquiries" in response.content.decode()
    assert BuyerInquiry.objects.count() == 5


@pytest.mark.parametrize(("field", "value"), [("email", "not-mail"), ("message", ""), ("country", "999")])
def test_inquiry_field_errors_keep_input(client, field, value):
    response = client.post("/fa/inquiries/new/", inquiry_data(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Ali Hassan" in response.content.decode()


@pytest.mark.parametrize("query", ["?product=abc", "?product=999999", "?company=-1"])
def test_inquiry_about_something_unknown_is_404(client, query):
    assert client.get(f"/en/inquiries/new/{query}").status_code == 404


def test_inquiry_about_a_draft_product_is_404(client, company):
    draft = ProductFactory(company=company, draft=True)
    assert client.get(f"/en/inquiries/new/?product={draft.pk}").status_code == 404


def test_shortlisting_twice_tells_the_company_once(client_for, broker_member, offer, company, company_member):
    answer = OfferResponseFactory(offer=offer, company=company)
    for _ in range(2):
        client_for(broker_member).post(f"/en/responses/{answer.pk}/shortlisted/")
    assert (
        Notification.objects.filter(recipient=company_member, kind="offer_response_shortlisted").count() == 1
    )


def test_an_inquiry_marked_spam_before_it_was_routed_stays_spam_and_tells_nobody(
    client, company, company_member, brokerage, broker_member, manager
):
    """The routing message was delayed (a broker outage); staff marked the inquiry spam meanwhile."""
    from brokers.services import inquiry_mark

    product = ProductFactory(company=company)
    client.post(f"/en/inquiries/new/?product={product.pk}", inquiry_data())  # routing not yet run
    inquiry = BuyerInquiry.objects.get()
    assert inquiry.status == BuyerInquiry.Status.NEW
    assert inquiry_mark(inquiry=inquiry, status=BuyerInquiry.Status.SPAM, by=manager)
    assert inquiry_route(inquiry.pk) == 0
    inquiry.refresh_from_db()
    assert inquiry.status == BuyerInquiry.Status.SPAM
    assert inquiry.routed_at is None
    assert not Notification.objects.filter(kind="inquiry_received").exists()
