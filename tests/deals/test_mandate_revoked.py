"""A revoked mandate and the deals opened under it: Reza (Pars) opened a deal for Sara's Alpha
Medical under Alpha's mandate and invited Caspian Logistics (Nima) to co-broker it. Sara revokes the
mandate: the invitation not yet answered is withdrawn (on the deal's timeline, and Nima is told),
Pars can no longer bring co-brokers onto the deal, and the deal goes on with Alpha as its party."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from brokers.mandates import mandate_revoke
from deals import services
from deals.models import DealEvent, DealPartner
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory
from tests.brokers.mandates import give_mandate
from tests.deals.factories import deal_terms, lines_of
from tests.portal.factories import UserFactory
from tests.products.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def masks(db):
    return CategoryFactory(slug="masks")


@pytest.fixture
def mask(company, masks):
    return ProductFactory(company=company, category=masks, name_en="Alpha three-ply mask")


@pytest.fixture
def mandate(company, company_member, brokerage, iraq, masks):
    return give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[masks]
    )


@pytest.fixture
def caspian(iraq):
    return BrokerFactory(name_en="Caspian Logistics", name_fa="لجستیک کاسپین", countries=[iraq])


@pytest.fixture
def caspian_member(caspian):
    user = UserFactory(email="nima@caspian.example", full_name="Nima", english=True)
    BrokerMembershipFactory(broker=caspian, user=user)
    return user


@pytest.fixture
def deal_for_alpha(mandate, company, broker_member, mask, iraq):
    """Reza opened Alpha's deal with a Baghdad hospital for Alpha, under its mandate."""
    return services.deal_open_direct(
        company=company, by=broker_member, lines=lines_of(mask), **deal_terms(iraq)
    )


def invite(deal, by, broker, share=30):
    return services.deal_partner_invite(deal=deal, by=by, broker=broker, share_percent=share)


def test_revoking_withdraws_the_pending_invitations_on_the_deals_opened_under_it(
    deal_for_alpha, mandate, company_member, broker_member, caspian, caspian_member, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    invitation = invite(deal_for_alpha, broker_member, caspian)
    with django_capture_on_commit_callbacks(execute=True):
        mandate_revoke(mandate=mandate, by=company_member, note="We chose another brokerage.")
    invitation.refresh_from_db()
    assert invitation.status == DealPartner.Status.WITHDRAWN
    assert invitation.decided_by == company_member
    event = DealEvent.objects.filter(deal=deal_for_alpha).last()
    assert (event.action, event.partner, event.actor) == ("revoke", invitation, company_member)
    told = caspian_member.notifications.filter(kind="deal_partner_update").order_by("pk").last()
    assert (
        f"The invitation to co-broker deal {deal_for_alpha.reference} is withdrawn: Alpha Medical Equipment "
        "revoked the mandate under which Pars Export Brokers opened the deal." in told.body
    )
    assert any(m.to == [caspian_member.email] and deal_for_alpha.reference in m.subject for m in mailoutbox)
    # Nima can no longer accept it.
    with pytest.raises(PermissionDenied):
        services.deal_partner_accept(partner=invitation, by=caspian_member)


def test_the_deal_goes_on_with_the_company_and_its_accepted_co_broker(
    deal_for_alpha, mandate, company_member, broker_member, caspian, caspian_member
):
    services.deal_partner_accept(partner=invite(deal_for_alpha, broker_member, caspian), by=caspian_member)
    mandate_revoke(mandate=mandate, by=company_member)
    assert deal_for_alpha.partners.get().status == DealPartner.Status.ACCEPTED  # already a party: stays
    assert not DealEvent.objects.filter(deal=deal_for_alpha, action="revoke").exists()
    contracted = services.deal_contract(deal=deal_for_alpha, by=company_member)
    assert contracted.status == "contracted"
    assert contracted.mandate == mandate  # the deal still says under which mandate it was opened


def test_the_brokerage_can_no_longer_invite_co_brokers_onto_that_deal_and_is_told_why(
    deal_for_alpha, mandate, company_member, broker_member, caspian, client_for
):
    mandate_revoke(mandate=mandate, by=company_member)
    with translation.override("en"), pytest.raises(PermissionDenied) as refused:
        invite(deal_for_alpha, broker_member, caspian)
    assert "revoked the mandate this deal was opened under" in str(refused.value)
    posted = client_for(broker_member).post(
        f"/en/deals/{deal_for_alpha.pk}/co-brokers/", {"broker": caspian.pk, "share_percent": "30"}
    )
    assert posted.status_code == 403
    assert not DealPartner.objects.exists()
    page = client_for(broker_member).get(f"/en/deals/{deal_for_alpha.pk}/").content.decode()
    assert 'data-testid="invite-refusal"' in page
    assert "Alpha Medical Equipment revoked the mandate this deal was opened under" in page
    assert "Send the invitation" not in page


def test_before_the_revocation_the_brokerage_invites_and_sees_no_refusal(
    deal_for_alpha, broker_member, caspian, client_for
):
    page = client_for(broker_member).get(f"/en/deals/{deal_for_alpha.pk}/").content.decode()
    assert "Send the invitation" in page
    assert 'data-testid="invite-refusal"' not in page
    assert invite(deal_for_alpha, broker_member, caspian).status == DealPartner.Status.PENDING


def test_invitations_on_deals_not_opened_under_that_mandate_stay(
    deal_for_alpha, mandate, company, company_member, brokerage, broker_member, caspian, caspian_member,
    brokered_deal, iraq, masks,
):  # fmt: skip
    """Pars's own deal from its offer, and a deal under another mandate of Alpha's, keep theirs."""
    second = give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[masks]
    )
    assert second != mandate
    own = invite(brokered_deal, broker_member, caspian)
    mandate_revoke(mandate=mandate, by=company_member)
    own.refresh_from_db()
    assert own.status == DealPartner.Status.PENDING
    # Pars still holds a mandate in force: a new deal under it takes invitations as before.
    again = services.deal_open_direct(
        company=company,
        by=broker_member,
        lines=lines_of(deal_for_alpha.lines.get().product),
        **deal_terms(iraq),
    )
    assert again.mandate == second
    assert invite(again, broker_member, caspian).status == DealPartner.Status.PENDING


def test_the_timeline_tells_each_reader_why_in_their_language(
    deal_for_alpha, mandate, company_member, broker_member, caspian, client_for
):
    invite(deal_for_alpha, broker_member, caspian)
    mandate_revoke(mandate=mandate, by=company_member)
    english = client_for(broker_member).get(f"/en/deals/{deal_for_alpha.pk}/").content.decode()
    timeline = english.split('class="timeline ')[1]
    assert "Co-broker invitation withdrawn: mandate revoked" in timeline
    assert (
        "The invitation of Caspian Logistics was withdrawn: the company revoked the mandate this deal was "
        "opened under." in timeline
    )
    with translation.override("fa"):
        persian = client_for(company_member).get(f"/fa/deals/{deal_for_alpha.pk}/").content.decode()
    timeline = persian.split('class="timeline ')[1]
    assert "لجستیک کاسپین" in timeline
    assert "was withdrawn" not in timeline
    assert "وکالت" in timeline
