"""The catalog's public pages in the sitemap."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from portal.http.seo import PublicSitemap

from .models import Product


class ProductSitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self) -> Any:
        # (id, last change) pairs: no model instances for 100,000 products.
        return Product.objects.public().order_by("pk").values_list("pk", "updated_at")

    def location(self, item: tuple[int, Any]) -> str:
        return reverse("products:detail", kwargs={"pk": item[0]})

    def lastmod(self, item: tuple[int, Any]) -> Any:
        return item[1]
