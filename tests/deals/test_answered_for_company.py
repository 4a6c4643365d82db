"""A deal from a response a brokerage sent for a company: Reza (Pars) answered Leila's buyer demand
in Iraq (Tigris Brokers) for Sara's Alpha Medical, under Alpha's mandate. When the response is
accepted and its deal opened, Pars is not left behind: the deal records the mandate, Pars is its
co-broker (40% of the credit; Tigris, which introduced the buyer, keeps 60%), sees it and hears of
each step; and Pars hears of each decision Tigris takes on the response it sent."""

from __future__ import annotations

import pytest
from django.utils import translation

from brokers import partners
from brokers.mandates import mandate_revoke
from brokers.services import response_decide, response_submit
from deals import services
from deals.credits import ANSWERING_BROKER_SHARE
from deals.models import DealCredit, DealEvent, DealPartner
from portal.models import Notification
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory, OfferFactory
from tests.brokers.mandates import give_mandate
from tests.deals.factories import deal_terms, lines_of, walk_to
from tests.portal.factories import UserFactory
from tests.products.factories import CategoryFactory

pytestmark = pytest.mark.django_db

QUOTE = {"unit_price": "0.11", "currency": "USD", "quantity": 50_000, "lead_time_days": 21, "message": ""}


@pytest.fixture
def tigris_member(iraq):
    """Leila works for Tigris Brokers, which listed the buyer demand (in English)."""
    user = UserFactory(email="leila@tigris.example", full_name="Leila", english=True)
    BrokerMembershipFactory(broker=BrokerFactory(name_en="Tigris Brokers", countries=[iraq]), user=user)
    return user


@pytest.fixture
def masks(db):
    return CategoryFactory(slug="masks")


@pytest.fixture
def mask(product, masks):
    product.category = masks
    product.save(update_fields=["category"])
    return product


@pytest.fixture
def mandate(company, company_member, brokerage, iraq, masks):
    return give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[masks]
    )


@pytest.fixture
def offer(tigris_member, iraq, masks):
    return OfferFactory(broker=tigris_member.broker_membership.broker, country=iraq, categories=[masks])


@pytest.fixture
def sent(mandate, offer, company, brokerage, broker_member, mask):
    """Reza's answer for Alpha, under Alpha's mandate."""
    return response_submit(
        offer=offer, company=company, by=broker_member, products=[mask], broker=brokerage, **QUOTE
    )


@pytest.fixture
def accepted(sent, tigris_member):
    return response_decide(response=sent, status="accepted", by=tigris_member)


def open_deal(response, by, product):
    return services.deal_open_from_response(
        response=response, by=by, lines=lines_of(product), **deal_terms(response.offer.country)
    )


def credits_of(deal) -> dict[tuple[str, str], int]:
    return {
        (credit.broker.name_en, credit.role): credit.share_percent
        for credit in DealCredit.objects.filter(deal=deal).select_related("broker")
    }


# ---------------------------------------------------------------------------
# The deal: its mandate, its co-broker, its credit
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("opener", ["tigris_member", "company_member"])
def test_the_deal_records_the_mandate_and_the_answering_brokerage_is_its_co_broker(
    accepted, mandate, brokerage, mask, opener, request
):
    deal = open_deal(accepted, request.getfixturevalue(opener), mask)
    assert deal.broker.name_en == "Tigris Brokers"
    assert deal.mandate == mandate
    partner = DealPartner.objects.get(deal=deal)
    assert (partner.broker, partner.status, partner.share_percent) == (brokerage, "accepted", 40)
    assert partner.decided_by == accepted.created_by  # Reza, who sent the answer
    assert credits_of(deal) == {
        ("Tigris Brokers", "introduced"): 100 - ANSWERING_BROKER_SHARE,
        ("Pars Export Brokers", "co_broker"): ANSWERING_BROKER_SHARE,
    }
    split = DealEvent.objects.get(deal=deal, action="credit").credits
    assert {(row["broker"], row["share"]) for row in split} == {(deal.broker_id, 60), (brokerage.pk, 40)}


def test_a_response_the_company_sent_itself_brings_no_co_broker(
    offer, company, company_member, tigris_member, mask
):
    own = response_submit(offer=offer, company=company, by=company_member, products=[mask], **QUOTE)
    deal = open_deal(response_decide(response=own, status="accepted", by=tigris_member), tigris_member, mask)
    assert deal.mandate is None
    assert not DealPartner.objects.filter(deal=deal).exists()
    assert credits_of(deal) == {("Tigris Brokers", "introduced"): 100}


def test_after_the_company_revoked_the_mandate_the_deal_opens_without_that_brokerage(
    accepted, mandate, company_member, tigris_member, broker_member, mask, client_for
):
    mandate_revoke(mandate=mandate, by=company_member, note="We chose another brokerage.")
    deal = open_deal(accepted, tigris_member, mask)
    assert deal.mandate is None
    assert not DealPartner.objects.filter(deal=deal).exists()
    assert credits_of(deal) == {("Tigris Brokers", "introduced"): 100}
    assert client_for(broker_member).get(f"/en/deals/{deal.pk}/").status_code == 404
    assert not broker_member.notifications.filter(kind="deal_update").exists()


def test_a_destination_outside_the_mandate_leaves_the_brokerage_off_the_deal(accepted, tigris_member, mask):
    from tests.portal.factories import TargetCountryFactory

    oman = TargetCountryFactory(iso_code="OM")
    deal = services.deal_open_from_response(
        response=accepted, by=tigris_member, lines=lines_of(mask), **deal_terms(oman)
    )
    assert deal.mandate is None
    assert not DealPartner.objects.filter(deal=deal).exists()


def test_an_answering_brokerage_already_co_brokering_the_offer_keeps_the_share_agreed_on_it(
    mandate, offer, company, brokerage, broker_member, tigris_member, mask
):
    invitation = partners.offer_partner_invite(
        offer=offer, by=tigris_member, broker=brokerage, share_percent=25
    )
    partners.offer_partner_accept(partner=invitation, by=broker_member)
    response = response_submit(
        offer=offer, company=company, by=broker_member, products=[mask], broker=brokerage, **QUOTE
    )
    deal = open_deal(
        response_decide(response=response, status="accepted", by=tigris_member), tigris_member, mask
    )
    assert deal.mandate == mandate
    assert list(DealPartner.objects.filter(deal=deal).values_list("broker", "share_percent")) == [
        (brokerage.pk, 25)
    ]
    assert credits_of(deal) == {
        ("Tigris Brokers", "introduced"): 75,
        ("Pars Export Brokers", "co_broker"): 25,
    }


def test_the_answering_share_is_cut_to_what_the_offers_co_brokers_leave(
    accepted, offer, tigris_member, iraq, mask
):
    caspian = BrokerFactory(name_en="Caspian Logistics", countries=[iraq])
    nima = UserFactory(email="nima@caspian.example")
    BrokerMembershipFactory(broker=caspian, user=nima)
    invitation = partners.offer_partner_invite(
        offer=offer, by=tigris_member, broker=caspian, share_percent=80
    )
    partners.offer_partner_accept(partner=invitation, by=nima)
    deal = open_deal(accepted, tigris_member, mask)
    assert credits_of(deal) == {
        ("Tigris Brokers", "introduced"): 1,
        ("Caspian Logistics", "co_broker"): 80,
        ("Pars Export Brokers", "co_broker"): 19,
    }
    assert sum(credits_of(deal).values()) == 100


# ---------------------------------------------------------------------------
# What Pars sees and hears
# ---------------------------------------------------------------------------
def test_the_answering_brokerage_sees_the_deal_and_its_timeline_on_its_pages_and_the_api(
    accepted, brokerage, broker_member, tigris_member, company_member, other_broker_member, mask, client_for
):
    deal = open_deal(accepted, tigris_member, mask)
    page = client_for(broker_member).get(f"/en/deals/{deal.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "From the response Pars Export Brokers sent for Alpha Medical Equipment" in text
    assert "answered the offer for the company, under its mandate" in text
    assert 'data-testid="opened-from-answer"' in text  # on the timeline's opening
    assert f"/en/mandates/{deal.mandate_id}/" in text  # Pars holds the mandate: it reads it
    assert "Record a shipment" not in text  # not contracted yet; a co-broker records shipments only
    listed = client_for(broker_member).get("/en/deals/").content.decode()
    assert deal.reference in listed
    assert "which answered for the company under its mandate" in listed
    api = client_for(broker_member).get("/api/v1/deals/").json()
    assert [row["reference"] for row in api["results"]] == [deal.reference]
    assert api["results"][0]["mandate"] == deal.mandate_id
    # Tigris's page names Pars too, but not a link to a mandate it does not hold.
    owner_page = client_for(tigris_member).get(f"/en/deals/{deal.pk}/").content.decode()
    assert "From the response Pars Export Brokers sent for Alpha Medical Equipment" in owner_page
    assert f"/mandates/{deal.mandate_id}/" not in owner_page
    with translation.override("fa"):
        persian = client_for(company_member).get(f"/fa/deals/{deal.pk}/").content.decode()
    assert "کارگزاری پارس" in persian
    assert "From the response" not in persian
    assert client_for(other_broker_member).get(f"/en/deals/{deal.pk}/").status_code == 404


def test_the_answering_brokerage_hears_of_the_opening_and_of_each_step_like_the_other_parties(
    accepted,
    broker_member,
    tigris_member,
    company_member,
    mask,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        deal = open_deal(accepted, tigris_member, mask)
    opened = broker_member.notifications.get(kind="deal_update")
    assert deal.reference in opened.title
    assert (
        f"Tigris Brokers opened deal {deal.reference} with Baghdad Medical City from the response "
        "Pars Export Brokers sent for Alpha Medical Equipment under the company's mandate." in opened.body
    )
    assert any(m.to == [broker_member.email] and deal.reference in m.subject for m in mailoutbox)
    sara = company_member.notifications.get(kind="deal_update")  # Sara reads it in Persian
    assert "کارگزاری پارس" in sara.body
    walk_to(deal, "shipped", company_member)
    assert broker_member.notifications.filter(kind="deal_update").count() == 3  # opened, contract, shipment
    assert tigris_member.notifications.filter(kind="deal_update").count() == 2  # contract, shipment


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("shortlisted", "has shortlisted the response your brokerage sent for Alpha Medical Equipment"),
        ("accepted", "has accepted the response your brokerage sent for Alpha Medical Equipment"),
        ("declined", "has declined the response your brokerage sent for Alpha Medical Equipment"),
    ],
)
def test_the_answering_brokerage_is_told_of_each_decision_on_the_response_it_sent(
    sent, broker_member, company_member, tigris_member, status, words, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response_decide(response=sent, status=status, by=tigris_member)
    notice = broker_member.notifications.get(kind="offer_response_sent_decided")
    assert "Tigris Brokers " + words in notice.body
    assert notice.url == sent.offer.get_absolute_url()
    sent_mail = [m for m in mailoutbox if m.to == [broker_member.email]]
    assert len(sent_mail) == 1
    assert sent_mail[0].extra_headers["Content-Language"] == "en"
    # The company hears as before; Leila, who decided, hears nothing.
    assert company_member.notifications.filter(kind=f"offer_response_{status}").count() == 1
    assert not Notification.objects.filter(
        recipient=tigris_member, kind="offer_response_sent_decided"
    ).exists()


def test_a_persian_reader_of_the_answering_brokerage_is_told_in_persian(sent, brokerage, tigris_member):
    ali = UserFactory(email="ali@pars.example", full_name="علی")
    BrokerMembershipFactory(broker=brokerage, user=ali)
    response_decide(response=sent, status="accepted", by=tigris_member)
    notice = ali.notifications.get(kind="offer_response_sent_decided")
    assert notice.language == "fa"
    assert "شرکت تجهیزات پزشکی آلفا" in notice.body
    assert "accepted" not in notice.body


def test_a_response_the_company_sent_itself_tells_no_brokerage_but_the_offers(
    offer, company, company_member, tigris_member, broker_member, mask
):
    own = response_submit(offer=offer, company=company, by=company_member, products=[mask], **QUOTE)
    response_decide(response=own, status="accepted", by=tigris_member)
    assert not Notification.objects.filter(kind="offer_response_sent_decided").exists()


# ---------------------------------------------------------------------------
# A mandate revoked while the deal opens; a brokerage credited once
# ---------------------------------------------------------------------------
def revoked_once_found(monkeypatch, mandate):
    """The company revokes `mandate` right after the opening found it, before it locks it."""
    from django.utils import timezone

    from brokers.models import Mandate

    found = services.mandate_for

    def find_then_revoke(*args, **kwargs):
        result = found(*args, **kwargs)
        Mandate.objects.filter(pk=mandate.pk).update(status="revoked", revoked_at=timezone.now())
        return result

    monkeypatch.setattr(services, "mandate_for", find_then_revoke)


def test_a_mandate_revoked_between_finding_and_locking_it_leaves_the_brokerage_off_the_deal(
    accepted, mandate, tigris_member, mask, monkeypatch
):
    revoked_once_found(monkeypatch, mandate)
    deal = open_deal(accepted, tigris_member, mask)
    assert deal.mandate is None
    assert not DealPartner.objects.filter(deal=deal).exists()
    assert credits_of(deal) == {("Tigris Brokers", "introduced"): 100}


def test_a_brokerage_that_never_joined_leaves_no_mandate_on_the_deal(
    accepted, offer, tigris_member, iraq, mask
):
    """The offer's co-brokers hold 99%: nothing is left for Pars, so the deal records no mandate."""
    caspian = BrokerFactory(name_en="Caspian Logistics", countries=[iraq])
    nima = UserFactory(email="nima@caspian.example")
    BrokerMembershipFactory(broker=caspian, user=nima)
    invitation = partners.offer_partner_invite(
        offer=offer, by=tigris_member, broker=caspian, share_percent=99
    )
    partners.offer_partner_accept(partner=invitation, by=nima)
    deal = open_deal(accepted, tigris_member, mask)
    assert deal.mandate is None
    assert list(DealPartner.objects.filter(deal=deal).values_list("broker__name_en", flat=True)) == [
        "Caspian Logistics"
    ]


@pytest.fixture
def referred(company, brokerage, broker_member, tigris_member, iraq):
    """Pars also referred Alpha to Tigris for Iraq, and Tigris accepted."""
    from brokers import referrals

    def refer(share):
        referral = referrals.referral_create(
            by=broker_member, to_broker=tigris_member.broker_membership.broker, company=company, country=iraq,
            share_percent=share,
        )  # fmt: skip
        return referrals.referral_accept(referral=referral, by=tigris_member)

    return refer


def test_a_referrer_that_answered_for_the_company_is_credited_once_as_co_broker(
    referred, accepted, brokerage, broker_member, tigris_member, mask, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    referred(20)
    with django_capture_on_commit_callbacks(execute=True):
        deal = open_deal(accepted, tigris_member, mask)
    assert credits_of(deal) == {
        ("Tigris Brokers", "introduced"): 60,
        ("Pars Export Brokers", "co_broker"): 40,
    }
    assert deal.partners.get().broker == brokerage
    notice = broker_member.notifications.get(kind="referral_credit")
    assert notice.title == f"Your brokerage is credited as co-broker on deal {deal.reference}"
    assert (
        "Your brokerage is on the deal as its co-broker, credited with 40% of it, and not also with your "
        "referral's 20%: a brokerage is credited once on a deal." in notice.body
    )


def test_a_referrers_larger_share_is_credited_as_the_referral_alone(referred, accepted, tigris_member, mask):
    referred(50)
    deal = open_deal(accepted, tigris_member, mask)
    assert credits_of(deal) == {("Tigris Brokers", "introduced"): 50, ("Pars Export Brokers", "referral"): 50}
    assert not DealPartner.objects.filter(deal=deal).exists()
    assert deal.mandate is None  # Pars did not join as the answering brokerage


# ---------------------------------------------------------------------------
# The company's own edit; decisions told while a mandate covers the response
# ---------------------------------------------------------------------------
def test_a_response_the_company_edits_itself_is_its_own_and_brings_no_co_broker(
    sent, offer, company, company_member, broker_member, tigris_member, mask
):
    edited = response_submit(
        offer=offer, company=company, by=company_member, products=[mask], **{**QUOTE, "unit_price": "0.10"}
    )
    assert edited.pk == sent.pk
    assert edited.submitted_by_broker is None
    response_decide(response=edited, status="accepted", by=tigris_member)
    assert not broker_member.notifications.filter(kind="offer_response_sent_decided").exists()
    deal = open_deal(edited, tigris_member, mask)
    assert deal.mandate is None
    assert not DealPartner.objects.filter(deal=deal).exists()


def test_after_the_revocation_the_brokerage_hears_of_no_decision(
    sent, mandate, company_member, broker_member, tigris_member
):
    mandate_revoke(mandate=mandate, by=company_member)
    response_decide(response=sent, status="accepted", by=tigris_member)
    assert not broker_member.notifications.filter(kind="offer_response_sent_decided").exists()
    assert company_member.notifications.filter(kind="offer_response_accepted").count() == 1
