from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("Products")

    def ready(self) -> None:
        from portal import media

        # Product pictures, datasheets and certificates are what buyers are meant to see.
        media.register_public(
            "products/images", "products/thumbnails", "products/gallery", "products/datasheets",
            "products/certificates",
        )  # fmt: skip
