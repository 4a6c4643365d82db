"""A brokerage's licence ends: its members are warned 30 and 7 days before (once each), and from
the day after its end the brokerage publishes nothing (offers and services leave the public pages,
new offers, services and bookings are refused with the reason and the way out) until its members
upload a new licence and the centre approves it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from brokers import services
from brokers.models import Broker
from brokers.tasks import brokers_licence_check
from portal.models import Notification
from tests.brokers.factories import BrokerFactory, BrokerServiceFactory, OfferFactory
from tests.companies.factories import PDF_BYTES

pytestmark = pytest.mark.django_db

TEHRAN = ZoneInfo("Asia/Tehran")
START = dt.datetime(2026, 12, 1, 8, 10, tzinfo=TEHRAN)  # beat's hour
EXPIRY = dt.date(2027, 1, 30)


def day(date: dt.date) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(8, 10), tzinfo=TEHRAN)


@pytest.fixture
def licensed(brokerage, broker_member):
    brokerage.licence_expires_on = EXPIRY
    brokerage.save()
    return brokerage


def kinds(user) -> list[str]:  # noqa: ANN001
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def test_members_are_warned_30_and_7_days_before_once_each_then_told_of_the_expiry(licensed, broker_member):
    far = BrokerFactory(licence_expires_on=EXPIRY + dt.timedelta(days=200))  # not due: nobody told
    sent = []
    with time_machine.travel(START, tick=False) as traveller:
        for offset in range(0, 62):
            traveller.move_to(day(START.date() + dt.timedelta(days=offset)))
            told = brokers_licence_check()
            if told:
                sent.append((timezone.localdate(), told))
            assert brokers_licence_check() == 0  # the same day again: nobody told twice
    assert sent == [
        (EXPIRY - dt.timedelta(days=30), 1),
        (EXPIRY - dt.timedelta(days=7), 1),
        (EXPIRY + dt.timedelta(days=1), 1),
    ]
    assert kinds(broker_member) == [
        "broker_licence_expiring", "broker_licence_expiring", "broker_licence_expired"
    ]  # fmt: skip
    warning = Notification.objects.filter(kind="broker_licence_expiring").first()
    assert "Pars Export Brokers" in warning.title  # Reza reads English
    assert warning.url.endswith("/brokers/mine/licence/")  # the renewal page
    assert not Notification.objects.filter(recipient__broker_membership__broker=far).exists()


def test_a_brokerage_first_seen_a_week_before_gets_only_the_last_warning(licensed, broker_member):
    with time_machine.travel(day(EXPIRY - dt.timedelta(days=5)), tick=False):
        assert brokers_licence_check() == 1
        assert brokers_licence_check() == 0
    assert kinds(broker_member) == ["broker_licence_expiring"]
    assert Notification.objects.get().context["days"] == 5


def test_after_expiry_the_brokerage_publishes_nothing_until_a_new_licence_is_approved(
    client, client_for, licensed, broker_member, company_member, manager
):
    offer = OfferFactory(broker=licensed, title_en="Basra needs masks", deadline=dt.date(2027, 6, 1))
    service = BrokerServiceFactory(broker=licensed)
    with time_machine.travel(day(EXPIRY), tick=False):  # the last valid day
        assert "Basra needs masks" in client.get("/en/offers/").content.decode()
        assert client_for(company_member).get(f"/en/services/{service.pk}/book/").status_code == 200
    with time_machine.travel(day(EXPIRY + dt.timedelta(days=1)), tick=False):
        brokers_licence_check()
        licensed.refresh_from_db()
        assert licensed.status == Broker.Status.APPROVED  # the decision stands; publishing is paused
        assert "Basra needs masks" not in client.get("/en/offers/").content.decode()
        assert client.get(f"/en/offers/{offer.pk}/").status_code == 404
        assert "Shipping from Bandar Abbas" not in client.get(f"/en/brokers/{licensed.pk}/").content.decode()
        assert client_for(company_member).get(f"/en/services/{service.pk}/book/").status_code == 404
        # "New offer" says why and what to do, with the way to the licence page.
        page = client_for(broker_member).get("/en/offers/new/")
        assert page.status_code == 403
        text = page.content.decode()
        assert "licence expired on" in text
        assert "Upload the renewed licence" in text
        assert "/en/brokers/mine/licence/" in text
        assert client_for(broker_member).get("/en/brokers/mine/services/new/").status_code == 403
        assert (
            "/en/brokers/mine/licence/" in client_for(broker_member).get("/en/brokers/mine/").content.decode()
        )
        with translation.override("en"), pytest.raises(PermissionDenied, match="licence expired"):
            services.offer_publish(offer=OfferFactory(broker=licensed, draft=True))

        # The members send the new licence with its new date: the centre checks it (the brokerage
        # stays approved; only publishing waits for the new licence).
        response = client_for(broker_member).post(
            "/en/brokers/mine/licence/", {"expires_on": "2028-01-30", "licence_file": new_licence()}
        )
        assert response.status_code == 302
        licensed.refresh_from_db()
        assert licensed.status == Broker.Status.APPROVED
        assert licensed.licence_expires_on == EXPIRY
        assert client_for(broker_member).get("/en/offers/new/").status_code == 403  # still waiting
        services.licence_renewal_approve(  # the centre's decision, as in the admin
            renewal=licensed.licence_renewals.get(), by=manager
        )
        licensed.refresh_from_db()
        assert licensed.licence_expires_on == dt.date(2028, 1, 30)
        assert "Basra needs masks" in client.get("/en/offers/").content.decode()
        assert client_for(broker_member).get("/en/offers/new/").status_code == 200


def profile_data(broker: Broker) -> dict[str, object]:
    return {
        "name_fa": broker.name_fa, "name_en": broker.name_en, "licence_number": broker.licence_number,
        "services": [s.pk for s in broker.services.all()],
        "countries": [c.pk for c in broker.countries.all()],
        "languages": broker.languages, "phone": broker.phone, "email": broker.email,
        "licence_expires_on": broker.licence_expires_on.isoformat(),
    }  # fmt: skip


def new_licence() -> SimpleUploadedFile:
    return SimpleUploadedFile("licence-2027.pdf", PDF_BYTES, content_type="application/pdf")


def test_before_approval_a_new_date_in_the_profile_needs_the_new_licence_and_a_past_date_is_refused(
    client_for, licensed, broker_member
):
    # A brokerage the centre has not approved yet corrects its licence in the profile (an approved
    # one sends a renewal: tests/brokers/test_licence_renewal.py).
    Broker.objects.filter(pk=licensed.pk).update(status=Broker.Status.PENDING)
    licensed.refresh_from_db()
    client = client_for(broker_member)
    response = client.post(
        "/fa/brokers/mine/edit/", {**profile_data(licensed), "licence_expires_on": "1407/01/01"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["licence_file"] == ["مجوز جدید را همراه با تاریخ پایان اعتبارش بارگذاری کنید."]
    assert 'value="1407/01/01"' in response.content.decode()  # what was typed is kept
    response = client.post(
        "/en/brokers/mine/edit/",
        {**profile_data(licensed), "licence_expires_on": "2020-01-01", "licence_file": new_licence()},
    )
    assert response.context["form"].errors["licence_expires_on"] == [
        "This date has passed: enter the end of a valid licence."
    ]
    licensed.refresh_from_db()
    assert (licensed.licence_expires_on, licensed.status) == (EXPIRY, Broker.Status.PENDING)


def test_an_expired_brokerage_cannot_list_services_or_accept_bookings(licensed, broker_member):
    from tests.brokers.factories import EngagementFactory

    service = BrokerServiceFactory(broker=licensed)
    engagement = EngagementFactory(service=service)
    with time_machine.travel(day(EXPIRY + dt.timedelta(days=3)), tick=False), translation.override("en"):
        with pytest.raises(PermissionDenied, match="licence expired"):
            services.broker_service_create(
                broker=licensed, countries=list(licensed.countries.all()), service_type=service.service_type,
                fee_model="fixed", fee_amount=100, currency="USD", description_fa="ترجمه",
            )  # fmt: skip
        with pytest.raises(PermissionDenied, match="licence expired"):
            services.engagement_act(engagement=engagement, action="accept", by=broker_member)
        # Declining stays possible: the company is not left waiting.
        services.engagement_act(engagement=engagement, action="decline", by=broker_member)


def test_staff_see_the_expiry_in_the_admin_list_and_filter_by_it(client_for, manager):
    today = timezone.localdate()
    BrokerFactory(name_en="Lapsed Brokers", licence_expires_on=today - dt.timedelta(days=2))
    BrokerFactory(name_en="Soon Brokers", licence_expires_on=today + dt.timedelta(days=10))
    BrokerFactory(name_en="Fine Brokers", licence_expires_on=today + dt.timedelta(days=300))
    client = client_for(manager)

    def names(query: str) -> set[str]:
        page = client.get(f"/admin/brokers/broker/{query}")
        assert page.status_code == 200
        return {b.name_en for b in page.context["cl"].result_list}

    assert names("?licence=expired") == {"Lapsed Brokers"}
    assert names("?licence=soon") == {"Soon Brokers"}
    assert names("?licence=valid") == {"Soon Brokers", "Fine Brokers"}
    page = client.get("/admin/brokers/broker/").content.decode()
    assert "(منقضی شده)" in page  # the manager reads Persian
    assert "(به‌زودی منقضی می‌شود)" in page


def test_an_expired_brokerage_cannot_accept_a_response_or_be_named_on_an_application(
    licensed, broker_member, company
):
    from brokers.permissions import response_allowed_actions
    from tests.brokers.factories import OfferResponseFactory

    response = OfferResponseFactory(offer=OfferFactory(broker=licensed))
    assert "accepted" in response_allowed_actions(broker_member, response)
    with time_machine.travel(day(EXPIRY + dt.timedelta(days=1)), tick=False), translation.override("en"):
        assert response_allowed_actions(broker_member, response) == ["shortlisted", "declined"]
        with pytest.raises(PermissionDenied, match="licence expired"):
            services.response_decide(response=response, status="accepted", by=broker_member)
        from support.forms import ApplicationForm
        from tests.support.factories import ProgramFactory

        form = ApplicationForm(company=company, program=ProgramFactory())
        assert licensed not in form.fields["broker"].queryset
