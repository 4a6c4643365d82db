"""Referrals: Reza (Pars, covering Iraq) passes an inquiry he holds, or a company, to Caspian
Logistics (also covering Iraq), which accepts (the inquiry moves to it) or declines (it stays)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from brokers import referrals, services
from brokers.models import BuyerInquiry, Referral
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory
from tests.brokers.test_inbox import routed
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
def held_inquiry(broker_member):
    inquiry = routed()
    return services.inquiry_claim(inquiry=inquiry, by=broker_member)


def refer(by, to, **fields) -> Referral:
    return referrals.referral_create(by=by, to_broker=to, **fields)


def test_accepting_a_referred_inquiry_moves_it_and_its_claim_to_the_receiving_brokerage(
    held_inquiry, broker_member, caspian, caspian_member, client_for
):
    referral = refer(broker_member, caspian, inquiry=held_inquiry, share_percent=15)
    assert referral.country == held_inquiry.country
    assert referral.status == "pending"
    page = client_for(caspian_member).get(f"/en/referrals/{referral.pk}/")
    assert page.status_code == 200
    assert "15% of a resulting deal" in page.content.decode()
    response = client_for(caspian_member).post(f"/en/referrals/{referral.pk}/accept/")
    assert response.status_code == 302
    referral.refresh_from_db()
    held_inquiry.refresh_from_db()
    assert referral.status == "accepted"
    assert referral.decided_by == caspian_member
    assert held_inquiry.holder == caspian_member
    assert held_inquiry.status == BuyerInquiry.Status.CLAIMED
    # Reza no longer acts on it; Nima does.
    with pytest.raises(ValidationError):
        services.inquiry_reply(inquiry=held_inquiry, by=broker_member, body="Hello")
    services.inquiry_reply(inquiry=held_inquiry, by=caspian_member, body="We will deliver.")


def test_declining_leaves_the_inquiry_with_the_referrer(held_inquiry, broker_member, caspian, caspian_member):
    referral = refer(broker_member, caspian, inquiry=held_inquiry)
    referrals.referral_decline(referral=referral, by=caspian_member)
    held_inquiry.refresh_from_db()
    assert held_inquiry.holder == broker_member
    assert Referral.objects.get().status == "declined"


def test_the_default_share_is_ten_percent_and_a_referral_notifies_the_receiver(
    held_inquiry, broker_member, caspian, caspian_member
):
    referral = refer(broker_member, caspian, inquiry=held_inquiry)
    assert referral.share_percent == 10
    assert caspian_member.notifications.filter(kind="referral_update").count() == 1


def test_only_the_holder_refers_an_inquiry(broker_member, caspian, caspian_member):
    inquiry = routed()  # nobody holds it
    with pytest.raises(ValidationError) as error:
        refer(broker_member, caspian, inquiry=inquiry)
    assert "inquiry" in error.value.message_dict


def test_a_brokerage_not_covering_the_country_cannot_receive_the_referral(held_inquiry, broker_member):
    oman = BrokerFactory(countries=[TargetCountryFactory(iso_code="OM")])
    with pytest.raises(ValidationError) as error:
        refer(broker_member, oman, inquiry=held_inquiry)
    assert "to_broker" in error.value.message_dict


def test_a_pending_or_expired_brokerage_cannot_receive_a_referral(held_inquiry, broker_member):
    import datetime as dt

    from django.utils import timezone

    pending = BrokerFactory(pending=True)
    expired = BrokerFactory(licence_expires_on=timezone.localdate() - dt.timedelta(days=1))
    for target in (pending, expired):
        with pytest.raises(ValidationError):
            refer(broker_member, target, inquiry=held_inquiry)


def test_a_company_is_referred_for_a_country_and_a_service(broker_member, caspian, company):
    logistics = caspian.services.get()
    referral = refer(
        broker_member, caspian, company=company, country=caspian.countries.get(), service=logistics
    )
    assert referral.company == company
    assert referral.service == logistics


def test_the_receiver_answers_and_the_referrer_withdraws_not_the_other_way_round(
    held_inquiry, broker_member, caspian, caspian_member, other_broker_member
):
    referral = refer(broker_member, caspian, inquiry=held_inquiry)
    with pytest.raises(PermissionDenied):
        referrals.referral_accept(referral=referral, by=broker_member)
    with pytest.raises(PermissionDenied):
        referrals.referral_withdraw(referral=referral, by=caspian_member)
    with pytest.raises(PermissionDenied):
        referrals.referral_accept(referral=referral, by=other_broker_member)
    referrals.referral_withdraw(referral=referral, by=broker_member)
    with pytest.raises(PermissionDenied):  # withdrawn: nothing left to accept
        referrals.referral_accept(referral=referral, by=caspian_member)


def test_a_referral_is_seen_only_by_its_two_brokerages(
    held_inquiry, broker_member, caspian, caspian_member, other_broker_member, company_member, client_for
):
    referral = refer(broker_member, caspian, inquiry=held_inquiry)
    assert client_for(broker_member).get(f"/en/referrals/{referral.pk}/").status_code == 200
    assert client_for(other_broker_member).get(f"/en/referrals/{referral.pk}/").status_code == 404
    assert client_for(company_member).get(f"/en/referrals/{referral.pk}/").status_code == 404
    assert client_for(other_broker_member).post(f"/en/referrals/{referral.pk}/accept/").status_code == 404
    assert client_for(None).get(f"/en/referrals/{referral.pk}/").status_code == 302
    assert client_for(caspian_member).get(f"/en/referrals/{referral.pk}/accept/").status_code == 405
    listed = client_for(other_broker_member).get("/en/referrals/")
    assert held_inquiry.reference not in listed.content.decode()
    api = client_for(other_broker_member).get("/api/v1/referrals/")
    assert api.json()["count"] == 0
    assert client_for(caspian_member).get("/api/v1/referrals/").json()["count"] == 1


def test_the_referral_form_keeps_what_was_typed_on_an_error_and_accepts_persian_digits(
    held_inquiry, broker_member, caspian, client_for
):
    client = client_for(broker_member)
    form = client.get(f"/fa/referrals/new/?inquiry={held_inquiry.pk}")
    assert form.status_code == 200
    bad = client.post("/fa/referrals/new/", {"inquiry": held_inquiry.pk, "to_broker": caspian.pk,
                                             "share_percent": "۹۰", "note": "Please help"})  # fmt: skip
    assert bad.status_code == 400
    assert "Please help" in bad.content.decode()
    good = client.post("/fa/referrals/new/", {"inquiry": held_inquiry.pk, "to_broker": caspian.pk,
                                              "share_percent": "۱۵"})  # fmt: skip
    assert good.status_code == 302
    assert Referral.objects.get().share_percent == 15


def test_accept_and_decline_through_the_api(held_inquiry, broker_member, caspian, caspian_member, client_for):
    referral = refer(broker_member, caspian, inquiry=held_inquiry)
    assert client_for(broker_member).post(f"/api/v1/referrals/{referral.pk}/accept/").status_code == 403
    response = client_for(caspian_member).post(f"/api/v1/referrals/{referral.pk}/decline/")
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
