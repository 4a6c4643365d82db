"""Nobody but a deal's company, its brokerage and the centre's staff sees a deal, its documents or
its values: by page, API and media URL, for another company and another brokerage."""

from __future__ import annotations

import pytest

from deals.models import Status
from deals.permissions import can_see_deal, is_party
from tests.brokers.factories import broker_suspend_now
from tests.deals.factories import walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(brokered_deal, broker_member):
    return walk_to(brokered_deal, Status.SHIPPED, broker_member)


def _urls(deal) -> list[str]:
    shipment = deal.shipments.get()
    return [
        f"/en/deals/{deal.pk}/",
        f"/api/v1/deals/{deal.pk}/",
        shipment.invoice.url,
        shipment.transport_document.url,
    ]


@pytest.mark.parametrize("outsider", ["other_company_member", "other_broker_member", "signed_up_user"])
def test_outsiders_get_404_for_the_page_the_api_and_the_files(outsider, request, client_for, shipped):
    client = client_for(request.getfixturevalue(outsider))
    for url in _urls(shipped):
        assert client.get(url).status_code == 404, url
    api_list = client.get("/api/v1/deals/").json()
    assert api_list["count"] == 0
    assert shipped.reference not in client.get("/en/deals/").content.decode()


def test_outsiders_cannot_move_the_deal(client_for, shipped, other_company_member, other_broker_member):
    for outsider in (other_company_member, other_broker_member):
        client = client_for(outsider)
        for action in ("contract", "close", "lost"):
            assert (
                client.post(f"/en/deals/{shipped.pk}/{action}/", {"lost_reason": "price"}).status_code == 404
            )
        assert client.post(f"/en/deals/{shipped.pk}/payments/", {"amount": "1"}).status_code == 404
    shipped.refresh_from_db()
    assert shipped.status == Status.SHIPPED
    assert not shipped.payments.exists()


@pytest.mark.parametrize("party", ["company_member", "broker_member"])
def test_both_parties_see_the_page_the_api_and_the_files(party, request, client_for, shipped):
    client = client_for(request.getfixturevalue(party))
    for url in _urls(shipped):
        assert client.get(url).status_code == 200, url


def test_anonymous_visitors_see_nothing(client, shipped):
    page = client.get(f"/en/deals/{shipped.pk}/")
    assert page.status_code == 302
    assert "/accounts/login/" in page["Location"]
    assert client.get(f"/api/v1/deals/{shipped.pk}/").status_code in (401, 403)
    for url in _urls(shipped)[2:]:
        assert client.get(url).status_code == 404


def test_programme_managers_open_the_files_reviewers_do_not(client_for, shipped, manager, reviewer):
    from tests.access.world import ensure_role_groups

    ensure_role_groups()
    invoice = shipped.shipments.get().invoice.url
    assert client_for(manager).get(invoice).status_code == 200
    assert client_for(reviewer).get(invoice).status_code == 404
    assert can_see_deal(manager, shipped)
    assert not can_see_deal(reviewer, shipped)
    assert not is_party(manager, shipped)


def test_a_suspended_brokerage_still_reads_its_deal_but_gets_no_buttons(
    client_for, shipped, broker_member, brokerage
):
    broker_suspend_now(brokerage)
    page = client_for(broker_member).get(f"/en/deals/{shipped.pk}/")
    assert page.status_code == 200
    assert page.context["allowed_actions"] == []
    refused = client_for(broker_member).post(f"/en/deals/{shipped.pk}/lost/", {"lost_reason": "price"})
    assert refused.status_code == 403
    shipped.refresh_from_db()
    assert shipped.status == Status.SHIPPED


def test_a_direct_deal_is_not_shown_to_any_brokerage(client_for, direct_deal, broker_member):
    assert client_for(broker_member).get(f"/en/deals/{direct_deal.pk}/").status_code == 404


def test_opening_from_someone_elses_response_or_inquiry_is_404(
    client_for, accepted_response, other_company_member, other_broker_member, company, iraq
):
    from brokers.models import BuyerInquiry
    from tests.portal.factories import TargetCountryFactory

    inquiry = BuyerInquiry.objects.create(
        name="Ahmed", organisation="Basra Clinic", country=iraq, email="a@clinic.example", message="Masks",
        company=company,
    )  # fmt: skip
    other_broker_member.broker_membership.broker.countries.set([TargetCountryFactory(iso_code="AF")])
    for outsider in (other_company_member, other_broker_member):
        client = client_for(outsider)
        assert client.get(f"/en/deals/new/from-response/{accepted_response.pk}/").status_code == 404
        assert client.get(f"/en/deals/new/from-inquiry/{inquiry.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("url", "method"),
    [
        ("/en/deals/{pk}/contract/", "get"),
        ("/en/deals/{pk}/close/", "get"),
        ("/en/deals/{pk}/shipments/", "get"),
        ("/en/deals/{pk}/", "post"),
    ],
)
def test_wrong_methods_are_405(url, method, client_for, brokered_deal, company_member):
    response = getattr(client_for(company_member), method)(url.format(pk=brokered_deal.pk))
    assert response.status_code == 405
