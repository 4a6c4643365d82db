"""Demo data for the brokers' network on deals: credits, co-brokered deals, a referral's outcome, a
deal opened from a response a brokerage sent for a company, and a brokerage whose results the
centre made public. Call `seed_network(stdout=...)` from the deals' demo (deals/demo.py's `seed`,
after its own deals) — it runs after brokers/demo.py's referrals and mandates. The deals' demo
leaves it the Pars responses it needs (`network_response_ids`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TextIO

from django.core.files.base import ContentFile

from brokers.mandates import mandate_grant
from brokers.models import Broker, BuyerInquiry, OfferResponse, Referral
from brokers.results import results_publish
from brokers.services import inquiry_claim, inquiry_route, inquiry_submit, response_decide
from companies.demo import DEMO_PDF, company_member
from companies.models import Company
from portal.demo import demo_moment, demo_user, replayed_at
from portal.models import TargetCountry, User
from portal.permissions import Role
from products.models import Product

from . import services
from .models import Deal, DealPartner

# How many of Pars's accepted responses become the network's deals (the first co-brokered 60/40).
NETWORK_RESPONSES = 2


def _pars() -> Broker | None:
    return Broker.objects.publishing().filter(name_en="Pars Export Brokers").first()


def network_response_ids() -> list[int]:
    """Pars's accepted responses, not yet a deal, that `seed_network` opens as its deals: the deals'
    demo opens every other accepted response and must leave these."""
    pars = _pars()
    if pars is None:
        return []
    responses = OfferResponse.objects.filter(
        offer__broker=pars, status=OfferResponse.Status.ACCEPTED, deal__isnull=True
    ).order_by("decided_at", "pk")
    return list(responses.values_list("pk", flat=True)[:NETWORK_RESPONSES])


def _member(broker: Broker) -> User:
    return broker.memberships.order_by("pk").first().user


def _terms(country: TargetCountry, buyer: str, **changes: object) -> dict:
    return {
        "buyer_name": buyer, "buyer_country": country, "buyer_type": "hospital", "destination": country,
        "incoterm": "CIF", "currency": "USD", "usd_rate": Decimal(1), **changes,
    }  # fmt: skip


def _lines(company: Company, quantity: int, price: str) -> list[dict]:
    product = Product.objects.filter(company=company, status=Product.Status.PUBLISHED).order_by("pk").first()
    return [{"product": product, "quantity": quantity, "unit_price": Decimal(price)}]


def _walk(deal: Deal, by_contract: User, by_ship: User, start: datetime, *, paid: bool) -> None:
    """Contract, one shipment (recorded by `by_ship`), and a payment when `paid`, days apart."""
    with replayed_at(start + timedelta(days=2)):
        services.deal_contract(deal=deal, by=by_contract)
    with replayed_at(start + timedelta(days=9)):
        services.shipment_record(
            deal=deal, by=by_ship, shipped_on=(start + timedelta(days=9)).date(),
            quantity=deal.lines.first().quantity, declaration_number=f"EXP-{deal.pk:05d}",
            invoice=ContentFile(DEMO_PDF, name="invoice.pdf"),
            transport_document=ContentFile(DEMO_PDF, name="bill-of-lading.pdf"),
        )  # fmt: skip
    if paid:
        with replayed_at(start + timedelta(days=20)):
            services.payment_record(
                deal=deal, by=by_contract, amount=deal.expected_value, currency=deal.currency,
                received_on=(start + timedelta(days=20)).date(),
            )  # fmt: skip


def _from_inquiry(
    broker: Broker, company: Company, country: TargetCountry, when: datetime, buyer: str
) -> Deal:
    """A buyer writes from `country`; the brokerage claims the inquiry and opens its deal."""
    with replayed_at(when):
        inquiry = inquiry_submit(
            source_ip=None, language="en", name="Procurement desk", organisation=buyer, country=country,
            email="procurement@buyer.example", message="Please quote your monthly capacity.",
        )  # fmt: skip
        inquiry_route(inquiry=BuyerInquiry.objects.get(pk=inquiry.pk))
    lines = _lines(company, 20000, "0.35")
    with replayed_at(when + timedelta(hours=2)):
        # The brokerage acts for the company that sells: the company authorised it for the country.
        mandate_grant(
            company=company, broker=broker, by=company_member(company), countries=[country],
            categories=[lines[0]["product"].category], valid_until=(when + timedelta(days=180)).date(),
        )  # fmt: skip
    with replayed_at(when + timedelta(hours=20)):
        inquiry_claim(inquiry=BuyerInquiry.objects.get(pk=inquiry.pk), by=_member(broker))
        return services.deal_open_from_inquiry(
            inquiry=BuyerInquiry.objects.get(pk=inquiry.pk), by=_member(broker), company=company,
            lines=lines, **_terms(country, buyer),
        )  # fmt: skip


BUYERS = {"IQ": "Basra Health Directorate", "SY": "Damascus Medical Supplies", "OM": "Muscat Care Hospitals"}


def _from_answer_for_company(pars: Broker) -> None:
    from .demo import USD_RATES  # deals/demo.py imports this module first

    response = (
        OfferResponse.objects.filter(submitted_by_broker=pars, status=OfferResponse.Status.SUBMITTED)
        .select_related("offer__broker", "offer__country", "company")
        .order_by("pk")
        .first()
    )
    if response is None:
        return
    owner = _member(response.offer.broker)
    with replayed_at(demo_moment(2, hour=11)):
        response_decide(response=response, status=OfferResponse.Status.ACCEPTED, by=owner)
    lines = [
        {"product": product, "quantity": response.quantity, "unit_price": response.unit_price}
        for product in response.products.order_by("pk")[:1]
    ]
    with replayed_at(demo_moment(1, hour=10)):
        deal = services.deal_open_from_response(
            response=response, by=owner, lines=lines,
            **_terms(
                response.offer.country, BUYERS.get(response.offer.country.iso_code, "Hospital group"),
                currency=response.currency, usd_rate=USD_RATES.get(response.currency, Decimal(1)),
            ),
        )  # fmt: skip
    with replayed_at(demo_moment(1, hour=15)):
        services.deal_contract(deal=deal, by=owner)


def seed_network(*, stdout: TextIO) -> None:
    """Safe to run twice: it does nothing once a co-broker exists."""
    if DealPartner.objects.exists():
        return
    brokers = {b.name_en: b for b in Broker.objects.publishing()}
    pars, novin, gulf = (
        brokers.get(n) for n in ("Pars Export Brokers", "Novin Middle East Trading", "Gulf Commerce")
    )
    if None in (pars, novin, gulf):
        return
    iraq, oman = TargetCountry.objects.get(iso_code="IQ"), TargetCountry.objects.get(iso_code="OM")
    # 1. Pars's accepted responses become deals; the first is co-brokered with Novin (60/40), which
    #    holds the logistics and records the shipment.
    responses = (
        OfferResponse.objects.filter(pk__in=network_response_ids())
        .select_related("offer__country", "company")
        .order_by("decided_at", "pk")
    )
    for n, response in enumerate(responses):
        start = demo_moment(60 - n * 15, hour=10)
        lines = _lines(response.company, response.quantity, str(response.unit_price))
        if lines[0]["product"] is None:
            continue
        with replayed_at(start):
            deal = services.deal_open_from_response(
                response=response, by=_member(pars), lines=lines,
                **_terms(response.offer.country, "Baghdad Medical City"),
            )  # fmt: skip
        shipper = _member(pars)
        if n == 0:
            with replayed_at(start + timedelta(hours=3)):
                partner = services.deal_partner_invite(
                    deal=deal, by=_member(pars), broker=novin, share_percent=40,
                    role_note="Registration and logistics in the destination country",
                )  # fmt: skip
            with replayed_at(start + timedelta(days=1)):
                services.deal_partner_accept(partner=partner, by=_member(novin))
            shipper = _member(novin)
        _walk(deal, _member(pars), shipper, start, paid=n == 0)
    # 2. The company Pars referred to Novin sells to an Omani buyer through Novin: the referral's
    #    outcome, 15% credited to Pars.
    referral = Referral.objects.filter(
        from_broker=pars, to_broker=novin, status=Referral.Status.ACCEPTED
    ).first()
    if referral is not None and referral.company_id is not None:
        deal = _from_inquiry(novin, referral.company, oman, demo_moment(30, hour=11), "Muscat Care Hospitals")
        _walk(deal, _member(novin), _member(novin), demo_moment(29, hour=10), paid=False)
    # 3. Gulf Commerce invites Pars onto its Iraqi deal (waiting for Pars's answer).
    company = Company.objects.verified().order_by("pk").first()
    deal = _from_inquiry(gulf, company, iraq, demo_moment(5, hour=11), "Basra Health Directorate")
    with replayed_at(demo_moment(4, hour=10)):
        services.deal_partner_invite(
            deal=deal, by=_member(gulf), broker=pars, share_percent=30, role_note="Customs clearance in Iraq"
        )
    # 4. The offer's brokerage accepts the answer Pars sent for the demo company under its mandate
    #    and opens the deal: Pars joins it as co-broker for its share (deals/credits.py).
    _from_answer_for_company(pars)
    # 5. The centre makes Pars's results public.
    results_publish(broker=pars, by=demo_user(Role.PROGRAMME_MANAGER), public=True)
    stdout.write(
        f"Network: {DealPartner.objects.count()} co-brokering invitations, "
        f"{Referral.objects.count()} referrals"
    )
