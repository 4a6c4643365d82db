"""The company directory's public pages in the sitemap."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from portal.http.seo import PublicSitemap

from .models import Company


class CompanySitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self) -> Any:
        return Company.objects.approved().order_by("pk").values_list("pk", "updated_at")

    def location(self, item: tuple[int, Any]) -> str:
        return reverse("companies:detail", kwargs={"pk": item[0]})

    def lastmod(self, item: tuple[int, Any]) -> Any:
        return item[1]
