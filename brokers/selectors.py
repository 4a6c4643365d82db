"""Reads for the brokers' pages and background work that are more than one QuerySet method."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from companies.models import Company
from products.models import Product

from .models import Broker, LicenceRenewal, Offer, OfferNotice


def offer_companies_to_tell(offer: Offer) -> QuerySet[Company]:
    """Verified companies with a published product in one of the offer's categories, not told yet."""
    return (
        Company.objects.verified()
        .filter(products__status=Product.Status.PUBLISHED, products__category__in=offer.categories.all())
        .exclude(Exists(OfferNotice.objects.filter(offer=offer, company=OuterRef("pk"))))
        .distinct()
        .order_by("pk")
    )


def pending_renewal(broker: Broker) -> LicenceRenewal | None:
    """The brokerage's renewal waiting for the centre, if any (at most one: a constraint)."""
    return broker.licence_renewals.filter(status=LicenceRenewal.Status.PENDING).first()
