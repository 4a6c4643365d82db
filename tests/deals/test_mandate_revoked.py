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


# ---------------------------------------------------------------------------
# An invitation that outlived the mandate; a mandate past its date; the revocation's locks
# ---------------------------------------------------------------------------
def lapse(mandate, how):
    import datetime as dt

    from django.utils import timezone

    from brokers.models import Mandate

    if how == "revoked":  # without the revocation's hook: as an invitation that slipped past it
        Mandate.objects.filter(pk=mandate.pk).update(status="revoked", revoked_at=timezone.now())
    else:
        Mandate.objects.filter(pk=mandate.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))


@pytest.mark.parametrize("how", ["revoked", "expired"])
def test_an_invitation_the_mandate_no_longer_backs_cannot_be_accepted(
    deal_for_alpha, mandate, broker_member, caspian, caspian_member, client_for, how
):
    invitation = invite(deal_for_alpha, broker_member, caspian)
    accept_link = f"/co-brokering/{invitation.pk}/accept/"
    assert accept_link in client_for(caspian_member).get("/en/deals/co-brokering/").content.decode()
    lapse(mandate, how)
    with translation.override("en"), pytest.raises(PermissionDenied) as refused:
        services.deal_partner_accept(partner=invitation, by=caspian_member)
    assert "Alpha Medical Equipment no longer authorises the brokerage that invited you to act for it" in str(
        refused.value
    )
    invitation.refresh_from_db()
    assert invitation.status == DealPartner.Status.PENDING
    # It can still be declined; the co-brokering page offers no "accept".
    page = client_for(caspian_member).get("/en/deals/co-brokering/")
    assert page.status_code == 200
    assert accept_link not in page.content.decode()
    assert f"/co-brokering/{invitation.pk}/decline/" in page.content.decode()
    services.deal_partner_decline(partner=invitation, by=caspian_member)


def test_a_mandate_past_its_date_lets_the_brokerage_invite_no_co_broker(
    deal_for_alpha, mandate, broker_member, caspian
):
    lapse(mandate, "expired")
    with translation.override("en"), pytest.raises(PermissionDenied) as refused:
        invite(deal_for_alpha, broker_member, caspian)
    assert "The mandate from Alpha Medical Equipment this deal was opened under has expired" in str(
        refused.value
    )
    assert not DealPartner.objects.exists()


def test_a_mandate_revoked_between_finding_and_locking_it_opens_no_deal_for_the_company(
    mandate, company, broker_member, mask, iraq, monkeypatch
):
    from django.core.exceptions import ValidationError

    from deals.models import Deal

    found = services.mandate_for

    def find_then_revoke(*args, **kwargs):
        result = found(*args, **kwargs)
        lapse(mandate, "revoked")
        return result

    monkeypatch.setattr(services, "mandate_for", find_then_revoke)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.deal_open_direct(company=company, by=broker_member, lines=lines_of(mask), **deal_terms(iraq))
    assert "has given your brokerage no mandate in force" in str(refused.value)
    assert not Deal.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_invitation_sent_while_the_revocation_waits_for_the_deal_is_withdrawn(
    deal_for_alpha, mandate, company_member, broker_member, caspian
):
    """Reza's invitation holds the deal's lock when Sara revokes: the revocation waits for the deal,
    then reads the invitation just made and withdraws it (real transactions, PostgreSQL's locks)."""
    import threading
    import time

    from django.db import connection, connections, transaction

    from deals.models import Deal
    from tests.conftest import skip_or_fail

    if connection.vendor != "postgresql":
        skip_or_fail("the race needs PostgreSQL's row locks (set DATABASE_URL)")
    locked, go = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def inviting() -> None:
        try:
            with transaction.atomic():
                Deal.objects.select_for_update().get(pk=deal_for_alpha.pk)
                locked.set()
                assert go.wait(timeout=10)
                invite(deal_for_alpha, broker_member, caspian)  # the mandate still reads in force
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def revoking() -> None:
        try:
            mandate_revoke(mandate=mandate, by=company_member)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    inviter = threading.Thread(target=inviting)
    inviter.start()
    assert locked.wait(timeout=10)
    revoker = threading.Thread(target=revoking)
    revoker.start()
    with connection.cursor() as cursor:  # until the revocation waits for the deal's row
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the revocation never waited for the deal's lock")
    go.set()
    inviter.join(timeout=30)
    revoker.join(timeout=30)
    assert not errors
    invitation = DealPartner.objects.get(deal=deal_for_alpha)
    assert invitation.status == DealPartner.Status.WITHDRAWN
    assert DealEvent.objects.filter(deal=deal_for_alpha, action="revoke", partner=invitation).exists()
