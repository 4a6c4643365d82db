"""A price typed with a decimal comma is the price meant (the audit saw "1,25" saved as 125.00)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from brokers.models import OfferResponse
from tests.brokers.factories import OfferFactory
from tests.brokers.test_responses_and_inquiries import response_data
from tests.products.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(brokerage):
    return OfferFactory(broker=brokerage, categories=[CategoryFactory(slug="masks")])


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1,25", "1.25"), ("۱٫۲۵", "1.25"), ("۱,۲۵", "1.25"), ("1.234,50", "1234.50"), ("۱٬۲۳۴٫۵", "1234.50")],
)
def test_response_form_reads_the_price_meant(client_for, company_member, company, offer, typed, stored):
    product = ProductFactory(company=company)
    response = client_for(company_member).post(
        f"/en/offers/{offer.pk}/respond/", response_data(product, unit_price=typed)
    )
    assert response.status_code == 302
    assert OfferResponse.objects.get().unit_price == Decimal(stored)


@pytest.mark.parametrize(
    ("language", "message"), [("en", "Write decimals with a point"), ("fa", "اعشار را با ممیز")]
)
def test_unclear_price_is_a_field_error_and_keeps_what_was_typed(
    client_for, company_member, company, offer, language, message
):
    product = ProductFactory(company=company)
    response = client_for(company_member).post(
        f"/{language}/offers/{offer.pk}/respond/", response_data(product, unit_price="1,2,5")
    )
    assert response.status_code == 400
    assert message in response.context["response_form"].errors["unit_price"][0]
    shown = {"en": "1,2,5", "fa": "۱,۲,۵"}[language]  # as typed, in the page's digits
    assert f'value="{shown}"' in response.content.decode()
    assert not OfferResponse.objects.exists()


@pytest.mark.parametrize(
    ("typed", "status", "stored"), [("1,25", 201, "1.25"), ("۱٬۲۵۰", 201, "1250"), ("1,2,5", 400, None)]
)
def test_api_reads_the_price_meant_or_refuses_it(
    client_for, company_member, company, offer, typed, status, stored
):
    product = ProductFactory(company=company)
    payload = {
        "products": [product.pk],
        "unit_price": typed,
        "currency": "USD",
        "quantity": 1000,
        "lead_time_days": 10,
        "message": "",
    }
    response = client_for(company_member).post(
        f"/api/v1/offers/{offer.pk}/responses/", payload, content_type="application/json"
    )
    assert response.status_code == status, response.content
    if stored:
        assert OfferResponse.objects.get().unit_price == Decimal(stored)
    else:
        assert "unit_price" in response.json()["error"]["fields"]
