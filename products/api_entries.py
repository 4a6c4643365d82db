"""The products API's list entries, serialized once per product and kept in the shared cache.

A list request reads only the ids of its page (one narrow query); each product's serialized entry
comes from the cache in one round trip, and only the products whose entry is missing are read in
full (company, category, certificates, registered countries) and serialized. An entry is kept
under what it depends on: the public content version (any change to public content makes every
entry stale, as it does whole pages: portal/http/page_cache.py), the language (names), today's
date (a certificate's `valid`) and the site's scheme and host (file links are absolute).

Only anonymous callers read or fill the cache, and only public products are stored: a signed-in
caller's list also holds their own company's drafts, and is serialized afresh every time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework.request import Request

from portal.http.page_cache import content_version

from .models import Product

Serialize = Callable[[list[Product]], list[dict[str, Any]]]


def api_entries(
    ids: list[int], *, request: Request, products: QuerySet[Product], serialize: Serialize
) -> list[dict[str, Any]]:
    """The serialized entries of products `ids`, in their order.

    `products` is the queryset the caller may read, with the relations the serializer shows; a
    product that left it between the two reads (unpublished meanwhile) is left out."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if seconds <= 0 or request.user.is_authenticated:
        return serialize(_read(products, ids))
    origin = request.build_absolute_uri("/")
    prefix = f"api-product:{content_version()}:{timezone.localdate()}:{get_language()}:{origin}"
    keys = {pk: f"{prefix}:{pk}" for pk in ids}
    entries = cache.get_many(list(keys.values()))
    missing = [pk for pk in ids if keys[pk] not in entries]
    if missing:
        # `products` is everything an anonymous caller may read: the public products, no draft.
        fresh = {keys[entry["id"]]: entry for entry in serialize(_read(products, missing))}
        cache.set_many(fresh, seconds)
        entries.update(fresh)
    return [entries[keys[pk]] for pk in ids if keys[pk] in entries]


def _read(products: QuerySet[Product], ids: list[int]) -> list[Product]:
    """The products `ids` of `products`, in the order of `ids`."""
    if not ids:
        return []
    found = {product.pk: product for product in products.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]
