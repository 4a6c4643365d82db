"""Mandates: Sara's company (Alpha Medical) authorises Reza's brokerage (Pars, covering Iraq) for
masks in Iraq; what the mandate covers, when it stops counting, and who may grant and revoke it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from brokers.mandates import companies_represented, mandate_for, mandate_grant, mandate_revoke
from brokers.models import Mandate, MandateEvent
from portal.models import Notification
from tests.brokers.factories import BrokerFactory, broker_suspend_now
from tests.brokers.mandates import give_mandate
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def iraq(db):
    return TargetCountryFactory(iso_code="IQ")


@pytest.fixture
def syria(db):
    return TargetCountryFactory(iso_code="SY")


@pytest.fixture
def masks(db):
    return CategoryFactory(slug="masks")


@pytest.fixture
def ventilators(db):
    return CategoryFactory(slug="ventilators")


@pytest.fixture
def mandate(company, company_member, brokerage, broker_member, iraq, masks):
    return give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[masks]
    )


# ---------------------------------------------------------------------------
# Granting
# ---------------------------------------------------------------------------
def test_granting_records_the_mandate_its_trail_and_tells_the_brokerage(
    mandate, broker_member, company_member
):
    assert mandate.status == Mandate.Status.ACTIVE
    assert mandate.granted_by == company_member
    assert list(mandate.events.values_list("action", "actor")) == [
        (MandateEvent.Action.GRANT, company_member.pk)
    ]
    told = Notification.objects.get(recipient=broker_member, kind="mandate_granted")
    assert "Alpha Medical Equipment" in told.title
    assert "Pars Export Brokers" in told.title
    assert told.url == mandate.get_absolute_url()
    # The one who granted it is not told of their own act.
    assert not Notification.objects.filter(recipient=company_member).exists()


def test_the_companys_other_members_are_told_in_their_language(mandate, company):
    colleague = UserFactory(email="nasrin@company.example")
    MembershipFactory(company=company, user=colleague)
    mandate_revoke(mandate=mandate, by=company.memberships.order_by("pk").first().user)
    told = Notification.objects.get(recipient=colleague, kind="mandate_revoked")
    assert "لغو" in told.title  # Persian, her language


def test_a_mandate_needs_an_approved_licensed_brokerage_countries_categories_and_a_future_date(
    company, company_member, iraq, masks
):
    pending = BrokerFactory(pending=True)
    with pytest.raises(ValidationError) as refused:
        mandate_grant(
            company=company, broker=pending, by=company_member, countries=[], categories=[],
            valid_until=timezone.localdate() - dt.timedelta(days=1),
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"broker", "countries", "categories", "valid_until"}
    assert not Mandate.objects.exists()
    assert not MandateEvent.objects.exists()


def test_a_brokerage_whose_licence_has_expired_cannot_be_given_a_mandate(
    company, company_member, iraq, masks
):
    lapsed = BrokerFactory(licence_expires_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        mandate_grant(
            company=company, broker=lapsed, by=company_member, countries=[iraq], categories=[masks],
            valid_until=timezone.localdate() + dt.timedelta(days=30),
        )  # fmt: skip
    assert "مجوز معتبر" in refused.value.message_dict["broker"][0]  # "a valid licence", in Persian


def test_only_members_of_a_verified_company_grant_its_mandates(
    company, other_company_member, broker_member, brokerage, iraq, masks
):
    terms = {
        "broker": brokerage, "countries": [iraq], "categories": [masks],
        "valid_until": timezone.localdate() + dt.timedelta(days=30),
    }  # fmt: skip
    for outsider in (other_company_member, broker_member):
        with pytest.raises(PermissionDenied):
            mandate_grant(company=company, by=outsider, **terms)
    pending = CompanyFactory(pending=True)
    member = UserFactory()
    MembershipFactory(company=pending, user=member)
    with pytest.raises(PermissionDenied, match="در انتظار تأیید"):
        mandate_grant(company=pending, by=member, **terms)
    assert not Mandate.objects.exists()


# ---------------------------------------------------------------------------
# What a mandate covers
# ---------------------------------------------------------------------------
def test_a_mandate_covers_its_countries_and_categories_only(
    mandate, company, brokerage, iraq, syria, masks, ventilators
):
    assert mandate_for(brokerage, company, iraq, masks) == mandate
    assert mandate_for(brokerage, company) == mandate
    assert mandate_for(brokerage, company, syria, masks) is None
    assert mandate_for(brokerage, company, iraq, ventilators) is None
    assert mandate_for(brokerage, company, iraq, categories=[masks, ventilators]) is None


def test_one_mandate_must_cover_every_category_asked(
    company, company_member, brokerage, iraq, masks, ventilators
):
    give_mandate(company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[masks])
    give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[ventilators]
    )
    assert mandate_for(brokerage, company, iraq, categories=[masks, ventilators]) is None
    both = give_mandate(
        company=company,
        broker=brokerage,
        by=company_member,
        countries=[iraq],
        categories=[masks, ventilators],
    )
    assert mandate_for(brokerage, company, iraq, categories=[masks, ventilators]) == both


def test_a_mandate_is_for_its_brokerage_and_its_company_only(
    mandate, company, other_company, brokerage, iraq, masks
):
    rival = BrokerFactory()
    assert mandate_for(rival, company, iraq, masks) is None
    assert mandate_for(brokerage, other_company, iraq, masks) is None
    assert list(companies_represented(brokerage)) == [company]
    assert list(companies_represented(rival)) == []


def test_a_mandate_counts_through_its_last_day_and_stops_the_day_after(
    company, company_member, brokerage, iraq, masks
):
    mandate = give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[masks], days=0
    )
    assert mandate_for(brokerage, company, iraq, masks) == mandate
    assert mandate.current_status == Mandate.Status.ACTIVE
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        assert mandate_for(brokerage, company, iraq, masks) is None
        assert Mandate.objects.get(pk=mandate.pk).current_status == Mandate.Status.EXPIRED


def test_a_revoked_mandate_stops_counting_at_once_and_tells_the_brokerage(
    mandate, company, company_member, brokerage, broker_member, iraq, masks
):
    mandate_revoke(mandate=mandate, by=company_member, note="We chose another broker.")
    mandate.refresh_from_db()
    assert mandate.current_status == Mandate.Status.REVOKED
    assert mandate.revoked_by == company_member
    assert mandate.revoked_at is not None
    assert mandate_for(brokerage, company, iraq, masks) is None
    assert [e.action for e in mandate.events.all()] == ["grant", "revoke"]
    told = Notification.objects.get(recipient=broker_member, kind="mandate_revoked")
    assert "We chose another broker." in told.body


def test_revoking_twice_or_an_expired_mandate_is_refused_with_a_reason(mandate, company_member):
    mandate_revoke(mandate=mandate, by=company_member)
    with pytest.raises(ValidationError, match="Revoked|لغو"):
        mandate_revoke(mandate=mandate, by=company_member)
    assert mandate.events.count() == 2


def test_only_the_granting_company_revokes(mandate, broker_member, other_company_member):
    for outsider in (broker_member, other_company_member):
        with pytest.raises(PermissionDenied):
            mandate_revoke(mandate=mandate, by=outsider)
    mandate.refresh_from_db()
    assert mandate.status == Mandate.Status.ACTIVE


def test_a_suspended_company_may_still_revoke(mandate, company, company_member):
    from tests.companies.factories import company_suspend_now

    company_suspend_now(company)
    mandate_revoke(mandate=mandate, by=company_member)
    assert Mandate.objects.get(pk=mandate.pk).status == Mandate.Status.REVOKED


def test_an_expired_licence_stops_the_mandates_counting_until_a_valid_one_is_approved(
    mandate, company, brokerage, iraq, masks
):
    brokerage.licence_expires_on = timezone.localdate() - dt.timedelta(days=1)
    brokerage.save()
    assert mandate_for(brokerage, company, iraq, masks) is None
    assert list(companies_represented(brokerage)) == []
    brokerage.licence_expires_on = timezone.localdate() + dt.timedelta(days=365)
    brokerage.save()
    assert mandate_for(brokerage, company, iraq, masks) == mandate


def test_a_suspended_brokerages_mandates_do_not_count(mandate, company, brokerage, iraq, masks):
    broker_suspend_now(brokerage)
    assert mandate_for(brokerage, company, iraq, masks) is None
