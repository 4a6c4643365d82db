"""Every stage change of a deal, by each role, allowed and refused; and what the services keep true."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from deals import services
from deals.models import Deal, DealEvent, Origin, Status
from deals.permissions import DEAL_ACTIONS, deal_allowed_actions
from portal.models import Notification
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory, broker_suspend_now
from tests.brokers.mandates import give_mandate
from tests.companies.factories import company_suspend_now
from tests.deals.factories import deal_terms, lines_of, open_direct, pay, ship, walk_to

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------
# Opening
# ---------------------------------------------------------------------------
def test_a_deal_from_an_accepted_response_links_both_parties_and_gets_a_reference(
    brokered_deal, accepted_response, company, brokerage
):
    deal = brokered_deal
    assert deal.company == company
    assert deal.broker == brokerage
    assert deal.origin == Origin.RESPONSE
    assert deal.offer_response == accepted_response
    assert deal.status == Status.NEGOTIATING
    year, number = deal.reference.split("-")[1:]
    assert deal.reference.startswith("DL-")
    assert len(year) == 4
    assert year.startswith("14")
    assert len(number) == 6
    assert deal.expected_value == Decimal("500.00")  # 1000 × 0.50
    [event] = deal.events.all()
    assert (event.action, event.from_status, event.to_status) == ("open", "", "negotiating")


def test_references_count_up_and_never_repeat(company_member, product, iraq):
    first = open_direct(company_member, product, iraq)
    second = open_direct(company_member, product, iraq)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_the_company_may_open_the_deal_of_its_accepted_response(accepted_response, company_member, product):
    deal = services.deal_open_from_response(
        response=accepted_response, by=company_member, lines=lines_of(product),
        **deal_terms(accepted_response.offer.country),
    )  # fmt: skip
    assert deal.broker == accepted_response.offer.broker  # the offer's brokerage is the deal's


def test_one_deal_per_response(brokered_deal, accepted_response, company_member, product):
    with pytest.raises(ValidationError) as refused:
        services.deal_open_from_response(
            response=accepted_response, by=company_member, lines=lines_of(product),
            **deal_terms(accepted_response.offer.country),
        )  # fmt: skip
    assert brokered_deal.reference in str(refused.value)
    assert Deal.objects.count() == 1


@pytest.mark.parametrize("decision", ["submitted", "shortlisted", "declined"])
def test_no_deal_from_a_response_not_accepted(decision, brokerage, broker_member, company, product, iraq):
    from brokers.services import response_decide
    from tests.brokers.factories import OfferFactory, OfferResponseFactory

    response = OfferResponseFactory(offer=OfferFactory(broker=brokerage, country=iraq), company=company)
    if decision != "submitted":
        response = response_decide(response=response, status=decision, by=broker_member)
    with pytest.raises(PermissionDenied):
        services.deal_open_from_response(
            response=response, by=broker_member, lines=lines_of(product), **deal_terms(iraq)
        )
    assert not Deal.objects.exists()


def test_outsiders_cannot_open_a_deal_from_someone_elses_response(
    accepted_response, other_company_member, other_broker_member, product
):
    for outsider in (other_company_member, other_broker_member):
        with pytest.raises(PermissionDenied):
            services.deal_open_from_response(
                response=accepted_response, by=outsider, lines=lines_of(product),
                **deal_terms(accepted_response.offer.country),
            )  # fmt: skip
    assert not Deal.objects.exists()


def test_a_deal_from_an_inquiry_by_the_company_or_a_covering_broker(
    company, company_member, broker_member, brokerage, product, iraq
):
    from brokers.models import BuyerInquiry

    inquiry = BuyerInquiry.objects.create(
        name="Ahmed", organisation="Basra Clinic", country=iraq, email="a@clinic.example", message="Masks",
        company=company,
    )  # fmt: skip
    by_company = services.deal_open_from_inquiry(
        inquiry=inquiry, by=company_member, lines=lines_of(product), **deal_terms(iraq)
    )
    assert (by_company.origin, by_company.inquiry, by_company.broker) == (Origin.INQUIRY, inquiry, None)
    # A brokerage opens it for a company whose mandate covers the destination and the products.
    give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[product.category]
    )
    by_broker = services.deal_open_from_inquiry(
        inquiry=inquiry, by=broker_member, company=company, lines=lines_of(product), **deal_terms(iraq)
    )
    assert by_broker.broker == brokerage
    assert by_broker.company == company
    assert by_broker.opened_under_mandate


def test_a_broker_not_covering_the_buyers_country_cannot_open_from_the_inquiry(
    company, product, iraq, other_broker_member
):
    from brokers.models import BuyerInquiry
    from tests.portal.factories import TargetCountryFactory

    other_broker_member.broker_membership.broker.countries.set([TargetCountryFactory(iso_code="AF")])
    inquiry = BuyerInquiry.objects.create(
        name="Ahmed", organisation="Basra Clinic", country=iraq, email="a@clinic.example", message="Masks"
    )
    with pytest.raises(PermissionDenied):
        services.deal_open_from_inquiry(
            inquiry=inquiry, by=other_broker_member, company=company, lines=lines_of(product),
            **deal_terms(iraq),
        )  # fmt: skip


def test_direct_deals_are_the_companys_own(company_member, broker_member, product, iraq):
    deal = open_direct(company_member, product, iraq)
    assert deal.origin == Origin.DIRECT
    assert deal.broker is None
    # A brokerage records a direct deal only for a company that gave it a covering mandate.
    with pytest.raises(ValidationError, match="هیچ وکالت"):
        open_direct(broker_member, product, iraq)


def test_a_pending_or_suspended_company_records_no_deal(company, company_member, product, iraq):
    company_suspend_now(company)
    with pytest.raises(PermissionDenied):
        open_direct(company_member, product, iraq)
    assert not Deal.objects.exists()


def test_a_product_of_another_company_is_refused_and_nothing_is_saved(company_member, other_product, iraq):
    from portal.models import ReferenceCounter

    with pytest.raises(ValidationError) as refused:
        services.deal_open_direct(
            company=company_member.company_membership.company, by=company_member,
            lines=lines_of(other_product), **deal_terms(iraq),
        )  # fmt: skip
    assert "lines" in refused.value.message_dict
    assert not Deal.objects.exists()
    assert not DealEvent.objects.exists()
    assert not ReferenceCounter.objects.filter(prefix="DL", last__gt=0).exists()


def test_a_usd_deal_is_worth_its_value_in_usd_and_another_currency_at_its_rate(company_member, product, iraq):
    usd = open_direct(company_member, product, iraq, usd_rate=Decimal("3"))
    assert usd.usd_rate == 1
    assert usd.expected_value_usd == usd.expected_value
    eur = open_direct(company_member, product, iraq, currency="EUR", usd_rate=Decimal("1.08"))
    assert eur.expected_value == Decimal("500.00")
    assert eur.expected_value_usd == Decimal("540.00")


# ---------------------------------------------------------------------------
# The stages, by role
# ---------------------------------------------------------------------------
def test_the_whole_way_by_the_broker(brokered_deal, broker_member):
    deal = walk_to(brokered_deal, Status.CLOSED, broker_member)
    assert deal.status == Status.CLOSED
    steps = [(e.action, e.from_status, e.to_status) for e in deal.events.all()]
    assert steps == [
        ("open", "", "negotiating"),
        ("contract", "negotiating", "contracted"),
        ("ship", "contracted", "shipped"),
        ("pay", "shipped", "paid"),
        ("close", "paid", "closed"),
    ]
    assert all(e.actor == broker_member for e in deal.events.all())


def test_the_whole_way_by_the_company(brokered_deal, company_member):
    assert walk_to(brokered_deal, Status.CLOSED, company_member).status == Status.CLOSED


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.NEGOTIATING, "contract"),
        (Status.CONTRACTED, "ship"),
        (Status.SHIPPED, "pay"),
        (Status.PAID, "close"),
        (Status.NEGOTIATING, "lose"),
    ],
)
def test_outsiders_and_staff_cannot_move_a_deal(
    status, action, brokered_deal, broker_member, other_company_member, other_broker_member, manager
):
    deal = walk_to(brokered_deal, status, broker_member)
    moves = {
        "contract": lambda by: services.deal_contract(deal=deal, by=by),
        "ship": lambda by: ship(deal, by),
        "pay": lambda by: pay(deal, by),
        "close": lambda by: services.deal_close(deal=deal, by=by),
        "lose": lambda by: services.deal_mark_lost(deal=deal, by=by, reason="price"),
    }
    for outsider in (other_company_member, other_broker_member, manager):
        assert deal_allowed_actions(outsider, deal) == []
        with pytest.raises(PermissionDenied):
            moves[action](outsider)
    deal.refresh_from_db()
    assert deal.status == status


def test_a_suspended_brokerage_reads_its_deals_but_cannot_move_them(brokered_deal, broker_member, brokerage):
    broker_suspend_now(brokerage)
    brokered_deal.refresh_from_db()
    assert deal_allowed_actions(broker_member, brokered_deal) == []
    with pytest.raises(PermissionDenied):
        services.deal_contract(deal=brokered_deal, by=broker_member)


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (Status.NEGOTIATING, ["contract", "lose"]),
        (Status.CONTRACTED, ["ship", "lose"]),
        (Status.SHIPPED, ["ship", "pay", "lose"]),
        (Status.PAID, ["pay", "close"]),
        (Status.CLOSED, []),
        (Status.LOST, []),
    ],
)
def test_each_stage_offers_its_actions_to_both_parties(
    status, allowed, brokered_deal, broker_member, company_member
):
    deal = walk_to(brokered_deal, status, broker_member)
    assert deal_allowed_actions(company_member, deal) == allowed
    assert deal_allowed_actions(broker_member, deal) == allowed


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.NEGOTIATING, "close"),
        (Status.CONTRACTED, "contract"),
        (Status.SHIPPED, "close"),
        (Status.CLOSED, "lose"),
        (Status.PAID, "lose"),
        (Status.LOST, "contract"),
    ],
)
def test_moves_out_of_order_are_refused(status, action, brokered_deal, broker_member):
    deal = walk_to(brokered_deal, status, broker_member)
    events = deal.events.count()
    move = {
        "contract": lambda: services.deal_contract(deal=deal, by=broker_member),
        "close": lambda: services.deal_close(deal=deal, by=broker_member),
        "lose": lambda: services.deal_mark_lost(deal=deal, by=broker_member, reason="price"),
    }[action]
    with pytest.raises(ValidationError) as refused:
        move()
    assert refused.value.code == "invalid_state"
    deal.refresh_from_db()
    assert deal.status == status
    assert deal.events.count() == events


def test_lost_from_each_open_stage_with_its_reason(brokered_deal, broker_member, company_member):
    for status in (Status.NEGOTIATING, Status.CONTRACTED, Status.SHIPPED):
        deal = brokered_deal if status == Status.NEGOTIATING else None
        if deal is None:
            deal = open_direct(company_member, brokered_deal.lines.get().product, brokered_deal.destination)
            deal = walk_to(deal, status, company_member)
        lost = services.deal_mark_lost(
            deal=deal, by=company_member, reason="competitor", note="Cheaper rival"
        )
        assert (lost.status, lost.lost_reason, lost.lost_note) == (Status.LOST, "competitor", "Cheaper rival")
        assert lost.events.last().from_status == status


def test_lost_needs_a_reason_from_the_list_and_a_note_for_other(brokered_deal, broker_member):
    with pytest.raises(ValidationError) as unknown:
        services.deal_mark_lost(deal=brokered_deal, by=broker_member, reason="bored")
    assert "lost_reason" in unknown.value.message_dict
    with pytest.raises(ValidationError) as silent:
        services.deal_mark_lost(deal=brokered_deal, by=broker_member, reason="other", note="  ")
    assert "lost_note" in silent.value.message_dict
    brokered_deal.refresh_from_db()
    assert brokered_deal.status == Status.NEGOTIATING


def test_the_table_names_every_stage_the_model_has():
    reached = {move.target for moves in DEAL_ACTIONS.values() for move in moves if move.target}
    assert reached | {Status.NEGOTIATING} == set(Status.values)


# ---------------------------------------------------------------------------
# Shipments and payments
# ---------------------------------------------------------------------------
def test_only_the_first_shipment_changes_the_status(brokered_deal, broker_member):
    deal = walk_to(brokered_deal, Status.CONTRACTED, broker_member)
    ship(deal, broker_member, quantity=300)
    ship(deal, broker_member, quantity=700)
    deal.refresh_from_db()
    assert deal.status == Status.SHIPPED
    assert [(e.from_status, e.to_status) for e in deal.events.filter(action="ship")] == [
        ("contracted", "shipped"),
        ("shipped", "shipped"),
    ]


def test_a_shipment_larger_than_what_remains_is_refused(brokered_deal, broker_member):
    deal = walk_to(brokered_deal, Status.CONTRACTED, broker_member)
    ship(deal, broker_member, quantity=900)
    with pytest.raises(ValidationError) as refused:
        ship(deal, broker_member, quantity=101)
    assert "۱۰۰" in refused.value.message_dict["quantity"][0]
    assert deal.shipments.count() == 1


def test_a_payment_without_a_shipment_is_refused(brokered_deal, broker_member):
    deal = walk_to(brokered_deal, Status.CONTRACTED, broker_member)
    with pytest.raises(ValidationError) as refused:
        pay(deal, broker_member)
    assert refused.value.code == "no_shipment"
    assert not deal.payments.exists()


def test_a_payment_dated_before_the_first_shipment_is_refused(brokered_deal, broker_member):
    deal = walk_to(brokered_deal, Status.CONTRACTED, broker_member)
    ship(deal, broker_member, shipped_on=timezone.localdate() - timedelta(days=3))
    with pytest.raises(ValidationError) as refused:
        pay(deal, broker_member, received_on=timezone.localdate() - timedelta(days=4))
    assert "received_on" in refused.value.message_dict
    deal.refresh_from_db()
    assert deal.status == Status.SHIPPED
    assert not deal.payments.exists()


def test_a_payment_in_a_third_currency_is_refused(company_member, product, iraq):
    deal = walk_to(open_direct(company_member, product, iraq, currency="EUR", usd_rate=Decimal("1.1")),
                   Status.SHIPPED, company_member)  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        pay(deal, company_member, currency="AED")
    assert "currency" in refused.value.message_dict
    assert pay(deal, company_member, amount="100", currency="USD").amount_usd == Decimal("100.00")
    assert pay(deal, company_member, amount="100", currency="EUR").amount_usd == Decimal("110.00")


def test_instalments_keep_a_paid_deal_paid(brokered_deal, broker_member):
    deal = walk_to(brokered_deal, Status.PAID, broker_member)
    pay(deal, broker_member, amount="300")
    deal.refresh_from_db()
    assert deal.status == Status.PAID
    assert deal.payments.count() == 2


def test_timeline_rows_are_append_only(brokered_deal):
    event = brokered_deal.events.get()
    event.note = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


# ---------------------------------------------------------------------------
# Notifications
# ---------------------------------------------------------------------------
def test_each_step_of_the_broker_reaches_the_company_and_not_the_broker(
    brokered_deal, broker_member, company_member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.deal_contract(deal=brokered_deal, by=broker_member, note="Signed in Baghdad")
    told = Notification.objects.filter(kind="deal_update")
    assert {n.recipient for n in told} == {company_member}  # the opening and the contract
    latest = told.order_by("-pk").first()
    assert latest.url == brokered_deal.get_absolute_url()
    [email] = [m for m in mailoutbox if company_member.email in m.to and "قرارداد" in m.subject]
    assert brokered_deal.reference in email.subject
    assert "Signed in Baghdad" in email.body


def test_each_step_of_the_company_reaches_the_broker_in_english(
    brokered_deal, broker_member, company_member, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.deal_mark_lost(deal=brokered_deal, by=company_member, reason="price", note="Too dear")
    [email] = mailoutbox
    assert email.to == [broker_member.email]
    assert email.subject == f"{brokered_deal.reference}: deal lost"
    assert "Too dear" in email.body
    assert "Alpha Medical Equipment updated deal" in email.body


def test_a_refused_step_tells_nobody(brokered_deal, broker_member):
    before = Notification.objects.count()
    with pytest.raises(ValidationError):
        services.deal_close(deal=brokered_deal, by=broker_member)
    assert Notification.objects.count() == before


def test_colleagues_of_the_acting_party_are_not_told_but_the_other_party_all_are(
    brokered_deal, broker_member, brokerage, company_member
):
    colleague = BrokerMembershipFactory(broker=brokerage).user
    other = BrokerMembershipFactory(broker=BrokerFactory()).user
    services.deal_contract(deal=brokered_deal, by=company_member)
    latest = Notification.objects.filter(kind="deal_update").order_by("-pk")
    recipients = {n.recipient for n in latest[:2]}
    assert recipients == {broker_member, colleague}
    assert not Notification.objects.filter(recipient=other).exists()


def test_the_holder_opening_an_inquirys_deal_converts_the_inquiry(
    company, company_member, brokerage, broker_member, product, iraq
):
    from brokers import services as broker_services
    from brokers.models import BuyerInquiry

    give_mandate(
        company=company, broker=brokerage, by=company_member, countries=[iraq], categories=[product.category]
    )

    inquiry = BuyerInquiry.objects.create(
        name="Ahmed", organisation="Basra Clinic", country=iraq, email="a@clinic.example", message="Masks",
    )  # fmt: skip
    broker_services.inquiry_route(inquiry=inquiry)
    broker_services.inquiry_claim(inquiry=inquiry, by=broker_member)
    services.deal_open_from_inquiry(
        inquiry=inquiry, by=broker_member, company=company, lines=lines_of(product), **deal_terms(iraq)
    )
    inquiry.refresh_from_db()
    assert inquiry.status == BuyerInquiry.Status.CONVERTED


def test_a_shipment_reaches_the_broker_in_english_from_a_persian_recorder(
    brokered_deal, broker_member, company_member, mailoutbox, django_capture_on_commit_callbacks
):
    walk_to(brokered_deal, Status.CONTRACTED, company_member)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ship(brokered_deal, company_member, quantity=900, declaration_number="EXP-9")
        pay(brokered_deal, company_member, amount="1200")
    shipped, paid = mailoutbox
    assert shipped.to == [broker_member.email]
    assert shipped.subject == f"{brokered_deal.reference}: shipment recorded"
    assert "900 units, export declaration EXP-9" in shipped.body
    assert "Amount received: 1,200.00 USD" in paid.body
