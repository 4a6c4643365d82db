"""A company does not book the same service twice while its booking is still open, and a second
rating (a double click, two tabs) is a field error, not a server error, on the page and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from brokers import services
from brokers.models import Engagement, EngagementRating
from portal.access import ALLOWED
from portal.models import Notification
from tests.brokers.factories import BrokerServiceFactory, EngagementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(brokerage, broker_member):
    return BrokerServiceFactory(broker=brokerage)


# --- repeat bookings ---------------------------------------------------------------------------------
def test_booking_a_service_again_while_the_first_booking_is_open_is_refused_with_the_reason(
    client_for, service, company, company_member, broker_member
):
    client = client_for(company_member)
    assert client.post(f"/en/services/{service.pk}/book/", {"message": "Customs at Basra"}).status_code == 302
    first = Engagement.objects.get()
    page = client.get(f"/en/services/{service.pk}/book/").content.decode()
    assert 'data-testid="open-booking"' in page
    assert first.get_absolute_url() in page
    again = client.post(f"/fa/services/{service.pk}/book/", {"message": "دوباره برای بصره"})
    assert again.status_code == 400
    assert again.context["form"].non_field_errors() == [
        "شرکت شما یک رزرو باز از همین خدمت دارد. پیگیری آن را در صفحهٔ همان رزرو ادامه دهید؛ "
        "پس از بسته یا ردشدن آن می‌توانید دوباره رزرو کنید."
    ]
    assert "دوباره برای بصره" in again.content.decode()  # what was typed is kept
    assert Engagement.objects.count() == 1
    assert Notification.objects.filter(recipient=broker_member).count() == 1
    # Once accepted it is still open.
    services.engagement_act(engagement=first, action="accept", by=broker_member)
    with translation.override("en"), pytest.raises(ValidationError, match="already has an open booking"):
        services.engagement_book(service=service, company=company, by=company_member, message="Again")


@pytest.mark.parametrize("ending", ["decline", "close"])
def test_after_the_booking_is_declined_or_closed_the_company_books_again(
    client_for, service, company, company_member, broker_member, ending
):
    first = EngagementFactory(service=service, company=company)
    services.engagement_act(
        engagement=first, action=ending, by=broker_member if ending == "decline" else company_member
    )
    response = client_for(company_member).post(f"/en/services/{service.pk}/book/", {"message": "Once more"})
    assert response.status_code == 302
    assert Engagement.objects.filter(company=company, status="requested").count() == 1


def test_another_company_or_another_service_is_not_held_back(
    service, company, other_company, other_company_member, company_member, brokerage
):
    EngagementFactory(service=service, company=company)
    services.engagement_book(service=service, company=other_company, by=other_company_member, message="Hi")
    services.engagement_book(
        service=BrokerServiceFactory(broker=brokerage), company=company, by=company_member, message="Hi"
    )
    assert Engagement.objects.count() == 3


# --- rating twice ----------------------------------------------------------------------------------
@pytest.fixture
def delivered(service, company):
    return EngagementFactory(service=service, company=company, delivered=True)


@pytest.fixture
def stale_check(monkeypatch):
    """The second tab's check ran before the first tab's rating was saved (what SQLite allows, and
    what a check outside the lock would see): the database's unique row is the last word."""
    monkeypatch.setattr(services, "can_rate_engagement", lambda *args: ALLOWED)


def test_a_second_rating_sent_at_once_is_a_field_error_on_the_page(
    client_for, delivered, company_member, stale_check
):
    client = client_for(company_member)
    url = f"/en/engagements/{delivered.pk}/rate/"
    assert client.post(url, {"score": "4", "comment": "Good"}).status_code == 302
    second = client.post(url, {"score": "1", "comment": "Second tab"})
    assert second.status_code == 400
    assert second.context["rating_form"].errors["score"] == ["You have already rated this engagement."]
    assert "Second tab" in second.content.decode()
    assert list(EngagementRating.objects.values_list("side", "score")) == [("company", 4)]
    assert delivered.events.filter(action="rate").count() == 1


def test_a_second_rating_sent_at_once_is_a_field_error_in_the_api(
    client_for, delivered, broker_member, stale_check
):
    client = client_for(broker_member)
    url = f"/api/v1/engagements/{delivered.pk}/rate/"
    assert client.post(url, {"score": 5}, content_type="application/json").status_code == 200
    second = client.post(url, {"score": 2}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert second.status_code == 400
    assert "You have already rated this engagement." in str(second.json())
    assert "score" in str(second.json())
    assert list(EngagementRating.objects.values_list("side", "score")) == [("broker", 5)]


def test_rating_twice_in_turn_is_refused_in_the_api_too(client_for, delivered, company_member):
    client = client_for(company_member)
    url = f"/api/v1/engagements/{delivered.pk}/rate/"
    assert client.post(url, {"score": 3}, content_type="application/json").status_code == 200
    second = client.post(url, {"score": 3}, content_type="application/json")
    assert second.status_code == 400
    assert EngagementRating.objects.count() == 1
