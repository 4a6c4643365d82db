"""Product tasks: thumbnails after upload, and the daily certificate-expiry warnings."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from companies.models import Company
from portal.enqueue import sweep
from portal.tasks import PortalTask

from . import services
from .models import EXPIRY_WARNING_DAYS, Product, ProductCertification


@shared_task(base=PortalTask)
def product_thumbnail_make(product_id: int) -> bool:
    """Make the catalog thumbnail of a product's main image (skips if already made)."""
    product = Product.objects.filter(pk=product_id).first()
    return bool(product) and services.product_thumbnail_make(product=product)


@shared_task(base=PortalTask)
def product_thumbnails_sweep() -> int:
    """Queue thumbnails whose message was lost (a broker outage): images changed in the last two
    days that still have none. An image that cannot be decoded is tried again for two days only."""
    recent = Product.objects.exclude(image="").filter(
        thumbnail="", updated_at__gte=timezone.now() - timedelta(days=2)
    )
    return sweep(recent, product_thumbnail_make, grace=timedelta(minutes=5), since="updated_at")


@shared_task(base=PortalTask)
def certificates_expiry_warn() -> int:
    """Warn each company once per certificate about certificates expiring within 60 days."""
    due = (
        ProductCertification.objects.expiring_within(EXPIRY_WARNING_DAYS)
        .exclude(expiry_warned_for=F("expiry_date"))
        .filter(product__company__status=Company.Status.VERIFIED)
        .only("pk")
    )
    return sum(services.certificate_expiry_warn(certificate=certificate) for certificate in list(due))
