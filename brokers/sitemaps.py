"""The broker directory's and the offer board's public pages in the sitemap."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from portal.http.seo import PublicSitemap

from .models import Broker, Offer


class BrokerSitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self) -> Any:
        return Broker.objects.approved().order_by("pk").values_list("pk", "updated_at")

    def location(self, item: tuple[int, Any]) -> str:
        return reverse("brokers:detail", kwargs={"pk": item[0]})

    def lastmod(self, item: tuple[int, Any]) -> Any:
        return item[1]


class OfferSitemap(PublicSitemap):
    changefreq = "daily"

    def items(self) -> Any:
        return Offer.objects.public().order_by("pk").values_list("pk", "updated_at")

    def location(self, item: tuple[int, Any]) -> str:
        return reverse("brokers:offer_detail", kwargs={"pk": item[0]})

    def lastmod(self, item: tuple[int, Any]) -> Any:
        return item[1]
