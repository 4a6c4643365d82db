"""Brokerage services and their engagements: a brokerage lists services (type, fee, countries), a
company books one, the brokerage accepts or declines and delivers, either side closes, both rate
once; each step through brokers.services, with an event on the trail and a notice to the other side."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from brokers import services
from brokers.models import BrokerService, Engagement, EngagementRating
from portal.models import Notification
from tests.brokers.factories import (
    BrokerFactory,
    BrokerMembershipFactory,
    BrokerServiceFactory,
    EngagementFactory,
    ServiceTypeFactory,
)
from tests.companies.factories import CompanyFactory
from tests.portal.factories import TargetCountryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def service(brokerage, broker_member):
    return BrokerServiceFactory(broker=brokerage, service_type=ServiceTypeFactory(slug="customs"))


def service_data(brokerage, **changes: object) -> dict[str, object]:  # noqa: ANN001
    data = {
        "service_type": ServiceTypeFactory(slug="registration").pk,
        "fee_model": "fixed",
        "fee_amount": "۱۲۵۰٫۵",
        "fee_percent": "",
        "currency": "USD",
        "countries": [c.pk for c in brokerage.countries.all()],
        "description_fa": "ثبت تجهیزات پزشکی در وزارت بهداشت عراق",
        "description_en": "Registration with the Iraqi ministry of health",
    }
    data.update(changes)
    return data


# --- listing services ----------------------------------------------------------------------------
def test_a_brokerage_lists_a_service_with_persian_digits_and_the_public_page_shows_it(
    client, client_for, brokerage, broker_member
):
    response = client_for(broker_member).post("/fa/brokers/mine/services/new/", service_data(brokerage))
    assert response.status_code == 302
    service = BrokerService.objects.get()
    assert (service.fee_model, service.fee_amount, service.fee_percent) == ("fixed", Decimal("1250.50"), None)
    page = client.get(f"/en/brokers/{brokerage.pk}/").content.decode()
    assert "Registration with the Iraqi ministry of health" in page
    assert "1,250.50 USD" in page or "1250.50 USD" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"fee_model": "percent", "fee_percent": "150", "fee_amount": ""}, "fee_percent",
         "مطمئن شوید این مقدار کوچکتر و یا مساوی 100 است."),
        ({"fee_amount": "-5"}, "fee_amount", "مطمئن شوید این مقدار بزرگتر و یا مساوی 0 است."),
        ({"fee_model": "percent", "fee_percent": "", "fee_amount": ""}, "fee_percent",
         "درصد معامله را بنویسید."),
        ({"fee_model": "per_shipment", "fee_amount": ""}, "fee_amount", "مبلغ کارمزد را بنویسید."),
        ({"countries": []}, "countries", "این مقدار لازم است."),
    ],
)  # fmt: skip
def test_bad_service_input_is_a_field_error_in_persian_and_keeps_what_was_typed(
    client_for, brokerage, broker_member, changes, field, message
):
    response = client_for(broker_member).post(
        "/fa/brokers/mine/services/new/", service_data(brokerage, **changes)
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert "ثبت تجهیزات پزشکی در وزارت بهداشت عراق" in response.content.decode()
    assert not BrokerService.objects.exists()


def test_a_service_serves_only_countries_the_brokerage_covers(brokerage, broker_member):
    oman = TargetCountryFactory(iso_code="OM")
    with pytest.raises(ValidationError) as error:
        services.broker_service_create(
            broker=brokerage, countries=[oman], service_type=ServiceTypeFactory(slug="customs"),
            fee_model="fixed", fee_amount=10, currency="USD", description_fa="ترخیص",
        )  # fmt: skip
    assert "countries" in error.value.message_dict


@pytest.mark.parametrize("status", ["pending", "suspended"])
def test_a_brokerage_not_approved_cannot_list_services(client_for, status):
    broker = BrokerFactory(**{status: True})
    member = BrokerMembershipFactory(broker=broker).user
    assert client_for(member).post("/en/brokers/mine/services/new/", service_data(broker)).status_code == 403
    assert not BrokerService.objects.exists()


def test_a_withdrawn_service_leaves_the_public_page_and_cannot_be_booked(
    client, client_for, service, broker_member, company_member
):
    client_for(broker_member).post(f"/en/brokers/mine/services/{service.pk}/withdraw/")
    service.refresh_from_db()
    assert not service.is_active
    assert (
        "Shipping from Bandar Abbas" not in client.get(f"/en/brokers/{service.broker_id}/").content.decode()
    )
    assert client_for(company_member).get(f"/en/services/{service.pk}/book/").status_code == 404


# --- the lifecycle through the pages ---------------------------------------------------------------
def test_booking_to_rating_through_the_pages_tells_the_other_side_at_each_step(
    client_for, service, broker_member, company, company_member
):
    company_client, broker_client = client_for(company_member), client_for(broker_member)
    response = company_client.post(f"/fa/services/{service.pk}/book/", {"message": "ترخیص ۲۰ پالت در بصره"})
    engagement = Engagement.objects.get()
    assert response.status_code == 302
    assert response.url.endswith(f"/engagements/{engagement.pk}/")
    assert (engagement.company, engagement.broker, engagement.status) == (
        company,
        service.broker,
        "requested",
    )
    told = Notification.objects.get(recipient=broker_member)
    assert told.kind == "engagement_requested"
    assert "Alpha Medical Equipment" in told.title

    assert company_client.post(f"/en/engagements/{engagement.pk}/accept/").status_code == 403  # not its step
    broker_client.post(f"/en/engagements/{engagement.pk}/accept/", {"note": "We start on Saturday"})
    broker_client.post(f"/en/engagements/{engagement.pk}/deliver/")
    engagement.refresh_from_db()
    assert engagement.status == "delivered"
    assert engagement.delivered_at is not None
    assert [n.kind for n in Notification.objects.filter(recipient=company_member).order_by("pk")] == [
        "engagement_accepted", "engagement_delivered",
    ]  # fmt: skip

    assert (
        company_client.post(
            f"/fa/engagements/{engagement.pk}/rate/", {"score": "۴", "comment": "خوب"}
        ).status_code
        == 302
    )
    broker_client.post(f"/en/engagements/{engagement.pk}/rate/", {"score": "5", "comment": "Clear brief"})
    second = company_client.post(
        f"/fa/engagements/{engagement.pk}/rate/", {"score": "1", "comment": "دوباره"}
    )
    assert second.status_code == 400
    assert second.context["rating_form"].errors["score"] == ["شما قبلاً به این همکاری امتیاز داده‌اید."]
    assert dict(EngagementRating.objects.values_list("side", "score")) == {"company": 4, "broker": 5}

    company_client.post(f"/en/engagements/{engagement.pk}/close/")
    engagement.refresh_from_db()
    assert engagement.status == "closed"
    page = broker_client.get(f"/en/engagements/{engagement.pk}/").content.decode()
    for step in ("Requested", "Accepted", "Marked delivered", "Rated", "Closed", "We start on Saturday"):
        assert step in page
    assert list(engagement.events.values_list("action", "side")) == [
        ("request", "company"), ("accept", "broker"), ("deliver", "broker"), ("rate", "company"),
        ("rate", "broker"), ("close", "company"),
    ]  # fmt: skip


@pytest.mark.usefixtures("_in_english")
def test_declined_and_withdrawn_bookings_end_and_cannot_be_delivered(service, broker_member, company_member):
    declined = EngagementFactory(service=service)
    services.engagement_act(engagement=declined, action="decline", by=broker_member, note="Fully booked")
    with pytest.raises(ValidationError, match="no longer possible"):
        services.engagement_act(engagement=declined, action="deliver", by=broker_member)
    withdrawn = EngagementFactory(service=service, company=company_member.company_membership.company)
    services.engagement_act(engagement=withdrawn, action="close", by=company_member)
    withdrawn.refresh_from_db()
    assert withdrawn.status == "closed"
    with pytest.raises(ValidationError, match="no longer possible"):
        services.engagement_act(engagement=withdrawn, action="accept", by=broker_member)


@pytest.mark.parametrize("score", ["0", "6", "x"])
def test_a_rating_outside_1_to_5_is_a_field_error(client_for, service, company, company_member, score):
    engagement = EngagementFactory(service=service, company=company, delivered=True)
    response = client_for(company_member).post(
        f"/fa/engagements/{engagement.pk}/rate/", {"score": score, "comment": "نظر من"}
    )
    assert response.status_code == 400
    assert response.context["rating_form"].errors["score"]
    assert "نظر من" in response.content.decode()
    assert not EngagementRating.objects.exists()


@pytest.mark.usefixtures("_in_english")
def test_no_rating_before_delivery(service, company, company_member):
    engagement = EngagementFactory(service=service, company=company, accepted=True)
    with pytest.raises(ValidationError, match="after the service is delivered"):
        services.engagement_rate(engagement=engagement, by=company_member, score=5)


# --- access ----------------------------------------------------------------------------------------
def test_another_brokerage_or_company_cannot_see_or_act_on_an_engagement(
    client_for, service, company, other_broker_member, other_company_member
):
    engagement = EngagementFactory(service=service, company=company, delivered=True)
    before = list(Engagement.objects.values())
    for user in (other_broker_member, other_company_member):
        client = client_for(user)
        assert client.get(f"/en/engagements/{engagement.pk}/").status_code == 404
        for step in ("accept", "deliver", "close"):
            assert client.post(f"/en/engagements/{engagement.pk}/{step}/").status_code == 404
        assert client.post(f"/en/engagements/{engagement.pk}/rate/", {"score": "1"}).status_code == 404
        with pytest.raises(PermissionDenied):
            services.engagement_act(engagement=engagement, action="close", by=user)
        with pytest.raises(PermissionDenied):
            services.engagement_rate(engagement=engagement, by=user, score=1)
    assert list(Engagement.objects.values()) == before
    assert not EngagementRating.objects.exists()


def test_each_side_lists_only_its_own_engagements(
    client_for, service, company, company_member, broker_member
):
    mine = EngagementFactory(service=service, company=company)
    elsewhere = EngagementFactory(
        service=BrokerServiceFactory(broker=BrokerFactory()), company=CompanyFactory()
    )
    assert [e.pk for e in client_for(company_member).get("/en/engagements/mine/").context["page_obj"]] == [
        mine.pk
    ]
    assert [
        e.pk for e in client_for(broker_member).get("/en/brokers/mine/engagements/").context["page_obj"]
    ] == [mine.pk]
    assert elsewhere.pk not in Engagement.objects.visible_to(company_member).values_list("pk", flat=True)


def test_a_company_awaiting_verification_cannot_book(client_for, service):
    from tests.companies.factories import MembershipFactory
    from tests.portal.factories import UserFactory

    user = UserFactory()
    MembershipFactory(company=CompanyFactory(pending=True), user=user)
    assert client_for(user).post(f"/en/services/{service.pk}/book/", {"message": "Hi"}).status_code == 403
    assert not Engagement.objects.exists()


def test_an_empty_booking_message_is_a_field_error(client_for, service, company_member):
    response = client_for(company_member).post(f"/fa/services/{service.pk}/book/", {"message": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["message"] == ["این مقدار لازم است."]


# --- the API ---------------------------------------------------------------------------------------
API = "/api/v1/engagements/"


def test_the_api_lets_each_side_take_only_its_steps(
    client_for, service, company, company_member, broker_member
):
    engagement = EngagementFactory(service=service, company=company)
    company_api, broker_api = client_for(company_member), client_for(broker_member)
    assert [e["id"] for e in company_api.get(API).json()["results"]] == [engagement.pk]
    refused = company_api.post(
        f"{API}{engagement.pk}/step/", {"action": "accept"}, content_type="application/json"
    )
    assert refused.status_code == 403
    accepted = broker_api.post(
        f"{API}{engagement.pk}/step/", {"action": "accept"}, content_type="application/json"
    )
    assert accepted.json()["status"] == "accepted"
    early = company_api.post(f"{API}{engagement.pk}/rate/", {"score": 5}, content_type="application/json")
    assert early.status_code == 400
    broker_api.post(f"{API}{engagement.pk}/step/", {"action": "deliver"}, content_type="application/json")
    too_high = company_api.post(f"{API}{engagement.pk}/rate/", {"score": 6}, content_type="application/json")
    assert too_high.status_code == 400
    assert "score" in too_high.json()["error"]["fields"]
    rated = company_api.post(
        f"{API}{engagement.pk}/rate/", {"score": "۴", "comment": "Good"}, content_type="application/json"
    )
    assert rated.json()["ratings"] == [{"side": "company", "score": 4, "comment": "Good"}]
    again = company_api.post(f"{API}{engagement.pk}/rate/", {"score": 3}, content_type="application/json")
    assert again.status_code == 400
    assert EngagementRating.objects.get().score == 4


def test_the_api_hides_an_engagement_from_another_brokerage_and_company(
    client_for, service, company, other_broker_member, other_company_member
):
    engagement = EngagementFactory(service=service, company=company, delivered=True)
    for user in (other_broker_member, other_company_member):
        api = client_for(user)
        assert api.get(API).json()["results"] == []
        assert api.get(f"{API}{engagement.pk}/").status_code == 404
        body = {"action": "close"}
        assert (
            api.post(f"{API}{engagement.pk}/step/", body, content_type="application/json").status_code == 404
        )
        assert (
            api.post(f"{API}{engagement.pk}/rate/", {"score": 1}, content_type="application/json").status_code
            == 404
        )
    engagement.refresh_from_db()
    assert engagement.status == "delivered"
    assert not EngagementRating.objects.exists()


def test_a_step_note_too_long_is_refused_and_the_step_not_taken(client_for, service, broker_member):
    engagement = EngagementFactory(service=service)
    response = client_for(broker_member).post(
        f"/en/engagements/{engagement.pk}/decline/", {"note": "n" * 5000}, follow=True
    )
    assert "at most" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.REQUESTED


def test_a_suspended_brokerage_cannot_rate(service, broker_member):
    from brokers.permissions import can_rate_engagement

    engagement = EngagementFactory(service=service, delivered=True)
    assert can_rate_engagement(broker_member, engagement, set())
    service.broker.status = service.broker.Status.SUSPENDED
    service.broker.save()
    engagement = Engagement.objects.get(pk=engagement.pk)
    assert not can_rate_engagement(broker_member, engagement, set())
