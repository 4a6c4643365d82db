"""What search engines read: `/robots.txt` and the sitemap's shared ground (every public page in
every language, each listing its alternates).

Each app describes its own public pages (its `sitemaps.py`); the project's URLconf puts them
together under `/sitemap.xml` (an index of sections, each split into pages of `limit` URLs).
The pages themselves carry their canonical address, hreflang alternates, Open Graph and Twitter
card tags (`templates/includes/_page_meta.html`) and, for products and companies, schema.org
JSON-LD (`{% ld_json %}`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from portal.models import TargetCountry


class PublicSitemap(Sitemap):
    """One URL per item and language (the four of settings.LANGUAGES: Persian, English, Arabic and
    Russian), each with its hreflang alternates and an x-default (the address without a language,
    which sends a visitor to theirs). Items are light rows (ids and dates), since a section may list
    100,000 products in every language."""

    i18n = True
    alternates = True
    x_default = True
    # URLs a page (items times languages: 1,250 items in four languages), each with five alternate
    # links: about 3.5 MB, well under the protocol's 50,000 URLs and 50 MB.
    limit = 5000


class StaticPagesSitemap(PublicSitemap):
    """The public lists and landing pages."""

    changefreq = "daily"
    names = (
        "home",
        "products:catalog",
        "companies:directory",
        "brokers:directory",
        "brokers:offer_board",
        "country_list",
        "support:joint_brand",
    )

    def items(self) -> tuple[str, ...]:
        return self.names

    def location(self, item: str) -> str:
        return reverse(item)


class CountrySitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self) -> Any:
        return TargetCountry.objects.active().order_by("iso_code").only("iso_code", "updated_at")

    def lastmod(self, item: TargetCountry) -> Any:
        return item.updated_at


# Private and signed-in parts: nothing a buyer searches for, and no reason to crawl them.
DISALLOWED = ("/admin/", "/api/", "/media/", "/i18n/", "/*/accounts/", "/*/notifications/")


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), ""]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
