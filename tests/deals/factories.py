"""Deals for tests, made as people make them: through deals.services, step by step, so that every
deal has its timeline and its notifications behind it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from brokers.models import OfferResponse
from deals import services
from deals.models import Deal, Status
from portal.models import TargetCountry, User
from products.models import Product
from tests.companies.factories import PDF_BYTES


def pdf(name: str = "invoice.pdf") -> ContentFile:
    return ContentFile(PDF_BYTES, name=name)


def deal_terms(country: TargetCountry, **changes: Any) -> dict[str, Any]:
    return {
        "buyer_name": "Baghdad Medical City", "buyer_country": country, "buyer_type": "hospital",
        "destination": country, "incoterm": "CIF", "currency": "USD", "usd_rate": Decimal(1), **changes,
    }  # fmt: skip


def lines_of(product: Product, quantity: int = 1000, unit_price: str = "0.50") -> list[dict[str, Any]]:
    return [{"product": product, "quantity": quantity, "unit_price": Decimal(unit_price)}]


def open_direct(by: User, product: Product, country: TargetCountry, **terms: Any) -> Deal:
    quantity = terms.pop("quantity", 1000)
    unit_price = terms.pop("unit_price", "0.50")
    return services.deal_open_direct(
        company=product.company,
        by=by,
        lines=lines_of(product, quantity, unit_price),
        **deal_terms(country, **terms),
    )


def open_from_response(by: User, response: OfferResponse, product: Product, **terms: Any) -> Deal:
    quantity = terms.pop("quantity", 1000)
    return services.deal_open_from_response(
        response=response,
        by=by,
        lines=lines_of(product, quantity),
        **deal_terms(response.offer.country, **terms),
    )


def ship(deal: Deal, by: User, quantity: int = 400, **changes: Any) -> Any:
    fields = {
        "shipped_on": timezone.localdate(), "quantity": quantity, "declaration_number": "EXP-DECL-1",
        "invoice": pdf("invoice.pdf"), "transport_document": pdf("bill-of-lading.pdf"), **changes,
    }  # fmt: skip
    return services.shipment_record(deal=deal, by=by, **fields)


def pay(deal: Deal, by: User, amount: str = "200", **changes: Any) -> Any:
    fields = {
        "amount": Decimal(amount),
        "currency": deal.currency,
        "received_on": timezone.localdate(),
        **changes,
    }
    return services.payment_record(deal=deal, by=by, **fields)


def walk_to(deal: Deal, status: str, by: User) -> Deal:
    """Move `deal` (negotiating) on to `status` through the services, as `by`."""
    order = [Status.NEGOTIATING, Status.CONTRACTED, Status.SHIPPED, Status.PAID, Status.CLOSED]
    if status == Status.LOST:
        services.deal_mark_lost(deal=deal, by=by, reason="price", note="Cheaper offer from elsewhere")
        deal.refresh_from_db()
        return deal
    target = order.index(status)
    if target >= 1:
        services.deal_contract(deal=deal, by=by)
    if target >= 2:
        ship(deal, by)
    if target >= 3:
        pay(deal, by)
    if target >= 4:
        services.deal_close(deal=deal, by=by)
    deal.refresh_from_db()
    return deal
