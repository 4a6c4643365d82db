"""brokers.permissions, predicate by predicate: who works for which brokerage, who may change and
publish, which company may answer an offer, and who opens a licence scan or an offer's files."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import translation

from brokers.models import Broker
from brokers.permissions import (
    broker_may_publish,
    broker_of,
    can_act_for_own_broker,
    can_edit_broker,
    can_publish_offers,
    can_respond,
    can_see_attachment,
    can_see_licence_file,
    company_may_respond,
    get_offer_for_broker,
    get_offer_for_viewer,
    get_own_broker,
    get_response_for_broker,
)
from tests.brokers.factories import BrokerFactory, OfferFactory, OfferResponseFactory, broker_suspend_now
from tests.companies.factories import CompanyFactory, company_suspend_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    from tests.portal.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True)


def fresh(user):
    """The user as a new request sees them (the predicates cache the brokerage on the object)."""
    return type(user).objects.get(pk=user.pk) if user is not None else AnonymousUser()


def reason(access) -> str:
    with translation.override("en"):
        return str(access.reason)


@pytest.mark.parametrize("persona", ["other_broker_member", "company_member", "manager", "anonymous"])
def test_broker_of_is_the_users_own_brokerage_only(request, brokerage, broker_member, persona):
    assert broker_of(fresh(broker_member)) == brokerage
    assert get_own_broker(fresh(broker_member)) == brokerage
    other = fresh(request.getfixturevalue(persona))
    assert broker_of(other) != brokerage
    if persona != "other_broker_member":
        with pytest.raises(Http404):
            get_own_broker(other)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("broker_member", True), ("other_broker_member", False), ("company_member", False),
     ("manager", False), ("anonymous", False)],
)  # fmt: skip
def test_only_members_edit_and_publish_for_their_brokerage(request, brokerage, persona, allowed):
    user = fresh(request.getfixturevalue(persona))
    assert bool(can_edit_broker(user, brokerage)) is allowed
    assert bool(can_publish_offers(user, brokerage)) is allowed
    if not allowed:
        assert reason(can_edit_broker(user, brokerage)) == "Only the brokerage's members can change it."


@pytest.mark.parametrize(
    ("status", "why"),
    [(Broker.Status.PENDING, "awaits the centre's approval"), (Broker.Status.REJECTED, "did not approve"),
     (Broker.Status.SUSPENDED, "suspended")],
)  # fmt: skip
def test_only_an_approved_brokerage_publishes(status, why):
    broker = BrokerFactory(status=status)
    access = broker_may_publish(broker)
    assert not access
    assert why in reason(access)
    assert broker_may_publish(BrokerFactory())


def test_a_suspended_brokerage_cannot_be_changed_by_its_members(brokerage, broker_member):
    broker_suspend_now(brokerage)
    assert "suspended" in reason(can_edit_broker(fresh(broker_member), brokerage))
    assert not can_act_for_own_broker(fresh(broker_member))


def test_acting_for_ones_own_brokerage_needs_one(broker_member, signed_up_user):
    assert can_act_for_own_broker(fresh(broker_member))
    assert reason(can_act_for_own_broker(fresh(signed_up_user))) == "Register your brokerage first."


def test_offers_of_another_brokerage_are_404_to_a_broker(brokerage, broker_member, other_broker_member):
    offer = OfferFactory(broker=brokerage)
    assert get_offer_for_broker(fresh(broker_member), offer.pk) == offer
    with pytest.raises(Http404):
        get_offer_for_broker(fresh(other_broker_member), offer.pk)
    response = OfferResponseFactory(offer=offer)
    assert get_response_for_broker(fresh(broker_member), response.pk) == response
    with pytest.raises(Http404):
        get_response_for_broker(fresh(other_broker_member), response.pk)


@pytest.mark.parametrize(
    ("persona", "sees_draft"),
    [
        ("broker_member", True),
        ("other_broker_member", False),
        ("company_member", False),
        ("anonymous", False),
    ],
)
def test_a_draft_offer_is_seen_only_by_its_brokerage(request, brokerage, persona, sees_draft):
    user = fresh(request.getfixturevalue(persona))
    assert get_offer_for_viewer(user, OfferFactory(broker=brokerage).pk)  # open: everyone
    draft = OfferFactory(broker=brokerage, draft=True)
    if sees_draft:
        assert get_offer_for_viewer(user, draft.pk) == draft
    else:
        with pytest.raises(Http404):
            get_offer_for_viewer(user, draft.pk)


def test_a_verified_companys_member_responds_to_an_open_offer_only(brokerage, company, company_member):
    offer = OfferFactory(broker=brokerage)
    assert can_respond(fresh(company_member), offer)
    closed = OfferFactory(broker=brokerage, closed=True)
    assert reason(can_respond(fresh(company_member), closed)) == "This offer is closed."
    assert (
        reason(can_respond(AnonymousUser(), offer))
        == "Only members of a registered company can answer offers."
    )
    company_suspend_now(company)
    assert "suspended" in reason(can_respond(fresh(company_member), offer))


def test_a_pending_company_may_not_respond_yet():
    assert "awaiting verification" in reason(company_may_respond(CompanyFactory(pending=True)))
    assert company_may_respond(CompanyFactory())


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("broker_member", True), ("manager", True), ("other_broker_member", False), ("company_member", False),
     ("anonymous", False)],
)  # fmt: skip
def test_the_licence_scan_is_for_members_and_staff(request, brokerage, persona, sees):
    assert can_see_licence_file(fresh(request.getfixturevalue(persona)), brokerage.licence_file.name) is sees


@pytest.mark.parametrize(
    ("persona", "sees"),
    # A programme manager's role holds no brokers.view_offerattachment: the admin lists no
    # attachments to them, and their files stay closed to them as well.
    [("broker_member", True), ("superuser", True), ("manager", False), ("other_broker_member", False),
     ("anonymous", False)],
)  # fmt: skip
def test_a_draft_offers_attachment_follows_the_offer(request, brokerage, broker_member, persona, sees):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from brokers.services import offer_attachment_add
    from tests.companies.factories import PDF_BYTES

    draft = OfferFactory(broker=brokerage, draft=True)
    pdf = SimpleUploadedFile("spec.pdf", PDF_BYTES, content_type="application/pdf")
    attachment = offer_attachment_add(offer=draft, file=pdf, title="Spec")
    assert can_see_attachment(fresh(request.getfixturevalue(persona)), attachment.file.name) is sees
