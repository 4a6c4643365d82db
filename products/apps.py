from __future__ import annotations

from importlib import import_module

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("Products")

    def ready(self) -> None:
        from portal.uploads import media

        from .permissions import can_see_product_file

        # Product files follow their product: public once published, else for its company only.
        for folder in ("images", "thumbnails", "gallery", "datasheets", "certificates"):
            media.register_private(f"products/{folder}", can_see_product_file)

        from . import readiness, vocabulary

        readiness.connect_signals()
        vocabulary.connect_signals()
        pre_migrate.connect(_sqlite_triggers_dropped, sender=self, dispatch_uid="products_sqlite_triggers")
        post_migrate.connect(_sqlite_triggers, sender=self, dispatch_uid="products_sqlite_triggers")

        from portal.home import register_figure
        from portal.http.page_cache import (
            parent_shown,
            register_public_models,
            register_staff_models,
            status_shown,
        )

        from .models import (
            Certification,
            CountryRequirement,
            Product,
            ProductCategory,
            ProductCertification,
            ProductImage,
        )

        # Drafts and their certificates and pictures change often and show nowhere public.
        product_shown = status_shown(Product.Status.PUBLISHED)
        register_public_models(Product, shown=product_shown)
        register_public_models(
            ProductCertification, ProductImage, shown=parent_shown("product", product_shown)
        )
        register_public_models(ProductCategory, Certification, CountryRequirement)
        register_staff_models(Product, ProductCertification, ProductCategory, Certification)

        register_figure(
            "products",
            _("products in the catalog"),
            lambda: Product.objects.public().count(),
            "products:catalog",
        )


def _sqlite_triggers_dropped(using: str = "default", **kwargs: object) -> None:
    """Before a migrate on SQLite: drop the triggers that keep Product.company_verified (migration
    0018). SQLite alters a table by rebuilding it under another name and renaming it, which fails
    while another table's trigger names it."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for statement in _migration_0018().SQLITE_DROP:
                cursor.execute(statement)


def _sqlite_triggers(using: str = "default", **kwargs: object) -> None:
    """After a migrate on SQLite: the triggers again, and the column brought up to date for rows
    written without them."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if not {"products_product", "companies_company"} <= tables:  # migrated to zero
            return
        table = connection.introspection.get_table_description(cursor, "products_product")
        if "company_verified" not in {column.name for column in table}:  # migrated back to before 0018
            return
        migration = _migration_0018()
        for statement in [migration.BACKFILL, *migration.SQLITE]:
            cursor.execute(statement)


def _migration_0018():  # noqa: ANN202 - a module
    return import_module("products.migrations.0018_product_company_verified")
