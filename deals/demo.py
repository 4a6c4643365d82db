"""Demo deals in every stage across the target countries, replayed through deals/services.py.

Accepted offer responses become deals opened by the offer's brokerage, converted buyer inquiries
become deals opened by the broker who held them, and the rest are companies' own buyers, so every
country on the programme's list has some. Each deal then walks part of the way at moments of the
last months (portal.demo.replayed_at): contract, one or two shipments, payments, closing; a few are
lost with a reason. Safe to run again: nothing is added once a deal exists.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TextIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db.models import Count
from django.utils import timezone

from brokers.mandates import mandate_for, mandate_grant
from brokers.models import BuyerInquiry, OfferResponse
from companies.demo import DEMO_PDF, company_member
from companies.models import Company
from portal.demo import demo_moment, replayed_at
from portal.models import TargetCountry, User
from products.models import Product

from . import services
from .models import BuyerType, Deal, LostReason, Status
from .network_demo import network_response_ids, seed_network

# Dollars per unit of each currency, as a deal records it on the day it opens.
USD_RATES = {"USD": Decimal(1), "EUR": Decimal("1.08"), "AED": Decimal("0.2723"), "RUB": Decimal("0.0112")}
# Where each deal's story ends; the order repeats over the deals, so every stage has several.
STORIES = [
    Status.PAID, Status.SHIPPED, Status.CLOSED, Status.CONTRACTED, Status.NEGOTIATING,
    Status.LOST, Status.CLOSED, Status.PAID, Status.SHIPPED, Status.LOST,
]  # fmt: skip
LOST = [
    (LostReason.PRICE, "خریدار پیشنهاد ارزان‌تری از تأمین‌کننده ترک دریافت کرد.", ),
    (LostReason.CERTIFICATION, "وزارت بهداشت مقصد گواهی CE نسخه جدید را خواست.", ),
    (LostReason.LOGISTICS, "زمان حمل از بندرعباس برای خریدار طولانی بود.", ),
    (LostReason.PAYMENT_TERMS, "خریدار پرداخت ۱۸۰ روزه می‌خواست.", ),
]  # fmt: skip
BUYERS = {
    "IQ": ("Baghdad Medical City", BuyerType.HOSPITAL),
    "AF": ("Herat Pharma Distribution", BuyerType.DISTRIBUTOR),
    "SY": ("Damascus Health Directorate", BuyerType.GOVERNMENT),
    "LB": ("Beirut Care Pharmacies", BuyerType.PHARMACY),
    "AM": ("Yerevan MedSupply", BuyerType.DISTRIBUTOR),
    "AZ": ("Baku Clinical Centre", BuyerType.HOSPITAL),
    "TM": ("Ashgabat Medical Trade", BuyerType.DISTRIBUTOR),
    "OM": ("Muscat Health Supplies", BuyerType.DISTRIBUTOR),
    "RU": ("Kazan Medtech", BuyerType.DISTRIBUTOR),
    "KZ": ("Almaty Red Crescent", BuyerType.NGO),
    "TR": ("Istanbul Hospital Group", BuyerType.HOSPITAL),
    "PK": ("Karachi Medical Stores", BuyerType.PHARMACY),
}
DIRECT_DEALS_PER_COUNTRY = 2


def seed(*, stdout: TextIO) -> None:
    if Deal.objects.exists():
        stdout.write(f"Deals: {Deal.objects.count()} (kept)")
    else:
        _seed_deals(stdout)
    # Then the brokers' network on deals: credits, co-brokered deals, a referral's outcome.
    seed_network(stdout=stdout)


def _seed_deals(stdout: TextIO) -> None:
    rng = random.Random(1405_12)  # noqa: S311 - demo data
    stories = iter(STORIES * 20)
    opened = 0
    for response in (
        OfferResponse.objects.filter(status=OfferResponse.Status.ACCEPTED)
        .exclude(pk__in=network_response_ids())  # the co-brokered deals' (network_demo.py)
        .select_related("offer__broker", "offer__country", "company")
        .order_by("decided_at", "pk")
    ):
        opened += _story(rng, next(stories), **_from_response(response))
    for inquiry in (
        BuyerInquiry.objects.filter(status=BuyerInquiry.Status.CONVERTED, holder__isnull=False)
        .select_related("country", "holder", "product__company")
        .order_by("created_at", "pk")
    ):
        opened += _story(rng, next(stories), **_from_inquiry(rng, inquiry))
    for country in TargetCountry.objects.filter(
        is_active=True, buyer_status=TargetCountry.BuyerStatus.CONFIRMED
    ).order_by("name_en"):
        for n in range(DIRECT_DEALS_PER_COUNTRY):
            opened += _story(rng, next(stories), **_direct(rng, country, n))
    by_status = dict(Deal.objects.values_list("status").annotate(n=Count("pk")).order_by())
    stdout.write(
        f"Deals: {opened} ("
        + ", ".join(f"{status} {by_status.get(status, 0)}" for status in Status.values)
        + f") in {Deal.objects.values('destination').distinct().count()} countries"
    )


# ---------------------------------------------------------------------------
# Where a deal comes from: the opening call, who makes it and when
# ---------------------------------------------------------------------------
def _terms(country: TargetCountry, currency: str) -> dict[str, Any]:
    name, buyer_type = BUYERS.get(country.iso_code, (f"{country.name_en} Medical Supplies", BuyerType.OTHER))
    return {
        "buyer_name": name, "buyer_country": country, "buyer_type": buyer_type, "destination": country,
        "incoterm": "CIF" if country.iso_code in ("OM", "LB", "SY") else "CPT",
        "currency": currency, "usd_rate": USD_RATES.get(currency, Decimal(1)),
    }  # fmt: skip


def _from_response(response: OfferResponse) -> dict[str, Any]:
    products = list(response.products.order_by("pk")[:2])
    quantity = max(response.quantity // max(len(products), 1), 1)
    lines = [{"product": p, "quantity": quantity, "unit_price": response.unit_price} for p in products]
    broker = response.offer.broker
    return {
        "opened": (response.decided_at or response.created_at) + timedelta(days=2),
        "by": broker.memberships.order_by("pk").first().user,
        "other": company_member(response.company),
        "opener": lambda by: services.deal_open_from_response(
            response=response, by=by, lines=lines, **_terms(response.offer.country, response.currency)
        ),
    }


def _from_inquiry(rng: random.Random, inquiry: BuyerInquiry) -> dict[str, Any]:
    company = inquiry.product.company if inquiry.product_id else _company_selling(rng)
    product = inquiry.product or company.products.filter(status="published").order_by("pk").first()
    lines = [
        {"product": product, "quantity": rng.choice([2000, 5000, 8000]), "unit_price": product.fob_price}
    ]
    return {
        "opened": inquiry.claimed_at + timedelta(days=3),
        "by": inquiry.holder,
        "other": company_member(company),
        "opener": lambda by: _open_for_company(by, inquiry, company, lines, product),
    }


def _open_for_company(
    by: User, inquiry: BuyerInquiry, company: Company, lines: list, product: Product
) -> Deal:
    """The inquiry's broker acts for the company that sells, which authorises it for the country
    first if no mandate of its covers the deal yet."""
    broker = by.broker_membership.broker
    if mandate_for(broker, company, inquiry.country, product.category) is None:
        mandate_grant(
            company=company, broker=broker, by=company_member(company), countries=[inquiry.country],
            categories=[product.category], valid_until=timezone.localdate() + timedelta(days=365),
        )  # fmt: skip
    return services.deal_open_from_inquiry(
        inquiry=inquiry, by=by, company=company, lines=lines, **_terms(inquiry.country, product.currency)
    )


def _direct(rng: random.Random, country: TargetCountry, n: int) -> dict[str, Any]:
    company = _company_selling(rng)
    products = list(company.products.filter(status="published").order_by("pk")[:3])
    chosen = rng.sample(products, min(len(products), 1 + n))
    currency = rng.choice(list(USD_RATES)) if n else "USD"
    rate = USD_RATES[currency]
    lines = [
        {
            "product": product,
            "quantity": rng.choice([500, 1200, 3000, 6000]),
            # The product's dollar price, in the deal's currency.
            "unit_price": (product.fob_price * USD_RATES.get(product.currency, Decimal(1)) / rate).quantize(
                Decimal("0.01")
            ),
        }
        for product in chosen
    ]
    by = company_member(company)
    return {
        "opened": demo_moment(rng.randint(40, 150), hour=10, minutes=rng.randint(0, 50)),
        "by": by,
        "other": by,
        "opener": lambda who: services.deal_open_direct(
            company=company, by=who, lines=lines, **_terms(country, currency)
        ),
    }


def _company_selling(rng: random.Random) -> Company:
    companies = list(
        Company.objects.verified().filter(products__status=Product.Status.PUBLISHED).distinct().order_by("pk")
    )
    return rng.choice(companies)


# ---------------------------------------------------------------------------
# A deal's story: opened, then as far as its stage, each step a few days after the last
# ---------------------------------------------------------------------------
def _story(rng: random.Random, ends: str, *, opened: datetime, by: User, other: User, opener: Any) -> int:
    now = timezone.now()
    if opened > now - timedelta(days=2):
        opened = now - timedelta(days=rng.randint(3, 9))
    try:
        with replayed_at(opened):
            deal = opener(by)
    except (ValidationError, PermissionDenied):
        return 0  # a response or inquiry the demo's history no longer lets anyone open
    people = [by, other]
    moment = opened
    order = [Status.CONTRACTED, Status.SHIPPED, Status.PAID, Status.CLOSED]
    steps = order[: order.index(ends) + 1] if ends in order else []
    if ends == Status.LOST:
        steps = order[: rng.randint(0, 1)] + [Status.LOST]
    for step in steps:
        moment = min(moment + timedelta(days=rng.randint(5, 14)), now - timedelta(hours=2))
        who = people[rng.randint(0, 1)]
        with replayed_at(moment):
            _step(rng, deal, step, who, moment)
        deal.refresh_from_db()
    return 1


def _step(rng: random.Random, deal: Deal, step: str, by: User, moment: datetime) -> None:
    if step == Status.CONTRACTED:
        services.deal_contract(deal=deal, by=by, note="قرارداد در دفتر کارگزار امضا شد.")
    elif step == Status.SHIPPED:
        total = deal.quantity_total()
        first = total if total < 2000 or rng.random() < 0.5 else total // 2
        _ship(deal, by, first, moment, 1)
        if first < total:
            _ship(deal, by, total - first, moment, 2)
    elif step == Status.PAID:
        services.payment_record(
            deal=deal, by=by, amount=deal.expected_value, currency=deal.currency,
            received_on=timezone.localdate(),
        )  # fmt: skip
    elif step == Status.CLOSED:
        services.deal_close(deal=deal, by=by)
    elif step == Status.LOST:
        reason, note = LOST[deal.pk % len(LOST)]
        services.deal_mark_lost(deal=deal, by=by, reason=reason, note=note)


def _ship(deal: Deal, by: User, quantity: int, moment: datetime, n: int) -> None:
    services.shipment_record(
        deal=deal, by=by, shipped_on=timezone.localdate(), quantity=quantity,
        declaration_number=f"EXP-{moment:%y%m}-{deal.pk:04d}-{n}",
        invoice=ContentFile(DEMO_PDF, name="invoice.pdf"),
        transport_document=ContentFile(DEMO_PDF, name="bill-of-lading.pdf"),
    )  # fmt: skip
