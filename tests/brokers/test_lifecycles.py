"""One door for offers, responses and buyer inquiries: the services allow the transitions of their
table and refuse the others, only the right people act, and the pages offer a button only for an
action the viewer may take on the object in its present state."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError

from brokers import services
from brokers.models import Broker, BuyerInquiry, Offer, OfferResponse
from brokers.permissions import (
    inquiry_allowed_actions,
    offer_allowed_actions,
    response_allowed_actions,
)
from portal.models import Notification
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory, OfferFactory, OfferResponseFactory
from tests.portal.factories import TargetCountryFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Offer.Status
Decision = OfferResponse.Status
Mark = BuyerInquiry.Status


@pytest.fixture
def offer(brokerage):
    return OfferFactory(broker=brokerage)


def inquiry(status: str = Mark.ROUTED) -> BuyerInquiry:
    return BuyerInquiry.objects.create(
        name="Ali Hassan", organisation="Basra Medical", country=TargetCountryFactory(iso_code="IQ"),
        email="ali@basra.example", message="Masks, please.", status=status,
    )  # fmt: skip


# --- offers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "actions"),
    [
        (Status.DRAFT, ["edit", "publish"]),
        (Status.OPEN, ["edit", "close"]),
        (Status.CLOSED, ["edit", "reopen"]),
    ],
)
def test_an_offers_member_may_take_the_actions_of_its_state(broker_member, brokerage, status, actions):
    assert offer_allowed_actions(broker_member, OfferFactory(broker=brokerage, status=status)) == actions


def test_nobody_else_may_act_on_an_offer(offer, other_broker_member, company_member, manager):
    from django.contrib.auth.models import AnonymousUser

    for user in (other_broker_member, company_member, manager, AnonymousUser()):
        assert offer_allowed_actions(user, offer) == []


def test_a_suspended_brokerage_may_not_act_on_its_offers(broker_member, brokerage):
    offer = OfferFactory(broker=brokerage, status=Status.CLOSED)
    brokerage.status = Broker.Status.SUSPENDED
    assert offer_allowed_actions(broker_member, offer) == []


def test_publish_and_close_follow_the_table(offer):
    closed = services.offer_close(offer=offer)
    assert (closed.status, closed.closed_at is not None) == (Status.CLOSED, True)
    assert services.offer_close(offer=closed).closed_at == closed.closed_at  # closing twice: nothing new
    reopened = services.offer_publish(offer=closed)
    assert (reopened.status, reopened.closed_at) == (Status.OPEN, None)


def test_the_offer_page_shows_the_buttons_of_the_state(client_for, broker_member, brokerage):
    client = client_for(broker_member)
    cases = {
        Status.DRAFT: ("/publish/", "/close/"),
        Status.OPEN: ("/close/", "/publish/"),
        Status.CLOSED: ("/publish/", "/close/"),
    }
    for status, (shown, hidden) in cases.items():
        offer = OfferFactory(broker=brokerage, status=status)
        page = client.get(f"/en/offers/{offer.pk}/").content.decode()
        assert f"/offers/{offer.pk}{shown}" in page, status
        assert f"/offers/{offer.pk}{hidden}" not in page, status
        assert (">Reopen<" in page) == (status == Status.CLOSED)
        assert f"/offers/{offer.pk}/edit/" in page


def test_the_offer_page_shows_no_owner_buttons_to_others(
    client_for, offer, other_broker_member, company_member
):
    for user in (other_broker_member, company_member, None):
        page = client_for(user).get(f"/en/offers/{offer.pk}/").content.decode()
        for path in ("/close/", "/publish/", "/edit/"):
            assert f"/offers/{offer.pk}{path}" not in page


# --- responses -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "actions"),
    [
        (Decision.SUBMITTED, [Decision.SHORTLISTED, Decision.ACCEPTED, Decision.DECLINED]),
        (Decision.SHORTLISTED, [Decision.ACCEPTED, Decision.DECLINED]),
        (Decision.ACCEPTED, []),
        (Decision.DECLINED, []),
    ],
)
def test_the_offers_brokerage_decides_on_a_response_by_its_state(
    broker_member, other_broker_member, company_member, offer, status, actions
):
    response = OfferResponseFactory(offer=offer, status=status)
    assert response_allowed_actions(broker_member, response) == actions
    assert response_allowed_actions(other_broker_member, response) == []
    assert response_allowed_actions(company_member, response) == []


def test_response_decide_refuses_a_decided_response_and_a_stranger(
    offer, broker_member, other_broker_member, company, company_member
):
    response = OfferResponseFactory(offer=offer, company=company)
    with pytest.raises(PermissionDenied):
        services.response_decide(response=response, status=Decision.ACCEPTED, by=other_broker_member)
    response.refresh_from_db()
    assert response.status == Decision.SUBMITTED
    services.response_decide(response=response, status=Decision.SHORTLISTED, by=broker_member)
    services.response_decide(response=response, status=Decision.DECLINED, by=broker_member)
    response.refresh_from_db()
    assert (response.status, response.decided_at is not None) == (Decision.DECLINED, True)
    for decision in (Decision.SHORTLISTED, Decision.ACCEPTED):
        with pytest.raises(ValidationError):
            services.response_decide(response=response, status=decision, by=broker_member)
    with pytest.raises(ValidationError):
        services.response_decide(response=response, status=Decision.SUBMITTED, by=broker_member)
    response.refresh_from_db()
    assert response.status == Decision.DECLINED
    kinds = list(
        Notification.objects.filter(recipient=company_member).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["offer_response_shortlisted", "offer_response_declined"]


def test_the_offer_page_offers_only_the_decisions_left(client_for, broker_member, offer):
    shortlisted = OfferResponseFactory(offer=offer, status=Decision.SHORTLISTED)
    accepted = OfferResponseFactory(offer=offer, status=Decision.ACCEPTED)
    page = client_for(broker_member).get(f"/en/offers/{offer.pk}/").content.decode()
    assert f"/responses/{shortlisted.pk}/accepted/" in page
    assert f"/responses/{shortlisted.pk}/declined/" in page
    assert f"/responses/{shortlisted.pk}/shortlisted/" not in page
    assert f"/responses/{accepted.pk}/" not in page


# --- buyer inquiries -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "marks"),
    [
        (Mark.NEW, [Mark.ANSWERED, Mark.CLOSED, Mark.SPAM]),
        (Mark.ROUTED, [Mark.ANSWERED, Mark.CLOSED, Mark.SPAM]),
        (Mark.ANSWERED, [Mark.CLOSED, Mark.SPAM]),
        (Mark.SPAM, [Mark.CLOSED]),
        (Mark.CLOSED, []),
    ],
)
def test_the_centre_marks_an_inquiry_by_its_state(manager, status, marks):
    assert inquiry_allowed_actions(manager, inquiry(status)) == marks


def test_only_staff_who_may_change_inquiries_mark_them(reviewer, broker_member):
    asked = inquiry()
    for user in (reviewer, broker_member, UserFactory(is_staff=True)):
        assert inquiry_allowed_actions(user, asked) == []
        with pytest.raises(PermissionDenied):
            services.inquiry_mark(inquiry=asked, status=Mark.ANSWERED, by=user)
    asked.refresh_from_db()
    assert asked.status == Mark.ROUTED


def test_inquiry_mark_follows_the_table(manager):
    asked = inquiry()
    assert services.inquiry_mark(inquiry=asked, status=Mark.ANSWERED, by=manager) is True
    assert services.inquiry_mark(inquiry=asked, status=Mark.ANSWERED, by=manager) is False  # as it is
    assert services.inquiry_mark(inquiry=asked, status=Mark.CLOSED, by=manager) is True
    for mark in (Mark.ANSWERED, Mark.SPAM):
        with pytest.raises(ValidationError):
            services.inquiry_mark(inquiry=asked, status=mark, by=manager)
    with pytest.raises(ValidationError):
        services.inquiry_mark(inquiry=asked, status=Mark.ROUTED, by=manager)  # routing is the router's
    asked.refresh_from_db()
    assert asked.status == Mark.CLOSED


def test_the_admin_marks_inquiries_through_the_service(client_for, manager):
    routed, closed = inquiry(), inquiry(Mark.CLOSED)
    response = client_for(manager).post(
        "/admin/brokers/buyerinquiry/",
        {"action": "mark_answered", "_selected_action": [routed.pk, closed.pk], "index": "0"},
    )
    assert response.status_code == 302
    routed.refresh_from_db()
    closed.refresh_from_db()
    assert (routed.status, closed.status) == (Mark.ANSWERED, Mark.CLOSED)  # a closed one stays closed
    told = [(message.level, message.message) for message in get_messages(response.wsgi_request)]
    assert [level for level, _text in told] == [messages.SUCCESS, messages.WARNING]
    assert all("۱" in text for _level, text in told)  # one updated, one left as it was (Persian digits)
    assert LogEntry.objects.filter(object_id=str(routed.pk), user=manager).count() == 1
    assert not LogEntry.objects.filter(object_id=str(closed.pk)).exists()


def offered_marks(page) -> set[str]:
    """The mark actions in a changelist's action menu, as the page shows them."""
    html = page.content.decode()
    return {
        name for name in ("mark_answered", "mark_closed", "mark_spam") if f'<option value="{name}"' in html
    }


def test_the_inquiry_menu_offers_only_the_marks_that_apply_to_the_rows_shown(client_for, manager):
    client = client_for(manager)
    closed, spam = inquiry(Mark.CLOSED), inquiry(Mark.SPAM)
    page = client.get("/admin/brokers/buyerinquiry/")
    assert page.status_code == 200
    assert '<option value="export_csv"' in page.content.decode()
    assert offered_marks(page) == {"mark_closed"}  # spam may still be closed; nothing else applies
    assert offered_marks(client.get("/admin/brokers/buyerinquiry/?status__exact=closed")) == set()
    inquiry(Mark.ROUTED)
    assert offered_marks(client.get("/admin/brokers/buyerinquiry/")) == {
        "mark_answered",
        "mark_closed",
        "mark_spam",
    }
    assert offered_marks(client.get("/admin/brokers/buyerinquiry/?status__exact=spam")) == {"mark_closed"}

    # A mark not offered for these rows is still refused when posted (each row's state is checked).
    response = client.post(
        "/admin/brokers/buyerinquiry/",
        {"action": "mark_answered", "_selected_action": [closed.pk, spam.pk], "index": "0"},
    )
    assert response.status_code == 302
    closed.refresh_from_db()
    spam.refresh_from_db()
    assert (closed.status, spam.status) == (Mark.CLOSED, Mark.SPAM)
    told = [(message.level, message.message) for message in get_messages(response.wsgi_request)]
    assert [level for level, _text in told] == [messages.SUCCESS, messages.WARNING]
    assert "۰" in told[0][1]  # none updated (in the Persian page's digits)
    assert "۲" in told[1][1]  # both left as they were


def test_the_inquiry_change_form_does_not_edit_the_status(client_for, manager):
    asked = inquiry()
    page = client_for(manager).get(f"/admin/brokers/buyerinquiry/{asked.pk}/change/").content.decode()
    assert 'name="status"' not in page


def test_a_broker_member_not_of_the_brokerage_sees_no_decisions(client_for, offer):
    stranger = UserFactory(email="x@rival.example")
    BrokerMembershipFactory(broker=BrokerFactory(name_en="Third"), user=stranger)
    OfferResponseFactory(offer=offer)
    assert client_for(stranger).get(f"/en/offers/{offer.pk}/").status_code == 200
    assert "/responses/" not in client_for(stranger).get(f"/en/offers/{offer.pk}/").content.decode()


def test_a_suspended_brokerages_pages_offer_no_action(client_for, broker_member, brokerage):
    """Its members still read their offers and responses, but every action would be refused."""
    offer = OfferFactory(broker=brokerage, status=Status.CLOSED)
    OfferResponseFactory(offer=offer)
    Broker.objects.filter(pk=brokerage.pk).update(status=Broker.Status.SUSPENDED)
    page = client_for(broker_member).get(f"/en/offers/{offer.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    for path in (f"/offers/{offer.pk}/publish/", f"/offers/{offer.pk}/edit/", "/responses/"):
        assert path not in html
