"""Product tasks: thumbnails after upload, and the daily certificate-expiry warnings."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from companies.models import Company
from portal.enqueue import enqueue
from portal.models import bilingual
from portal.notifications import notify_members
from portal.page_cache import public_content_changed
from portal.uploads import make_thumbnail

from .models import EXPIRY_WARNING_DAYS, Product, ProductCertification

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=10, max_retries=3)
def product_thumbnail_make(product_id: int) -> bool:
    """Make the catalog thumbnail of a product's main image (skips if already made)."""
    product = Product.objects.filter(pk=product_id).first()
    if product is None or not product.image or product.thumbnail:
        return False
    source = product.image.name
    try:
        thumbnail = make_thumbnail(product.image)
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError):
        logger.warning("No thumbnail for product %s: %s cannot be decoded", product_id, source)
        return False  # retrying cannot help; the page falls back to the image itself
    name = default_storage.save(Product.thumbnail.field.generate_filename(product, thumbnail.name), thumbnail)
    # Only if the image is still the one we read: a newer upload gets its own thumbnail.
    if not Product.objects.filter(pk=product.pk, image=source, thumbnail="").update(thumbnail=name):
        default_storage.delete(name)
        return False
    public_content_changed()  # cards show the thumbnail from now on
    return True


@shared_task(acks_late=True)
def product_thumbnails_sweep() -> int:
    """Queue thumbnails whose message was lost (a broker outage): images changed in the last two
    days that still have none. An image that cannot be decoded is tried again for two days only."""
    now = timezone.now()
    ids = list(
        Product.objects.exclude(image="")
        .filter(
            thumbnail="", updated_at__lt=now - timedelta(minutes=5), updated_at__gte=now - timedelta(days=2)
        )
        .values_list("pk", flat=True)[:200]
    )
    for pk in ids:
        enqueue(product_thumbnail_make, pk)
    return len(ids)


@shared_task(acks_late=True)
def certificates_expiry_warn() -> int:
    """Warn each company once per certificate about certificates expiring within 60 days."""
    due = (
        ProductCertification.objects.expiring_within(EXPIRY_WARNING_DAYS)
        .exclude(expiry_warned_for=F("expiry_date"))
        .filter(product__company__status=Company.Status.VERIFIED)
        .values_list("pk", flat=True)
    )
    warned = 0
    for pk in list(due):
        warned += _warn_one(pk)
    return warned


@transaction.atomic
def _warn_one(certificate_id: int) -> int:
    certificate = (
        ProductCertification.objects.select_for_update(of=("self",))
        .select_related("product__company", "certification")
        .get(pk=certificate_id)
    )
    if certificate.expiry_warned_for == certificate.expiry_date:
        return 0  # another run got here first
    product = certificate.product
    notify_members(
        product.company,
        kind="certificate_expiring",
        url=reverse("products:edit", kwargs={"pk": product.pk}),
        context={
            "product": bilingual(product, "name"),
            "certification": bilingual(certificate.certification, "name"),
            "number": certificate.number,
            "expiry": certificate.expiry_date.isoformat(),
        },
    )
    certificate.expiry_warned_for = certificate.expiry_date
    certificate.save(update_fields=["expiry_warned_for", "updated_at"])
    return 1
