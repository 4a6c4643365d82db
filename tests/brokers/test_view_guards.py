"""Every page of brokers/views.py against the three visitors it must turn away: the anonymous one
(log-in page; the directory, the board and the buyers' inquiry form open), the wrong HTTP method
(405) and someone reaching for another brokerage's offer or response (404, and nothing changed)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from brokers.models import BrokerInvitation, BuyerInquiry, Offer, OfferResponse
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory, OfferFactory, OfferResponseFactory
from tests.conftest import answered_methods, assert_sent_to_log_in, refused_methods, send
from tests.portal.factories import TargetCountryFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = {  # name: (path, the methods it answers)
    "directory": ("/en/brokers/", {"GET"}),
    "detail": ("/en/brokers/{broker}/", {"GET"}),
    "register": ("/en/brokers/register/", {"GET", "POST"}),
    "mine": ("/en/brokers/mine/", {"GET"}),
    "edit": ("/en/brokers/mine/edit/", {"GET", "POST"}),
    "invite": ("/en/brokers/mine/invite/", {"POST"}),
    "invitation_accept": ("/en/brokers/invitations/{token}/", {"GET", "POST"}),
    "offer_board": ("/en/offers/", {"GET"}),
    "offer_create": ("/en/offers/new/", {"GET", "POST"}),
    "offer_detail": ("/en/offers/{offer}/", {"GET"}),
    "offer_edit": ("/en/offers/{offer}/edit/", {"GET", "POST"}),
    "offer_publish": ("/en/offers/{offer}/publish/", {"POST"}),
    "offer_close": ("/en/offers/{offer}/close/", {"POST"}),
    "attachment_add": ("/en/offers/{offer}/attachments/", {"POST"}),
    "respond": ("/en/offers/{offer}/respond/", {"POST"}),
    "response_decide": ("/en/responses/{response}/shortlisted/", {"POST"}),
    "my_responses": ("/en/responses/mine/", {"GET"}),
    "inquiry_create": ("/en/inquiries/new/", {"GET", "POST"}),
    "inquiry_thanks": ("/en/inquiries/thanks/", {"GET"}),
    "inbox": ("/en/inbox/", {"GET"}),
    "inquiry_detail": ("/en/inbox/{inquiry}/", {"GET"}),
    "inquiry_claim": ("/en/inbox/{inquiry}/claim/", {"POST"}),
    "inquiry_release": ("/en/inbox/{inquiry}/release/", {"POST"}),
    "inquiry_reply": ("/en/inbox/{inquiry}/reply/", {"POST"}),
    "inquiry_convert": ("/en/inbox/{inquiry}/convert/", {"POST"}),
    "inquiry_close": ("/en/inbox/{inquiry}/close/", {"POST"}),
}
PUBLIC = {"directory", "detail", "offer_board", "offer_detail", "inquiry_create", "inquiry_thanks"}
BROKERS_OWN = ["offer_edit", "offer_publish", "offer_close", "attachment_add", "response_decide"]
INBOX_OWN = [
    "inquiry_detail",
    "inquiry_claim",
    "inquiry_release",
    "inquiry_reply",
    "inquiry_convert",
    "inquiry_close",
]


@pytest.fixture
def offer(brokerage, broker_member):
    return OfferFactory(broker=brokerage, created_by=broker_member)


@pytest.fixture
def paths(brokerage, broker_member, offer, other_company):
    response = OfferResponseFactory(offer=offer, company=other_company)
    invitation = BrokerInvitation.objects.create(
        broker=brokerage, email="new@broker.example", invited_by=broker_member
    )
    inquiry = BuyerInquiry.objects.create(
        name="Ali", organisation="Basra Medical", country=brokerage.countries.get(),
        email="ali@buyer.example", message="Masks?", routed_at=timezone.now(),
        status=BuyerInquiry.Status.ROUTED,
    )  # fmt: skip
    ids = {
        "broker": brokerage.pk, "token": invitation.token, "offer": offer.pk, "response": response.pk,
        "inquiry": inquiry.pk,
    }  # fmt: skip
    return {name: path.format(**ids) for name, (path, _) in PAGES.items()}


@pytest.mark.parametrize(("name", "method"), answered_methods(PAGES))
def test_an_anonymous_visitor_is_sent_to_log_in_except_on_public_pages(client, paths, name, method):
    response = send(client, method, paths[name])
    if name in PUBLIC:
        assert response.status_code == 200  # an empty inquiry is the form again, with its errors
    else:
        assert_sent_to_log_in(response)


@pytest.mark.parametrize(("name", "method"), refused_methods(PAGES))
def test_a_method_the_page_does_not_take_is_405(client_for, broker_member, paths, name, method):
    assert send(client_for(broker_member), method, paths[name]).status_code == 405


@pytest.mark.parametrize("name", BROKERS_OWN)
def test_another_brokerages_offer_or_response_is_not_found(
    client_for, other_broker_member, offer, paths, name
):
    before = (Offer.objects.values().get(pk=offer.pk), list(OfferResponse.objects.values()))
    assert send(client_for(other_broker_member), "POST", paths[name]).status_code == 404
    assert send(client_for(other_broker_member), "GET", paths["offer_edit"]).status_code == 404
    assert (Offer.objects.values().get(pk=offer.pk), list(OfferResponse.objects.values())) == before
    assert not offer.attachments.exists()


@pytest.mark.parametrize("persona", ["other_broker_member", "company_member", "anonymous"])
def test_a_draft_offer_is_not_found_outside_its_brokerage(request, client_for, brokerage, persona):
    draft = OfferFactory(broker=brokerage, draft=True)
    client = client_for(request.getfixturevalue(persona))
    assert send(client, "GET", f"/en/offers/{draft.pk}/").status_code == 404


def test_a_company_cannot_respond_to_a_draft_offer(client_for, brokerage, company_member):
    draft = OfferFactory(broker=brokerage, draft=True)
    assert send(client_for(company_member), "POST", f"/en/offers/{draft.pk}/respond/").status_code == 404
    assert not OfferResponse.objects.exists()


@pytest.mark.parametrize("name", INBOX_OWN)
@pytest.mark.parametrize("persona", ["elsewhere", "other_company_member", "signed_up_user"])
def test_an_inquiry_outside_ones_inbox_is_not_found(request, client_for, paths, name, persona):
    """A brokerage covering other countries, a company it is not about, someone without either."""
    if persona == "elsewhere":
        user = UserFactory(email="far@oman.example")
        BrokerMembershipFactory(
            broker=BrokerFactory(countries=[TargetCountryFactory(iso_code="OM")]), user=user
        )
    else:
        user = request.getfixturevalue(persona)
    before = list(BuyerInquiry.objects.values())
    method = "GET" if name == "inquiry_detail" else "POST"
    assert send(client_for(user), method, paths[name], {"body": "Hi", "reason": "spam"}).status_code == 404
    assert list(BuyerInquiry.objects.values()) == before
