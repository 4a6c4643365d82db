"""A list API's entries (products, offers, companies), serialized once per row and kept in the shared cache.

A list request reads only the ids of its page (one narrow query); each row's entry comes from
the cache in one round trip, as the JSON text the API writes, and only the rows whose entry is
missing are read in full (with the relations the serializer shows) and serialized. An entry is
kept under what it depends on: the public content version (any change to public content makes
every entry stale, as it does whole pages: portal/http/page_cache.py), the language (names),
today's date (a certificate's `valid`, an offer's deadline) and the site's scheme and host (file
links are absolute). `EntriesJSONRenderer` writes the entries into the answer as they are: no
unpickling of a hundred dictionaries and no encoding them again (two thirds of a 100-product
page's time).

Only anonymous callers read or fill the cache, and only public rows are stored: a signed-in
caller's list also holds their own company's or brokerage's drafts, and is serialized afresh
every time."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from rest_framework import mixins
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from portal.http.page_cache import cached_each, content_version

Serialize = Callable[[list[Model]], list[dict[str, Any]]]


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


def entries_renderers() -> list[type[BaseRenderer]]:
    """The API's renderers, JSON writing cached entries as they are (`EntriesJSONRenderer`)."""
    return [
        EntriesJSONRenderer if renderer is JSONRenderer else renderer
        for renderer in api_settings.DEFAULT_RENDERER_CLASSES
    ]


def api_entries(
    kind: str, ids: list[int], *, request: Request, rows: QuerySet, serialize: Serialize
) -> list[dict[str, Any]] | CachedEntries:
    """The serialized entries of the rows `ids` (of `kind`: "product", "offer", "company"), in their order.

    `rows` is the queryset the caller may read, with the relations the serializer shows; a row
    that left it between the two reads (unpublished meanwhile) is left out."""
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if seconds <= 0 or request.user.is_authenticated:
        return serialize(_read(rows, ids))
    origin = request.build_absolute_uri("/")
    prefix = f"api-{kind}-json:{content_version()}:{timezone.localdate()}:{get_language()}:{origin}"

    def render(missing: list[int]) -> dict[int, bytes]:
        # `rows` is everything an anonymous caller may read: the public rows, no draft.
        renderer = EntriesJSONRenderer()
        return {entry["id"]: renderer.render(entry) for entry in serialize(_read(rows, missing))}

    return CachedEntries(cached_each(prefix, ids, render, seconds))


def _read(rows: QuerySet, ids: list[int]) -> list[Model]:
    """The rows `ids` of `rows`, in the order of `ids`."""
    if not ids:
        return []
    found = {row.pk: row for row in rows.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


class IdPageListMixin(mixins.ListModelMixin):
    """A list that reads only the ids of its page; the entries come from `api_entries`, mostly
    from the shared cache. When listing, `get_queryset()` gives the ids (filtered and ordered as
    the list asks: one narrow query, no model instances), `readable()` the rows the caller may
    read with what the serializer shows; `entries_kind` names the entries in the cache. Pair it
    with `renderer_classes = entries_renderers()`."""

    entries_kind: str

    def readable(self) -> QuerySet:
        raise NotImplementedError

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        ids = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(ids)
        entries = api_entries(
            self.entries_kind,
            list(ids if page is None else page),
            request=request,
            rows=self.readable(),
            serialize=lambda rows: self.get_serializer(rows, many=True).data,
        )
        return Response(entries) if page is None else self.get_paginated_response(entries)
