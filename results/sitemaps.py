"""The public results page in the sitemap."""

from __future__ import annotations

from django.urls import reverse

from portal.http.seo import PublicSitemap


class ResultsSitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self) -> tuple[str, ...]:
        return ("results:public",)

    def location(self, item: str) -> str:
        return reverse(item)
