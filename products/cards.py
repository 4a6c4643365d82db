"""Catalog cards rendered once per product, language and content version, and kept in the shared
cache: a catalog or search page then renders its sidebar and 24 cached cards instead of 24
cards (two thirds of its rendering time at 100,000 products). Any change to public content
makes every card stale (portal/http/page_cache.py), exactly as it does whole pages."""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.safestring import SafeString

from portal.http.page_cache import kept_cards

from .models import Product, ProductReadiness

TEMPLATE = "products/partials/_product_card.html"


def with_readiness(products: list[Product]) -> list[Product]:
    """Give each product `ready_for`: the active countries it is ready for today (one query)."""
    ready = Prefetch(
        "readiness",
        queryset=ProductReadiness.objects.filter(
            valid_until__gte=timezone.localdate(), country__is_active=True
        )
        .select_related("country")
        .order_by("country__name_en"),
        to_attr="ready_rows",
    )
    prefetch_related_objects(products, ready)
    for product in products:
        product.ready_for = [row.country for row in product.ready_rows]
    return products


def product_cards(ids: list[int], *, show_company: bool = True) -> list[SafeString]:
    """The cards of the public products `ids`, in their order.

    A list page reads only the ids of its page (a narrow query, no model instances): the cards
    come from the cache in one round trip, and only the products whose card is missing are read
    in full, with their company, category and readiness. A product that stopped being public
    between the two reads is left out."""
    return kept_cards("product", ids, _products, TEMPLATE, show_company=show_company)


def _products(ids: list[int]) -> list[Product]:
    """The public products `ids` with what a card shows, in the order of `ids`."""
    found = Product.objects.public().for_listing().in_bulk(ids)
    return with_readiness([found[pk] for pk in ids if pk in found])
