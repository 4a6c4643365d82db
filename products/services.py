"""Writes for products: create, change, publish, archive, certificates (and the centre's check
of them) and gallery."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from simple_history.utils import bulk_update_with_history

from companies.models import Company
from companies.permissions import company_is_active
from portal.db import save_unique
from portal.enqueue import enqueue_on_commit
from portal.http.page_cache import public_content_changed
from portal.models import TargetCountry, User, bilingual
from portal.notifications.services import notify_members
from portal.uploads.files import cleared_to_empty, make_thumbnail
from portal.uploads.media import delete_after_commit

from .models import Product, ProductCertification, ProductImage
from .permissions import PRODUCT_ACTIONS, can_verify_certificates
from .readiness import readiness_refresh

logger = logging.getLogger(__name__)

PRODUCT_FIELDS = {
    "category", "name_fa", "name_en", "description_fa", "description_en", "specifications_fa",
    "specifications_en", "hs_code", "monthly_capacity", "capacity_unit", "minimum_order", "fob_price",
    "currency", "lead_time_days", "image", "datasheet", "name_ar", "name_ru", "description_ar",
    "description_ru",
}  # fmt: skip
CERTIFICATE_FIELDS = {"certification", "number", "issuer", "expiry_date", "file"}


def _check_fields(fields: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")


def _check_company_active(company: Company) -> None:
    company_is_active(company).require()


def _check_transition(product: Product, action: str) -> None:
    if product.status not in PRODUCT_ACTIONS[action]:
        raise ValidationError(_("This product cannot be changed so in its present state."), code="state")


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
    product = Product.objects.select_for_update(of=("self",)).select_related("company").get(pk=product.pk)
    _check_company_active(product.company)
    if product.status == Product.Status.PUBLISHED:
        return product
    _check_transition(product, "publish")
    product.status = Product.Status.PUBLISHED
    product.published_at = product.published_at or timezone.now()
    product.save(update_fields=["status", "published_at", "updated_at"])
    return product


@transaction.atomic
def product_archive(*, product: Product) -> Product:
    """Take a product out of the catalog without losing it."""
    product = Product.objects.select_for_update(of=("self",)).select_related("company").get(pk=product.pk)
    _check_company_active(product.company)
    if product.status == Product.Status.ARCHIVED:
        return product  # archiving twice changes nothing
    _check_transition(product, "archive")
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
    save_unique(certificate, message=_("This certificate is already on the product."))
    return certificate


@transaction.atomic
def product_certificate_update(*, certificate: ProductCertification, **fields: Any) -> ProductCertification:
    """Change a certificate's details; a change to what the centre checked (number, issuer,
    expiry, file) sends a verified or rejected certificate back to the queue (the model's save)."""
    _check_fields(fields, CERTIFICATE_FIELDS)
    fields = cleared_to_empty(fields)
    _check_company_active(certificate.product.company)
    # The stored row, locked: a ModelForm has already copied the new values onto `certificate`.
    stored = ProductCertification.objects.select_for_update().get(pk=certificate.pk)
    old_file = stored.file.name
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.full_clean()
    save_unique(stored, message=_("This certificate is already on the product."))
    if old_file and stored.file.name != old_file:
        delete_after_commit(old_file)
    return stored


def _certificate_for_decision(certificate: ProductCertification, version: str | None) -> ProductCertification:
    """The certificate, locked; with `version`, refused if it is no longer what the decider saw."""
    certificate = (
        ProductCertification.objects.select_for_update(of=("self",))
        .select_related("product__company", "certification")
        .get(pk=certificate.pk)
    )
    if version is not None and version != certificate.version:
        raise ValidationError(
            _("This certificate changed after the page was loaded: check it again before deciding."),
            code="changed",
        )
    return certificate


@transaction.atomic
def certificate_verify(
    *, certificate: ProductCertification, by: User, version: str | None = None
) -> ProductCertification:
    """Record that the centre checked the scan: the certificate counts from now (until it expires).

    `version` is the certificate's `version` as the decider saw it (the admin posts it)."""
    can_verify_certificates(by).require()
    certificate = _certificate_for_decision(certificate, version)
    if certificate.status == ProductCertification.Status.VERIFIED:
        return certificate  # an admin action run twice changes nothing
    if certificate.status != ProductCertification.Status.PENDING:
        raise ValidationError(_("Only a certificate awaiting verification can be verified."), code="state")
    if certificate.is_expired:
        raise ValidationError(
            _("This certificate has expired; the company must upload the renewed one."), code="expired"
        )
    certificate.status = ProductCertification.Status.VERIFIED
    certificate.reviewed_by = by
    certificate.reviewed_at = timezone.now()
    certificate.rejection_reason = ""
    # save() sends the signals that rewrite the product's readiness and refresh public pages.
    certificate.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason", "updated_at"])
    return certificate


@transaction.atomic
def certificates_verify(
    *, certificates: QuerySet[ProductCertification], by: User, versions: dict[int, str] | None = None
) -> list[ProductCertification]:
    """Verify many pending, unexpired certificates at once; return those verified.

    With `versions` (pk: `version` as the decider saw it), a certificate missing from it or changed
    since is left as it is.

    One UPDATE, one INSERT of their history rows (who and when, as a single save records) and one
    readiness rewrite of the products concerned (the per-row path would rewrite readiness once
    per certificate)."""
    can_verify_certificates(by).require()
    # As the model itself (the admin passes its queue's proxy), whose history the rows go to.
    rows = list(
        ProductCertification.objects.select_for_update(of=("self",))
        .filter(
            pk__in=certificates.values("pk"),
            status=ProductCertification.Status.PENDING,
            expiry_date__gte=timezone.localdate(),
        )
        .order_by("pk")
    )
    if versions is not None:
        rows = [certificate for certificate in rows if versions.get(certificate.pk) == certificate.version]
    if not rows:
        return []
    now = timezone.now()
    for certificate in rows:
        certificate.status = ProductCertification.Status.VERIFIED
        certificate.reviewed_by = by
        certificate.reviewed_at = now
        certificate.rejection_reason = ""
        certificate.updated_at = now
    bulk_update_with_history(
        rows, ProductCertification,
        ["status", "reviewed_by", "reviewed_at", "rejection_reason", "updated_at"],
        default_user=by, default_date=now,
    )  # fmt: skip
    readiness_refresh(product_ids={certificate.product_id for certificate in rows})
    public_content_changed()  # a bulk update sends no signal
    return rows


@transaction.atomic
def certificate_reject(
    *, certificate: ProductCertification, by: User, reason: str, version: str | None = None
) -> ProductCertification:
    """Refuse a certificate (pending, or verified and found wrong) and tell the company what to fix."""
    can_verify_certificates(by).require()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"rejection_reason": _("Say what is wrong, so the company knows what to fix.")}, code="required"
        )
    certificate = _certificate_for_decision(certificate, version)
    if certificate.status == ProductCertification.Status.REJECTED and certificate.rejection_reason == reason:
        return certificate
    certificate.status = ProductCertification.Status.REJECTED
    certificate.reviewed_by = by
    certificate.reviewed_at = timezone.now()
    certificate.rejection_reason = reason
    certificate.full_clean(exclude=["product", "certification", "file"])
    certificate.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason", "updated_at"])
    product = certificate.product
    notify_members(
        product.company,
        kind="certificate_rejected",
        url=reverse("products:edit", kwargs={"pk": product.pk}) + "#certificates",
        context={
            "product": bilingual(product, "name"),
            "certification": bilingual(certificate.certification, "name"),
            "number": certificate.number,
            "reason": reason,
        },
    )
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


def product_thumbnail_make(*, product: Product) -> bool:
    """Make the catalog thumbnail of a product's main image; return whether one was made now."""
    if not product.image or product.thumbnail:
        return False
    source = product.image.name
    try:
        thumbnail = make_thumbnail(product.image)
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError):
        logger.warning("No thumbnail for product %s: %s cannot be decoded", product.pk, source)
        return False  # retrying cannot help; the page falls back to the image itself
    name = default_storage.save(Product.thumbnail.field.generate_filename(product, thumbnail.name), thumbnail)
    # Only if the image is still the one we read: a newer upload gets its own thumbnail.
    if not Product.objects.filter(pk=product.pk, image=source, thumbnail="").update(thumbnail=name):
        default_storage.delete(name)
        return False
    public_content_changed()  # cards show the thumbnail from now on
    return True


@transaction.atomic
def certificate_expiry_warn(*, certificate: ProductCertification) -> bool:
    """Warn the company that a product's certificate nears its end, once per expiry date."""
    certificate = (
        ProductCertification.objects.select_for_update(of=("self",))
        .select_related("product__company", "certification")
        .get(pk=certificate.pk)
    )
    if certificate.expiry_warned_for == certificate.expiry_date:
        return False  # another run got here first
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
    return True
