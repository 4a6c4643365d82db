"""Export readiness stored per product and country (ProductReadiness), so that "ready for" is an
indexed join instead of an anti-join over every product's certificates.

A product is ready for a country when the country requires at least one certification of the
product's category and the product holds a certificate of each that the centre has verified
(pending and rejected ones do not count); the row keeps the earliest of
those certificates' expiry dates, so a certificate running out needs no rewrite. Rows are
rewritten here, set-based in one INSERT … SELECT, whenever their inputs change (see the signal
receivers at the end, which catch the pages, the API, the admin and the demo data alike).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from .models import CountryRequirement, Product, ProductCertification, ProductReadiness

# Products whose every requirement (country, category → certification) has a verified
# certificate, with the earliest "latest expiry" among them. Plain SQL that PostgreSQL and SQLite
# both run.
_INSERT_READY = """
INSERT INTO {readiness} (product_id, country_id, valid_until)
SELECT p.id, r.country_id, MIN(held.expiry)
FROM {product} p
JOIN {requirement} r ON r.category_id = p.category_id
LEFT JOIN (
    SELECT product_id, certification_id, MAX(expiry_date) AS expiry
    FROM {certificate}
    WHERE status = '{verified}' {certificate_scope}
    GROUP BY product_id, certification_id
) held ON held.product_id = p.id AND held.certification_id = r.certification_id
{product_scope}
GROUP BY p.id, r.country_id
HAVING COUNT(held.expiry) = COUNT(*)
"""


def _rewrite(*, product_ids: list[int] | None = None, category_id: int | None = None) -> None:
    """Delete and insert the readiness rows of some products (all of them when no scope)."""
    tables = {
        "readiness": ProductReadiness._meta.db_table,
        "product": Product._meta.db_table,
        "requirement": CountryRequirement._meta.db_table,
        "certificate": ProductCertification._meta.db_table,
        "verified": ProductCertification.Status.VERIFIED.value,  # a constant of ours, not input
    }
    rows = ProductReadiness.objects.all()
    params: list[int] = []
    if product_ids is not None:
        marks = ", ".join(["%s"] * len(product_ids))
        rows = rows.filter(product_id__in=product_ids)
        scope = {
            "certificate_scope": f"AND product_id IN ({marks})",
            "product_scope": f"WHERE p.id IN ({marks})",
        }
        params = [*product_ids, *product_ids]
    elif category_id is not None:
        rows = rows.filter(product__category_id=category_id)
        scope = {
            "certificate_scope": (
                f"AND product_id IN (SELECT id FROM {tables['product']} WHERE category_id = %s)"  # noqa: S608 - table names from _meta, values bound
            ),
            "product_scope": "WHERE p.category_id = %s",
        }
        params = [category_id, category_id]
    else:
        scope = {"certificate_scope": "", "product_scope": ""}
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One rewrite at a time (until its transaction ends): two at once, a certificate added
            # while a requirement changes, each deleted and inserted the same rows and the second
            # insert broke the unique (product, country) constraint. SQLite writes one at a time.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('products_readiness'))")
        rows.delete()
        cursor.execute(_INSERT_READY.format(**tables, **scope), params)


def readiness_refresh(*, product_ids: Iterable[int] | None = None, category_id: int | None = None) -> None:
    """Rewrite the readiness of the given products, of a whole category, or (neither) of all."""
    if product_ids is not None:
        ids = sorted(set(product_ids))
        # Chunks keep the statement's parameter count within SQLite's limit.
        for start in range(0, len(ids), 500):
            _rewrite(product_ids=ids[start : start + 500])
    else:
        _rewrite(category_id=category_id)


# --- what changes readiness ------------------------------------------------------------------
def _certificate_changed(sender: type, instance: ProductCertification, **kwargs: object) -> None:
    if kwargs.get("raw"):  # loaddata: the fixture brings its own rows
        return
    readiness_refresh(product_ids=[instance.product_id])


def _requirement_changed(sender: type, instance: CountryRequirement, **kwargs: object) -> None:
    if kwargs.get("raw"):
        return
    readiness_refresh(category_id=instance.category_id)
    previous = getattr(instance, "_readiness_category_id", None)
    if previous and previous != instance.category_id:
        readiness_refresh(category_id=previous)


def _product_saved(sender: type, instance: Product, created: bool, **kwargs: object) -> None:
    # Only the category matters; a new product has no certificate yet.
    if kwargs.get("raw") or created:
        return
    previous = getattr(instance, "_readiness_category_id", None)
    if previous is not None and previous != instance.category_id:
        readiness_refresh(product_ids=[instance.pk])


def _remember_category(sender: type, instance: Product | CountryRequirement, **kwargs: object) -> None:
    # Read from __dict__: a deferred category must not cost a query on every instance.
    instance._readiness_category_id = instance.__dict__.get("category_id")


def connect_signals() -> None:
    """Keep readiness in step with every write path (called from ProductsConfig.ready)."""
    from django.db.models.signals import post_init

    post_save.connect(_certificate_changed, sender=ProductCertification, dispatch_uid="readiness_cert")
    post_delete.connect(_certificate_changed, sender=ProductCertification, dispatch_uid="readiness_cert_del")
    post_save.connect(_requirement_changed, sender=CountryRequirement, dispatch_uid="readiness_req")
    post_delete.connect(_requirement_changed, sender=CountryRequirement, dispatch_uid="readiness_req_del")
    post_init.connect(_remember_category, sender=Product, dispatch_uid="readiness_product_init")
    post_init.connect(_remember_category, sender=CountryRequirement, dispatch_uid="readiness_req_init")
    post_save.connect(_product_saved, sender=Product, dispatch_uid="readiness_product")
