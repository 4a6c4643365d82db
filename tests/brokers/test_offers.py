from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from brokers.models import Broker, Offer, OfferNotice, OfferResponse
from brokers.tasks import offer_fanout, offer_fanout_batch, offers_expire
from portal.models import Notification
from tests.brokers.factories import OfferFactory, OfferResponseFactory, broker_suspend_now
from tests.brokers.pages import shown_offer_titles
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def offer_data(**overrides: object) -> dict[str, object]:
    data = {
        "kind": "demand",
        "country": TargetCountryFactory(iso_code="IQ").pk,
        "categories": [CategoryFactory(slug="masks").pk],
        "title_fa": "نیاز بیمارستان بغداد به ماسک",
        "title_en": "Baghdad hospital needs masks",
        "description_fa": "۵۰۰ هزار ماسک سه لایه",
        "description_en": "500,000 three-ply masks",
        "quantity": "۵۰۰۰۰۰",
        "unit": "piece",
        "target_price": "۰٫۰۷",
        "currency": "USD",
        "deadline": "۱۴۰۹/۰۱/۱۵",  # a Jalali date, Persian digits
    }
    data.update(overrides)
    return data


def test_approved_broker_publishes_and_matching_companies_hear_once(
    client_for, broker_member, brokerage, company, company_member, django_capture_on_commit_callbacks
):
    masks = CategoryFactory(slug="masks")
    ProductFactory(company=company, category=masks)  # Alpha makes masks: it is told
    kits_maker = CompanyFactory()
    MembershipFactory(company=kits_maker)
    ProductFactory(company=kits_maker, category=CategoryFactory(slug="test-kits"))  # not told
    pending = CompanyFactory(pending=True)
    MembershipFactory(company=pending)
    ProductFactory(company=pending, category=masks)  # not verified: not told
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(broker_member).post("/en/offers/new/", offer_data())
    assert response.status_code == 302, response.context["form"].errors
    offer = Offer.objects.get()
    assert offer.status == Offer.Status.OPEN
    assert offer.quantity == 500_000
    assert offer.deadline == dt.date(2030, 4, 4)
    told = Notification.objects.filter(kind="offer_published")
    assert [n.recipient for n in told] == [company_member]
    assert OfferNotice.objects.filter(offer=offer).count() == 1
    # A redelivered batch, or running the whole fan-out again, tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert offer_fanout_batch(offer.pk, [company.pk]) == 0
        assert offer_fanout(offer.pk) == 0
    assert Notification.objects.filter(kind="offer_published").count() == 1
    assert len([m for m in mail.outbox if company_member.email in m.to]) == 1


def test_fanout_goes_in_batches(monkeypatch, brokerage, django_capture_on_commit_callbacks):
    monkeypatch.setattr("brokers.tasks.FANOUT_BATCH", 2)
    masks = CategoryFactory(slug="masks")
    for _ in range(5):
        ProductFactory(company=MembershipFactory().company, category=masks)
    offer = OfferFactory(broker=brokerage, categories=[masks])
    with django_capture_on_commit_callbacks(execute=True):
        assert offer_fanout(offer.pk) == 3
    assert OfferNotice.objects.filter(offer=offer).count() == 5
    assert Notification.objects.filter(kind="offer_published").count() == 5


def test_pending_brokerage_cannot_publish(client_for, broker_member, brokerage):
    brokerage.status = Broker.Status.PENDING
    brokerage.save()
    assert client_for(broker_member).get("/en/offers/new/").status_code == 403
    assert client_for(broker_member).post("/en/offers/new/", offer_data()).status_code == 403
    assert not Offer.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("deadline", "2020-01-01"),
        ("deadline", "1404/01/01"),
        ("quantity", "-5"),
        ("currency", "XYZ"),
        ("target_price", "-1"),
        ("categories", []),
        ("quantity", ""),  # a buyer demand states a quantity
    ],
)
def test_bad_offer_input_is_a_field_error(client_for, broker_member, field, value):
    response = client_for(broker_member).post("/en/offers/new/", offer_data(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Baghdad hospital needs masks" in response.content.decode()
    assert not Offer.objects.exists()


def test_a_country_the_brokerage_does_not_cover_is_refused(client_for, broker_member):
    oman = TargetCountryFactory(iso_code="OM")
    response = client_for(broker_member).post("/en/offers/new/", offer_data(country=oman.pk))
    assert "country" in response.context["form"].errors
    assert not Offer.objects.exists()


def test_the_service_refuses_an_uncovered_country_even_without_the_form(brokerage, broker_member):
    from django.core.exceptions import ValidationError

    from brokers.services import offer_create

    with pytest.raises(ValidationError) as excinfo:
        offer_create(
            broker=brokerage,
            by=broker_member,
            categories=[CategoryFactory()],
            kind="service",
            country=TargetCountryFactory(iso_code="RU"),
            title_fa="x", title_en="x", description_fa="x", description_en="x",
            deadline=timezone.localdate() + dt.timedelta(days=3),
        )  # fmt: skip
    assert "country" in excinfo.value.message_dict


@pytest.mark.parametrize("action", ["edit/", "close/", "publish/", "attachments/"])
def test_another_brokerage_cannot_touch_an_offer(client_for, other_broker_member, brokerage, action):
    offer = OfferFactory(broker=brokerage)
    response = client_for(other_broker_member).post(f"/en/offers/{offer.pk}/{action}", {})
    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.status == Offer.Status.OPEN


def test_close_and_reopen(client_for, broker_member, brokerage):
    offer = OfferFactory(broker=brokerage)
    client = client_for(broker_member)
    client.post(f"/en/offers/{offer.pk}/close/")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.CLOSED
    client.post(f"/en/offers/{offer.pk}/publish/")
    offer.refresh_from_db()
    assert offer.status == Offer.Status.OPEN


@pytest.mark.parametrize(
    ("status", "broker_status", "persona", "visible"),
    [
        ("open", "approved", "anonymous", True),
        ("draft", "approved", "anonymous", False),
        ("closed", "approved", "company_member", False),
        ("open", "pending", "anonymous", False),
        ("draft", "approved", "broker_member", True),
        ("draft", "approved", "other_broker_member", False),
    ],
)
def test_offer_visibility(request, client_for, brokerage, status, broker_status, persona, visible):
    brokerage.status = broker_status
    brokerage.save()
    offer = OfferFactory(broker=brokerage, **({status: True} if status != "open" else {}))
    response = client_for(request.getfixturevalue(persona)).get(f"/en/offers/{offer.pk}/")
    assert response.status_code == (200 if visible else 404)


def test_offer_board_filters(client, brokerage):
    kits = CategoryFactory(slug="test-kits")
    OfferFactory(broker=brokerage, title_en="Masks for Basra")
    OfferFactory(broker=brokerage, title_en="Kits for Mosul", categories=[kits])
    OfferFactory(broker=brokerage, title_en="Shipping to Baghdad", kind="service", quantity=None, unit="")
    names = lambda q: set(shown_offer_titles(client.get(f"/en/offers/{q}")))  # noqa: E731
    assert names("?category=test-kits") == {"Kits for Mosul"}
    assert names("?kind=service") == {"Shipping to Baghdad"}
    assert names("?country=IQ") == {"Masks for Basra", "Kits for Mosul", "Shipping to Baghdad"}
    later = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    assert names(f"?deadline_before={later}") == set()


def test_offer_board_query_count_is_fixed(client, brokerage, django_assert_max_num_queries):
    OfferFactory.create_batch(2, broker=brokerage)
    with django_assert_max_num_queries(15) as few:
        client.get("/en/offers/")
    OfferFactory.create_batch(15, broker=brokerage)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/en/offers/")


def test_offers_past_their_deadline_close_and_the_broker_hears(
    broker_member, brokerage, django_capture_on_commit_callbacks
):
    past = OfferFactory(broker=brokerage, deadline=timezone.localdate() - dt.timedelta(days=1))
    OfferResponseFactory(offer=past)
    current = OfferFactory(broker=brokerage)
    with django_capture_on_commit_callbacks(execute=True):
        assert offers_expire() == 1
        assert offers_expire() == 0
    past.refresh_from_db()
    current.refresh_from_db()
    assert past.status == Offer.Status.CLOSED
    assert current.status == Offer.Status.OPEN
    notification = Notification.objects.get(kind="offer_expired")
    assert notification.recipient == broker_member
    assert "1 response" in notification.body
    assert OfferResponse.objects.count() == 1


def test_a_suspended_brokerage_cannot_close_or_reopen(client_for, broker_member, brokerage):
    offer = OfferFactory(broker=brokerage)
    broker_suspend_now(brokerage)
    assert client_for(broker_member).post(f"/en/offers/{offer.pk}/close/").status_code == 403
    offer.refresh_from_db()
    assert offer.status == Offer.Status.OPEN


def test_an_offer_past_its_deadline_can_still_be_corrected_but_not_moved_into_the_past(brokerage):
    from django.core.exceptions import ValidationError

    from brokers.services import offer_update

    offer = OfferFactory(
        broker=brokerage, status="closed", deadline=timezone.localdate() - dt.timedelta(days=3)
    )
    offer_update(offer=offer, title_en="Corrected title")
    offer.refresh_from_db()
    assert offer.title_en == "Corrected title"
    with pytest.raises(ValidationError) as excinfo:
        offer_update(offer=offer, deadline=timezone.localdate() - dt.timedelta(days=1))
    assert "deadline" in excinfo.value.message_dict


def test_the_api_explains_why_publishing_is_refused(client_for, broker_member, brokerage):
    brokerage.status = Broker.Status.PENDING
    brokerage.save()
    payload = {
        "kind": "service", "country": "IQ", "categories": ["masks"], "title_fa": "x", "title_en": "x",
        "description_fa": "x", "description_en": "x",
        "deadline": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
    }  # fmt: skip
    CategoryFactory(slug="masks")
    response = client_for(broker_member).post(
        "/api/v1/offers/", payload, content_type="application/json", headers={"accept-language": "en"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        "Your brokerage awaits the centre's approval; it can write offers once approved."
    )


def test_a_suspended_brokerage_cannot_attach_files(client_for, broker_member, brokerage):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.companies.factories import PDF_BYTES

    offer = OfferFactory(broker=brokerage)
    broker_suspend_now(brokerage)
    pdf = SimpleUploadedFile("a.pdf", PDF_BYTES, content_type="application/pdf")
    assert (
        client_for(broker_member).post(f"/en/offers/{offer.pk}/attachments/", {"file": pdf}).status_code
        == 403
    )
    assert not offer.attachments.exists()


def test_staff_can_close_a_suspended_brokerages_offer(client_for, manager, brokerage):
    offer = OfferFactory(broker=brokerage)
    broker_suspend_now(brokerage)
    client_for(manager).post(
        "/admin/brokers/offer/", {"action": "close", "_selected_action": [offer.pk], "index": 0}
    )
    offer.refresh_from_db()
    assert offer.status == Offer.Status.CLOSED


def test_the_fanout_sweep_finishes_what_an_outage_interrupted(
    monkeypatch, brokerage, django_capture_on_commit_callbacks
):
    from brokers import tasks

    masks = CategoryFactory(slug="masks")
    ProductFactory(company=MembershipFactory().company, category=masks)

    def broker_down(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(tasks.offer_fanout, "delay", broker_down)
    from brokers.services import offer_publish

    offer = OfferFactory(broker=brokerage, categories=[masks], draft=True)
    with django_capture_on_commit_callbacks(execute=True):
        offer_publish(offer=offer)  # the broker is down: nobody is told yet, and no error
    assert not Notification.objects.filter(kind="offer_published").exists()
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.offers_fanout_sweep() == 1
    assert Notification.objects.filter(kind="offer_published").count() == 1


def test_lost_invitation_emails_are_sent_by_the_sweep(broker_member, brokerage):
    from django.core import mail

    from brokers.models import BrokerInvitation
    from brokers.tasks import broker_invitations_sweep

    invitation = BrokerInvitation.objects.create(
        broker=brokerage, email="x@broker.example", invited_by=broker_member
    )
    BrokerInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert broker_invitations_sweep() == 1
    assert [m.to for m in mail.outbox] == [["x@broker.example"]]
    assert broker_invitations_sweep() == 0


def test_an_expired_offer_has_a_history_row_of_its_closing_by_nobody(brokerage):
    past = OfferFactory(broker=brokerage, deadline=timezone.localdate() - dt.timedelta(days=1))
    assert offers_expire() == 1
    latest = past.history.latest()
    assert (latest.status, latest.history_type, latest.history_user) == (Offer.Status.CLOSED, "~", None)
    assert latest.closed_at is not None
