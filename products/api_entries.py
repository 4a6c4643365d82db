"""The products API's list entries, serialized once per product and kept in the shared cache.

A list request reads only the ids of its page (one narrow query); each product's entry comes
from the cache in one round trip, as the JSON text the API writes, and only the products whose
entry is missing are read in full (company, category, certificates, registered countries) and
serialized. An entry is kept under what it depends on: the public content version (any change to
public content makes every entry stale, as it does whole pages: portal/http/page_cache.py), the
language (names), today's date (a certificate's `valid`) and the site's scheme and host (file
links are absolute). `EntriesJSONRenderer` writes the entries into the answer as they are: no
unpickling of a hundred dictionaries and no encoding them again (two thirds of a 100-product
page's time).

Only anonymous callers read or fill the cache, and only public products are stored: a signed-in
caller's list also holds their own company's drafts, and is serialized afresh every time."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request

from portal.http.page_cache import cached_each, content_version

from .models import Product

Serialize = Callable[[list[Product]], list[dict[str, Any]]]


class CachedEntries:
    """A page's entries as JSON text. `EntriesJSONRenderer` writes them out as they are; anything
    else (the browsable API, an indented answer, a test reading `response.data`) gets them as
    Python data: DRF's encoder asks `tolist()`, and the rest reads it as a sequence."""

    def __init__(self, texts: list[bytes]) -> None:
        self.texts = texts

    def tolist(self) -> list[dict[str, Any]]:
        return [json.loads(text) for text in self.texts]

    def __len__(self) -> int:
        return len(self.texts)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.tolist())

    def __getitem__(self, index: int) -> dict[str, Any]:
        return json.loads(self.texts[index])


class EntriesJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, writing a list's `CachedEntries` into the answer as stored: the same
    bytes as encoding them again, since each was encoded by this renderer, compact, alone."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        results = data.get("results") if isinstance(data, dict) else None
        if isinstance(results, CachedEntries) and list(data)[-1] == "results" and self.compact:
            if self.get_indent(accepted_media_type, renderer_context or {}) is None:
                envelope = super().render({**data, "results": []}, accepted_media_type, renderer_context)
                head = envelope.removesuffix(b"[]}")  # `{"count":…,"results":`, the entries next
                if len(head) < len(envelope):
                    return head + b"[" + b",".join(results.texts) + b"]}"
        return super().render(data, accepted_media_type, renderer_context)


def api_entries(
    ids: list[int], *, request: Request, products: QuerySet[Product], serialize: Serialize
) -> list[dict[str, Any]] | CachedEntries:
    """The serialized entries of products `ids`, in their order.

    `products` is the queryset the caller may read, with the relations the serializer shows; a
    product that left it between the two reads (unpublished meanwhile) is left out."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if seconds <= 0 or request.user.is_authenticated:
        return serialize(_read(products, ids))
    origin = request.build_absolute_uri("/")
    prefix = f"api-product-json:{content_version()}:{timezone.localdate()}:{get_language()}:{origin}"

    def render(missing: list[int]) -> dict[int, bytes]:
        # `products` is everything an anonymous caller may read: the public products, no draft.
        renderer = EntriesJSONRenderer()
        return {entry["id"]: renderer.render(entry) for entry in serialize(_read(products, missing))}

    return CachedEntries(cached_each(prefix, ids, render, seconds))


def _read(products: QuerySet[Product], ids: list[int]) -> list[Product]:
    """The products `ids` of `products`, in the order of `ids`."""
    if not ids:
        return []
    found = {product.pk: product for product in products.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]
