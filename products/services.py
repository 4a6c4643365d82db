"""Writes for products: create, change, publish, archive, certificates and gallery."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Company
from companies.permissions import company_is_active
from portal.enqueue import enqueue_on_commit
from portal.media import delete_after_commit
from portal.models import TargetCountry
from portal.uploads import cleared_to_empty

from .models import Product, ProductCertification, ProductImage

PRODUCT_FIELDS = {
    "category", "name_fa", "name_en", "description_fa", "description_en", "specifications_fa",
    "specifications_en", "hs_code", "monthly_capacity", "capacity_unit", "minimum_order", "fob_price",
    "currency", "lead_time_days", "image", "datasheet",
}  # fmt: skip
CERTIFICATE_FIELDS = {"certification", "number", "issuer", "expiry_date", "file"}


def _check_fields(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")


def _check_company_active(company: Company) -> None:
    company_is_active(company).require()


def _schedule_thumbnail(product: Product) -> None:
    from .tasks import product_thumbnail_make as product_thumbnail_make_task

    enqueue_on_commit(product_thumbnail_make_task, product.pk)


@transaction.atomic
def product_create(
    *, company: Company, registered_countries: Iterable[TargetCountry] = (), **fields: Any
) -> Product:
    """Create a draft product for `company`."""
    _check_fields(fields, PRODUCT_FIELDS)
    fields = cleared_to_empty(fields)
    _check_company_active(company)
    product = Product(company=company, **fields)
    product.full_clean()
    product.save()
    product.registered_countries.set(registered_countries)
    if product.image:
        _schedule_thumbnail(product)
    return product


@transaction.atomic
def product_update(
    *, product: Product, registered_countries: Iterable[TargetCountry] | None = None, **fields: Any
) -> Product:
    """Change a product's details; a new main image gets a new thumbnail after commit."""
    _check_fields(fields, PRODUCT_FIELDS)
    fields = cleared_to_empty(fields)
    _check_company_active(product.company)
    # Compare with the stored row: a ModelForm has already copied the new values onto `product`.
    stored = Product.objects.select_for_update().get(pk=product.pk)
    old_files = {name: getattr(stored, name).name for name in ("image", "datasheet", "thumbnail")}
    image_changed = (
        "image" in fields and (fields["image"].name if fields["image"] else "") != stored.image.name
    )
    for name, value in fields.items():
        setattr(product, name, value)
    if image_changed:
        product.thumbnail = ""
    product.full_clean()
    product.save()
    if registered_countries is not None:
        product.registered_countries.set(registered_countries)
    if image_changed and product.image:
        _schedule_thumbnail(product)
    replaced = [old for name, old in old_files.items() if old and getattr(product, name).name != old]
    delete_after_commit(*replaced)
    return product


@transaction.atomic
def product_publish(*, product: Product) -> Product:
    """Publish a draft or archived product (public once the company is verified)."""
    _check_company_active(product.company)
    if product.status == Product.Status.PUBLISHED:
        return product
    product.status = Product.Status.PUBLISHED
    product.published_at = product.published_at or timezone.now()
    product.save(update_fields=["status", "published_at", "updated_at"])
    return product


@transaction.atomic
def product_archive(*, product: Product) -> Product:
    """Take a product out of the catalog without losing it."""
    _check_company_active(product.company)
    product.status = Product.Status.ARCHIVED
    product.save(update_fields=["status", "updated_at"])
    return product


@transaction.atomic
def product_certificate_add(*, product: Product, **fields: Any) -> ProductCertification:
    _check_fields(fields, CERTIFICATE_FIELDS)
    fields = cleared_to_empty(fields)
    _check_company_active(product.company)
    certificate = ProductCertification(product=product, **fields)
    certificate.full_clean()
    certificate.save()
    return certificate


@transaction.atomic
def product_certificate_remove(*, certificate: ProductCertification) -> None:
    _check_company_active(certificate.product.company)
    certificate.delete()
    delete_after_commit(certificate.file.name)


@transaction.atomic
def product_image_add(*, product: Product, image: Any, caption: str = "") -> ProductImage:
    # Lock the product so two uploads at once cannot pass the limit or share a position.
    product = Product.objects.select_for_update().select_related("company").get(pk=product.pk)
    _check_company_active(product.company)
    if product.gallery.count() >= 8:
        raise ValidationError({"image": _("A product can have at most 8 gallery images.")})
    position = (product.gallery.aggregate(last=Max("position"))["last"] or 0) + 1
    picture = ProductImage(product=product, image=image, caption=caption, position=position)
    picture.full_clean()
    picture.save()
    return picture


@transaction.atomic
def product_image_remove(*, picture: ProductImage) -> None:
    _check_company_active(picture.product.company)
    picture.delete()
    delete_after_commit(picture.image.name)
