"""Attribution and co-brokering: Pars (Reza) opens Alpha's deal from its accepted offer and is
credited with the introduction; it invites Caspian Logistics (Nima) as co-broker for 40%; once
Nima accepts, Caspian is a party of the deal (sees it, records shipments) and the credit is 60/40.
Leila's Rival Brokers and Omid's Beta Health never see it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from brokers import referrals
from brokers import services as broker_services
from deals import services
from deals.models import DealCredit, DealEvent, DealPartner
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory
from tests.brokers.mandates import give_mandate
from tests.brokers.test_inbox import routed
from tests.deals.factories import deal_terms, lines_of, open_direct, ship
from tests.portal.factories import TargetCountryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def caspian(db):
    return BrokerFactory(name_en="Caspian Logistics", countries=[TargetCountryFactory(iso_code="IQ")])


@pytest.fixture
def caspian_member(caspian):
    user = UserFactory(email="nima@caspian.example", full_name="Nima")
    BrokerMembershipFactory(broker=caspian, user=user)
    return user


@pytest.fixture
def caspian_holds_a_mandate(company, company_member, caspian, product):
    """Alpha authorised Caspian for Iraq and its product's category: Caspian may open its deals."""
    return give_mandate(
        company=company, broker=caspian, by=company_member, countries=[caspian.countries.get()],
        categories=[product.category],
    )  # fmt: skip


def credits_of(deal) -> dict[tuple[str, str], int]:
    return {
        (credit.broker.name_en, credit.role): credit.share_percent
        for credit in DealCredit.objects.filter(deal=deal).select_related("broker")
    }


def invite(deal, by, broker, share=40) -> DealPartner:
    return services.deal_partner_invite(
        deal=deal, by=by, broker=broker, share_percent=share, role_note="Logistics"
    )


# ---------------------------------------------------------------------------
# Credits on opening
# ---------------------------------------------------------------------------
def test_opening_from_an_accepted_response_credits_the_offers_brokerage_with_the_introduction(brokered_deal):
    assert credits_of(brokered_deal) == {("Pars Export Brokers", "introduced"): 100}
    credit = DealCredit.objects.get(deal=brokered_deal)
    assert credit.offer_id == brokered_deal.offer_response.offer_id


def test_a_direct_deal_credits_nobody(direct_deal):
    assert not DealCredit.objects.filter(deal=direct_deal).exists()


def test_a_deal_opened_by_the_inquirys_broker_credits_it(
    brokerage, broker_member, company, company_member, product
):
    inquiry = broker_services.inquiry_claim(inquiry=routed(), by=broker_member)
    # The brokerage names the company that sells, which authorised it for the buyer's country.
    give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[inquiry.country],
        categories=[product.category],
    )  # fmt: skip
    deal = services.deal_open_from_inquiry(
        inquiry=inquiry,
        by=broker_member,
        company=company,
        lines=lines_of(product),
        **deal_terms(inquiry.country),
    )
    assert credits_of(deal) == {("Pars Export Brokers", "introduced"): 100}
    assert DealCredit.objects.get(deal=deal).inquiry_id == inquiry.pk


# ---------------------------------------------------------------------------
# Co-brokering
# ---------------------------------------------------------------------------
def test_an_accepted_invitation_re_splits_the_credit_and_makes_the_co_broker_a_party(
    brokered_deal, broker_member, caspian, caspian_member, company_member
):
    partner = invite(brokered_deal, broker_member, caspian)
    assert credits_of(brokered_deal) == {("Pars Export Brokers", "introduced"): 100}  # not yet
    assert caspian_member.notifications.filter(kind="deal_partner_update").count() == 1
    services.deal_partner_accept(partner=partner, by=caspian_member)
    assert credits_of(brokered_deal) == {
        ("Pars Export Brokers", "introduced"): 60,
        ("Caspian Logistics", "co_broker"): 40,
    }
    assert sum(credits_of(brokered_deal).values()) == 100
    actions = list(DealEvent.objects.filter(deal=brokered_deal).values_list("action", flat=True))
    assert actions == ["open", "invite", "partner"]
    # Sara (the company) and Reza hear that Caspian joined.
    assert company_member.notifications.filter(kind="deal_partner_update").count() == 1
    assert broker_member.notifications.filter(kind="deal_partner_update").count() == 1


def test_a_co_broker_records_shipments_and_is_told_of_each_step_but_does_not_sign_or_close(
    brokered_deal, broker_member, caspian, caspian_member, company_member
):
    services.deal_partner_accept(partner=invite(brokered_deal, broker_member, caspian), by=caspian_member)
    with pytest.raises(PermissionDenied):
        services.deal_contract(deal=brokered_deal, by=caspian_member)
    services.deal_contract(deal=brokered_deal, by=company_member)
    assert caspian_member.notifications.filter(kind="deal_update").count() == 1
    ship(brokered_deal, caspian_member)
    brokered_deal.refresh_from_db()
    assert brokered_deal.status == "shipped"
    with pytest.raises(PermissionDenied):
        services.deal_mark_lost(deal=brokered_deal, by=caspian_member, reason="price")


@pytest.mark.parametrize(
    ("who", "refused"),
    [("company_member", PermissionDenied), ("other_broker_member", PermissionDenied)],
)
def test_only_the_deals_brokerage_invites_a_co_broker(brokered_deal, caspian, who, refused, request):
    with pytest.raises(refused):
        invite(brokered_deal, request.getfixturevalue(who), caspian)


@pytest.mark.parametrize("share", [0, 100, 150])
def test_the_share_is_between_1_and_99(brokered_deal, broker_member, caspian, share):
    with pytest.raises(ValidationError) as error:
        invite(brokered_deal, broker_member, caspian, share=share)
    assert "share_percent" in error.value.message_dict


def test_a_pending_or_unlicensed_brokerage_and_the_deals_own_cannot_be_invited(
    brokered_deal, broker_member, brokerage
):
    import datetime as dt

    from django.utils import timezone

    for target in (
        BrokerFactory(pending=True),
        BrokerFactory(licence_expires_on=timezone.localdate() - dt.timedelta(days=1)),
        brokerage,
    ):
        with pytest.raises(ValidationError) as error:
            invite(brokered_deal, broker_member, target)
        assert "broker" in error.value.message_dict


def test_the_invited_accepts_or_declines_and_the_inviter_withdraws_not_the_other_way_round(
    brokered_deal, broker_member, caspian, caspian_member, other_broker_member
):
    partner = invite(brokered_deal, broker_member, caspian)
    with pytest.raises(PermissionDenied):
        services.deal_partner_accept(partner=partner, by=broker_member)
    with pytest.raises(PermissionDenied):
        services.deal_partner_withdraw(partner=partner, by=caspian_member)
    with pytest.raises(PermissionDenied):
        services.deal_partner_accept(partner=partner, by=other_broker_member)
    services.deal_partner_withdraw(partner=partner, by=broker_member)
    with pytest.raises(PermissionDenied):  # withdrawn before the answer: nothing to accept
        services.deal_partner_accept(partner=partner, by=caspian_member)
    assert credits_of(brokered_deal) == {("Pars Export Brokers", "introduced"): 100}


def test_a_declined_invitation_changes_no_credit_and_the_brokerage_may_be_invited_again(
    brokered_deal, broker_member, caspian, caspian_member
):
    services.deal_partner_decline(partner=invite(brokered_deal, broker_member, caspian), by=caspian_member)
    assert credits_of(brokered_deal) == {("Pars Export Brokers", "introduced"): 100}
    again = invite(brokered_deal, broker_member, caspian, share=30)
    services.deal_partner_accept(partner=again, by=caspian_member)
    assert credits_of(brokered_deal)[("Caspian Logistics", "co_broker")] == 30


def test_the_co_broker_sees_the_deal_its_shipments_and_documents_and_outsiders_do_not(
    brokered_deal, broker_member, company_member, caspian, caspian_member, other_broker_member, client_for
):
    from tests.deals.factories import walk_to

    partner = invite(brokered_deal, broker_member, caspian)
    url = f"/en/deals/{brokered_deal.pk}/"
    assert client_for(caspian_member).get(url).status_code == 404  # invited, not yet a party
    services.deal_partner_accept(partner=partner, by=caspian_member)
    walk_to(brokered_deal, "shipped", company_member)
    shipment = brokered_deal.shipments.get()
    page = client_for(caspian_member).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Caspian Logistics" in text
    assert "Record a shipment" in text
    assert "Mark as lost" not in text  # the deal's broker and company decide that, not the co-broker
    assert client_for(caspian_member).get(shipment.invoice.url).status_code == 200
    listed = client_for(caspian_member).get("/api/v1/deals/").json()
    assert [d["reference"] for d in listed["results"]] == [brokered_deal.reference]
    credits = {(c["broker"], c["role"], c["share_percent"]) for c in listed["results"][0]["credits"]}
    assert credits == {(brokered_deal.broker_id, "introduced", 60), (caspian.pk, "co_broker", 40)}
    for outsider in (other_broker_member,):
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(outsider).get(shipment.invoice.url).status_code == 404
        assert client_for(outsider).get("/api/v1/deals/").json()["count"] == 0
        assert client_for(outsider).get(f"/api/v1/deals/{brokered_deal.pk}/").status_code == 404


def test_the_co_brokering_pages_and_api(brokered_deal, broker_member, caspian, caspian_member, client_for):
    response = client_for(broker_member).post(
        f"/en/deals/{brokered_deal.pk}/co-brokers/", {"broker": caspian.pk, "share_percent": "۴۰"}
    )
    assert response.status_code == 302
    partner = DealPartner.objects.get()
    assert partner.share_percent == 40
    listed = client_for(caspian_member).get("/en/deals/co-brokering/")
    assert brokered_deal.reference in listed.content.decode()
    api = client_for(caspian_member).get("/api/v1/deal-partners/").json()
    assert api["count"] == 1
    assert client_for(broker_member).post(f"/api/v1/deal-partners/{partner.pk}/accept/").status_code == 403
    accepted = client_for(caspian_member).post(f"/api/v1/deal-partners/{partner.pk}/accept/")
    assert accepted.json()["status"] == "accepted"


def test_a_bad_share_on_the_deal_page_keeps_what_was_typed(brokered_deal, broker_member, caspian, client_for):
    response = client_for(broker_member).post(
        f"/en/deals/{brokered_deal.pk}/co-brokers/",
        {"broker": caspian.pk, "share_percent": "120", "role_note": "Customs"},
    )
    assert response.status_code == 400
    assert "Customs" in response.content.decode()
    assert not DealPartner.objects.exists()


def test_the_company_cannot_post_an_invitation(brokered_deal, company_member, caspian, client_for):
    response = client_for(company_member).post(
        f"/en/deals/{brokered_deal.pk}/co-brokers/", {"broker": caspian.pk, "share_percent": "40"}
    )
    assert response.status_code == 403


# ---------------------------------------------------------------------------
# Referrals' outcome
# ---------------------------------------------------------------------------
@pytest.mark.usefixtures("caspian_holds_a_mandate")
def test_a_deal_from_a_referred_inquiry_credits_the_referrer_with_the_agreed_share(
    broker_member, caspian, caspian_member, company, product
):
    inquiry = broker_services.inquiry_claim(inquiry=routed(), by=broker_member)
    referral = referrals.referral_create(
        by=broker_member, to_broker=caspian, inquiry=inquiry, share_percent=15
    )
    referrals.referral_accept(referral=referral, by=caspian_member)
    deal = services.deal_open_from_inquiry(
        inquiry=inquiry,
        by=caspian_member,
        company=company,
        lines=lines_of(product),
        **deal_terms(inquiry.country),
    )
    assert credits_of(deal) == {
        ("Caspian Logistics", "introduced"): 85,
        ("Pars Export Brokers", "referral"): 15,
    }
    assert DealCredit.objects.get(deal=deal, role="referral").referral == referral
    assert DealEvent.objects.filter(deal=deal, action="credit").exists()


@pytest.fixture
def referred_deal(caspian_holds_a_mandate, broker_member, caspian, caspian_member, company, product):
    """Pars refers a buyer's inquiry to Caspian for 15%; Caspian opens Alpha's deal from it."""
    inquiry = broker_services.inquiry_claim(inquiry=routed(), by=broker_member)
    referral = referrals.referral_create(
        by=broker_member, to_broker=caspian, inquiry=inquiry, share_percent=15
    )
    referrals.referral_accept(referral=referral, by=caspian_member)
    return services.deal_open_from_inquiry(
        inquiry=inquiry, by=caspian_member, company=company, lines=lines_of(product),
        **deal_terms(inquiry.country),
    )  # fmt: skip


def test_the_deals_referrer_cannot_be_invited_as_its_co_broker_too(
    referred_deal, brokerage, caspian_member, other_broker_member
):
    """Accepting would credit Pars twice on one deal (15% as referrer and 40% as co-broker)."""
    with translation.override("en"), pytest.raises(ValidationError) as error:
        invite(referred_deal, caspian_member, brokerage)
    assert error.value.message_dict["broker"] == [
        "This brokerage is credited on the deal as its referrer: it cannot also co-broker it."
    ]
    assert not DealPartner.objects.exists()
    assert credits_of(referred_deal) == {
        ("Caspian Logistics", "introduced"): 85,
        ("Pars Export Brokers", "referral"): 15,
    }
    rival = other_broker_member.broker_membership.broker  # any other brokerage still may be
    services.deal_partner_accept(partner=invite(referred_deal, caspian_member, rival), by=other_broker_member)
    assert credits_of(referred_deal) == {
        ("Caspian Logistics", "introduced"): 45,
        ("Pars Export Brokers", "referral"): 15,
        ("Rival Brokers", "co_broker"): 40,
    }


def test_a_pending_invitation_of_the_referrer_cannot_be_accepted(referred_deal, brokerage, broker_member):
    """An invitation sent before invitations of the referrer were refused stays pending: accepting
    it is refused too, and the credits stay as they were."""
    partner = DealPartner.objects.create(deal=referred_deal, broker=brokerage, share_percent=40)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.deal_partner_accept(partner=partner, by=broker_member)
    assert "credited on the deal as its referrer" in error.value.message_dict["broker"][0]
    partner.refresh_from_db()
    assert partner.status == DealPartner.Status.PENDING
    assert credits_of(referred_deal) == {
        ("Caspian Logistics", "introduced"): 85,
        ("Pars Export Brokers", "referral"): 15,
    }


def test_the_deal_page_refuses_inviting_the_referrer_in_the_readers_language(
    referred_deal, brokerage, caspian_member, client_for
):
    response = client_for(caspian_member).post(
        f"/fa/deals/{referred_deal.pk}/co-brokers/",
        {"broker": brokerage.pk, "share_percent": "۴۰", "role_note": "ترخیص"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "این کارگزاری در این معامله به عنوان ارجاع‌دهنده سهم دارد" in page
    assert "ترخیص" in page  # what was typed stays
    assert not DealPartner.objects.exists()


@pytest.mark.usefixtures("caspian_holds_a_mandate")
def test_a_deal_for_a_referred_company_after_the_window_credits_nobody_else(
    broker_member, caspian, caspian_member, company, company_member, product
):
    from datetime import timedelta

    from brokers.models import Referral

    iraq = caspian.countries.get()
    referral = referrals.referral_create(by=broker_member, to_broker=caspian, company=company, country=iraq)
    referral = referrals.referral_accept(referral=referral, by=caspian_member)
    Referral.objects.filter(pk=referral.pk).update(decided_at=referral.decided_at - timedelta(days=181))
    inquiry = broker_services.inquiry_claim(inquiry=routed(), by=caspian_member)
    deal = services.deal_open_from_inquiry(
        inquiry=inquiry, by=caspian_member, company=company, lines=lines_of(product), **deal_terms(iraq)
    )
    assert credits_of(deal) == {("Caspian Logistics", "introduced"): 100}


@pytest.mark.usefixtures("caspian_holds_a_mandate")
def test_a_deal_for_a_referred_company_within_the_window_credits_the_referrer(
    broker_member, caspian, caspian_member, company, product
):
    iraq = caspian.countries.get()
    referral = referrals.referral_create(by=broker_member, to_broker=caspian, company=company, country=iraq)
    referrals.referral_accept(referral=referral, by=caspian_member)
    inquiry = broker_services.inquiry_claim(inquiry=routed(), by=caspian_member)
    deal = services.deal_open_from_inquiry(
        inquiry=inquiry, by=caspian_member, company=company, lines=lines_of(product), **deal_terms(iraq)
    )
    assert credits_of(deal) == {
        ("Caspian Logistics", "introduced"): 90,
        ("Pars Export Brokers", "referral"): 10,
    }


def test_a_referral_for_one_country_earns_nothing_on_a_deal_bound_elsewhere(
    broker_member, caspian, caspian_member, company, company_member, product
):
    """Pars refers Alpha to Caspian for Iraq; Caspian's deal for Alpha to Oman is its own work."""
    iraq = caspian.countries.get()
    oman = TargetCountryFactory(iso_code="OM")
    caspian.countries.add(oman)
    give_mandate(
        company=company, broker=caspian, by=company_member, countries=[oman], categories=[product.category]
    )
    referral = referrals.referral_create(by=broker_member, to_broker=caspian, company=company, country=iraq)
    referrals.referral_accept(referral=referral, by=caspian_member)
    deal = services.deal_open_direct(
        company=company, by=caspian_member, lines=lines_of(product), **deal_terms(oman)
    )
    assert credits_of(deal) == {("Caspian Logistics", "introduced"): 100}


@pytest.mark.usefixtures("caspian_holds_a_mandate")
def test_the_referral_page_shows_its_outcome(
    broker_member, caspian, caspian_member, company, product, client_for
):
    inquiry = broker_services.inquiry_claim(inquiry=routed(), by=broker_member)
    referral = referrals.referral_create(by=broker_member, to_broker=caspian, inquiry=inquiry)
    referrals.referral_accept(referral=referral, by=caspian_member)
    deal = services.deal_open_from_inquiry(
        inquiry=inquiry,
        by=caspian_member,
        company=company,
        lines=lines_of(product),
        **deal_terms(inquiry.country),
    )
    page = client_for(broker_member).get(f"/en/referrals/{referral.pk}/")
    assert deal.reference in page.content.decode()


def test_a_declined_referral_credits_nobody(
    broker_member, caspian, caspian_member, company, product, company_member
):
    iraq = caspian.countries.get()
    referral = referrals.referral_create(by=broker_member, to_broker=caspian, company=company, country=iraq)
    referrals.referral_decline(referral=referral, by=caspian_member)
    deal = open_direct(company_member, product, iraq)
    assert not DealCredit.objects.filter(deal=deal).exists()


# ---------------------------------------------------------------------------
# Co-brokering an offer
# ---------------------------------------------------------------------------
def test_an_offer_co_broker_reads_its_responses_and_joins_the_deals_opened_from_them(
    accepted_response, broker_member, caspian, caspian_member, other_broker_member, product, client_for
):
    from brokers import partners

    offer = accepted_response.offer
    url = f"/en/offers/{offer.pk}/"
    assert "Responses from companies" not in client_for(caspian_member).get(url).content.decode()
    partner = partners.offer_partner_invite(offer=offer, by=broker_member, broker=caspian, share_percent=40)
    with pytest.raises(PermissionDenied):
        partners.offer_partner_accept(partner=partner, by=broker_member)
    partners.offer_partner_accept(partner=partner, by=caspian_member)
    page = client_for(caspian_member).get(url).content.decode()
    assert "Responses from companies" in page
    assert f'data-testid="response-{accepted_response.pk}"' in page
    assert "Responses from companies" not in client_for(other_broker_member).get(url).content.decode()
    api = client_for(caspian_member).get("/api/v1/offer-responses/").json()
    assert [r["id"] for r in api["results"]] == [accepted_response.pk]
    deal = services.deal_open_from_response(
        response=accepted_response, by=broker_member, lines=lines_of(product), **deal_terms(offer.country)
    )
    assert credits_of(deal) == {
        ("Pars Export Brokers", "introduced"): 60,
        ("Caspian Logistics", "co_broker"): 40,
    }
    assert client_for(caspian_member).get(f"/en/deals/{deal.pk}/").status_code == 200
    assert caspian_member.notifications.filter(kind="deal_update").count() == 1  # told of the opening


def test_only_the_offers_brokerage_invites_onto_it_and_a_declined_invitation_shows_nothing(
    accepted_response, broker_member, caspian, caspian_member, other_broker_member, client_for
):
    from brokers import partners

    offer = accepted_response.offer
    with pytest.raises(PermissionDenied):
        partners.offer_partner_invite(offer=offer, by=other_broker_member, broker=caspian, share_percent=40)
    response = client_for(broker_member).post(
        f"/en/offers/{offer.pk}/co-brokers/", {"broker": caspian.pk, "share_percent": "۳۰"}
    )
    assert response.status_code == 302
    partner = offer.partners.get()
    assert partner.share_percent == 30
    assert client_for(caspian_member).post(f"/en/offer-co-brokers/{partner.pk}/decline/").status_code == 302
    partner.refresh_from_db()
    assert partner.status == "declined"
    assert (
        "Responses from companies"
        not in client_for(caspian_member).get(f"/en/offers/{offer.pk}/").content.decode()
    )
    listed = client_for(caspian_member).get("/en/deals/co-brokering/").content.decode()
    assert offer.title_en in listed


def test_the_co_brokering_steps_read_in_each_readers_language(
    client_for, brokered_deal, broker_member, caspian, caspian_member, company_member
):
    """Reza (English) invites Caspian; Nima accepts: the company's Persian page and Reza's English
    page each tell it in their own language (nothing is stored as text in the actor's)."""
    partner = invite(brokered_deal, broker_member, caspian)
    services.deal_partner_accept(partner=partner, by=caspian_member)
    events = DealEvent.objects.filter(deal=brokered_deal, action__in=["invite", "partner"])
    assert [event.note for event in events] == ["", ""]
    assert events.get(action="partner").credits == [
        {"broker": brokered_deal.broker_id, "share": 60, "role": "introduced"},
        {"broker": caspian.pk, "share": 40, "role": "co_broker"},
    ]
    english = client_for(broker_member).get(f"/en/deals/{brokered_deal.pk}/").content.decode()
    timeline = english.split('class="timeline ')[1]
    assert "Caspian Logistics invited for 40% of the credit" in timeline
    assert "Pars Export Brokers: 60% (Introduced the buyer)" in timeline
    assert "Caspian Logistics: 40% (Co-broker)" in timeline
    persian = client_for(company_member).get(f"/fa/deals/{brokered_deal.pk}/").content.decode()
    timeline = persian.split('class="timeline ')[1]
    assert "۴۰" in timeline
    assert "۶۰" in timeline
    assert "invited for" not in timeline
    assert "Introduced the buyer" not in timeline


# ---------------------------------------------------------------------------
# The referrer hears of its credit, and of a credit the deal left no room for
# ---------------------------------------------------------------------------
@pytest.mark.usefixtures("caspian_holds_a_mandate")
def test_the_referrer_is_told_when_a_deal_credits_it_in_its_language(
    broker_member, caspian, caspian_member, company, product, mailoutbox, django_capture_on_commit_callbacks
):
    iraq = caspian.countries.get()
    referral = referrals.referral_create(
        by=broker_member, to_broker=caspian, company=company, country=iraq, share_percent=15
    )
    referrals.referral_accept(referral=referral, by=caspian_member)
    with django_capture_on_commit_callbacks(execute=True):
        deal = services.deal_open_direct(
            company=company, by=caspian_member, lines=lines_of(product), **deal_terms(iraq)
        )
    notice = broker_member.notifications.get(kind="referral_credit")  # Reza reads English
    assert notice.title == f"Your referral is credited on deal {deal.reference}"
    assert (
        f"Caspian Logistics opened deal {deal.reference} from your referral of Alpha Medical Equipment: "
        "your brokerage is credited with 15% of it." in notice.body
    )
    assert notice.url == referral.get_absolute_url()
    mail = [m for m in mailoutbox if m.to == [broker_member.email] and deal.reference in m.subject]
    assert len(mail) == 1
    assert mail[0].extra_headers["Content-Language"] == "en"
    assert not caspian_member.notifications.filter(kind="referral_credit").exists()


@pytest.mark.usefixtures("caspian_holds_a_mandate")
def test_a_persian_reader_of_the_referrer_is_told_in_persian(
    brokerage, broker_member, caspian, caspian_member, company, product
):
    ali = UserFactory(email="ali@pars.example", full_name="علی")
    BrokerMembershipFactory(broker=brokerage, user=ali)
    iraq = caspian.countries.get()
    referral = referrals.referral_create(by=broker_member, to_broker=caspian, company=company, country=iraq)
    referrals.referral_accept(referral=referral, by=caspian_member)
    services.deal_open_direct(company=company, by=caspian_member, lines=lines_of(product), **deal_terms(iraq))
    notice = ali.notifications.get(kind="referral_credit")
    assert notice.language == "fa"
    assert "شرکت تجهیزات پزشکی آلفا" in notice.body
    assert "۱۰" in notice.body
    assert "credited" not in notice.body


def test_the_referrer_is_told_when_the_deals_shares_leave_no_room_for_its_credit(
    broker_member, caspian, caspian_member, company, company_member, other_broker_member, product
):
    """Pars refers Alpha to Caspian for Iraq (10%); Caspian's Iraqi offer is co-brokered by Rival
    Brokers for 95%. Alpha answers it and the deal opens: the co-broker's agreed share stands, the
    referral earns nothing on this deal, and Reza is told so."""
    from brokers import partners
    from tests.brokers.factories import OfferFactory, OfferResponseFactory

    iraq = caspian.countries.get()
    referral = referrals.referral_create(by=broker_member, to_broker=caspian, company=company, country=iraq)
    referrals.referral_accept(referral=referral, by=caspian_member)
    offer = OfferFactory(broker=caspian, country=iraq)
    rival = other_broker_member.broker_membership.broker
    invitation = partners.offer_partner_invite(offer=offer, by=caspian_member, broker=rival, share_percent=95)
    partners.offer_partner_accept(partner=invitation, by=other_broker_member)
    response = OfferResponseFactory(offer=offer, company=company, created_by=company_member)
    response.products.set([product])
    response = broker_services.response_decide(response=response, status="accepted", by=caspian_member)
    deal = services.deal_open_from_response(
        response=response, by=caspian_member, lines=lines_of(product), **deal_terms(iraq)
    )
    assert credits_of(deal) == {("Caspian Logistics", "introduced"): 5, ("Rival Brokers", "co_broker"): 95}
    notice = broker_member.notifications.get(kind="referral_credit")
    assert notice.title == f"No credit for your referral on deal {deal.reference}"
    assert "leave no room for your 10%: your referral is not credited on this deal." in notice.body
    assert notice.url == referral.get_absolute_url()


def test_a_deal_that_is_no_referrals_outcome_tells_the_referrer_nothing(
    broker_member, caspian, caspian_member, company, company_member, product
):
    iraq = caspian.countries.get()
    referral = referrals.referral_create(by=broker_member, to_broker=caspian, company=company, country=iraq)
    referrals.referral_accept(referral=referral, by=caspian_member)
    open_direct(company_member, product, iraq)  # Alpha's own buyer: no brokerage, no referral's outcome
    assert not broker_member.notifications.filter(kind="referral_credit").exists()
