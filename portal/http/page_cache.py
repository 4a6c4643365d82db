"""Whole public pages cached in the shared cache for anonymous visitors.

A page is stored per language and full path (query string included) under a version number
that any change to public content raises: the apps name their public models in
`AppConfig.ready()` with `register_public_models`, and a save, delete or many-to-many change of
one of them makes every cached page stale at once, unless the row shows on no public page
before or after the change (a draft product saved again and again, a pending company's profile).
PAGE_CACHE_SECONDS bounds what no model change announces (an offer's "days left"); 0 turns the cache off.

Only anonymous GET and HEAD requests are served from it or stored in it, only complete 200
answers that carry no CSRF token and no flash message, so nobody sees a page made for someone
else. Answers say `Vary: Cookie` so shared caches downstream keep the same rule. They are stored
gzip-compressed and served so to clients that accept it (`Vary: Accept-Encoding`).

The public API lists are cached the same way, as JSON (`CachedPublicListMixin`): served before
DRF runs, to callers that send no credentials at all.

Staff pages that are read far more often than the rows under them change (the admin's application
and product lists, the programme dashboard) are cached per session instead (`cache_staff_page`):
the key holds the session and the CSRF cookie, so a page is only ever served back to the browser
it was made for, with a form token that browser's cookie accepts. A saved, deleted or linked row of
a model those pages show (`register_staff_models`, in the apps' `ready()`), or any public content
change, makes them all stale (`STAFF`); PAGE_CACHE_SECONDS bounds what no save announces (a bulk
update, a review becoming overdue overnight).

Every key of a cached rendering also holds the release (`settings.RELEASE`, config/release.py,
through `Generation.stamp`): the pages, cards and entries the previous release rendered stay in
Redis until their timeout, but a new release, with other templates, translations or code, never
reads them. The version numbers themselves are kept under keys of their own and survive a deploy.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

# The generations read while serving the current request: a page asks for the same number up to
# four times (page cache, filter fields, cards), one Redis round trip is enough. A context
# variable set by `generations_per_request` (a middleware) for the request's duration, so it
# follows the request under ASGI too; None elsewhere (Celery tasks and commands read the cache
# every time).
_request_memo: ContextVar[dict[str, int] | None] = ContextVar("generations_read", default=None)


def generations_per_request(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Middleware: each generation is read from the cache at most once per request."""

    def middleware(request: HttpRequest) -> HttpResponse:
        token = _request_memo.set({})
        try:
            return get_response(request)
        finally:
            _request_memo.reset(token)

    return middleware


class Generation:
    """A number kept in the shared cache that a change raises: the keys that carry it all go stale
    at once, with nothing to find and delete. Read once per request: a change made by the
    request itself is seen at once (advance() forgets the number read), a change made elsewhere
    meanwhile by the next request."""

    def __init__(self, key: str) -> None:
        self.key = key

    def current(self) -> int:
        memo = _request_memo.get()
        if memo is not None and self.key in memo:
            return memo[self.key]
        version = cache.get(self.key)
        if version is None:
            first = _first_number()
            cache.add(self.key, first, timeout=None)
            # Redis unreachable: a number of this request's own, which no copy was made under.
            version = cache.get(self.key, first)
        if memo is not None:
            memo[self.key] = version
        return version

    def stamp(self) -> str:
        """The part of a cached value's key this generation gives: the release and the number.
        A new release (settings.RELEASE) reads nothing the previous one rendered, with other
        templates, translations or code, while the number, kept under a key of its own, lives on."""
        return f"{settings.RELEASE}.{self.current()}"

    def advance(self) -> None:
        memo = _request_memo.get()
        if memo is not None:
            memo.pop(self.key, None)
        try:
            cache.incr(self.key)
        except ValueError:  # no version yet, or evicted: start a fresh one
            cache.add(self.key, _first_number(), timeout=None)

    def changed(self, **kwargs: object) -> None:
        """Advance now, so the writer's next read shows the change, and again once the transaction
        commits: a value built in between read the rows as they were, under the new number.
        The advance at commit is scheduled once per transaction, however many rows it saves.
        (A signal receiver; also callable directly.)"""
        self.advance()
        connection = transaction.get_connection()
        if not connection.in_atomic_block or not any(
            callback == self.advance for _savepoints, callback, _robust in connection.run_on_commit
        ):
            transaction.on_commit(self.advance)


def _first_number() -> int:
    """Where a generation starts, or starts again once Redis lost it (a restart, an eviction):
    the time in microseconds, above any number the generation reached before, since it rises by
    one per change. Starting again at 1 would name renderings of older content that processes may
    still hold copies of (the "fragments" cache)."""
    return time.time_ns() // 1000


PAGES = Generation("page-cache:version")


def content_version() -> str:
    """What every cached rendering of public content is keyed by (pages, cards, API entries, the
    catalog's filter fields): the release and the public content's generation."""
    return PAGES.stamp()


def filters_key(request: HttpRequest) -> str:
    """What a list's filter fields show, for their cached rendering: their language and values
    (not the search text nor the page), under the public content version (a new category or
    country changes the choices)."""
    values = sorted((k, v) for k, v in request.GET.lists() if k not in ("q", "page"))
    digest = hashlib.sha256(repr(values).encode()).hexdigest()
    return f"{content_version()}:{get_language()}:{digest}"


def cached_each(
    prefix: str, ids: list[int], render: Callable[[list[int]], dict[int, Any]], seconds: int
) -> list:
    """The renderings of `ids` kept under `prefix` (which holds `content_version()` and whatever
    else they depend on), in the order of `ids`: from this process's copies (the "fragments"
    cache), then one round trip for the rest, and only the missing ones
    rendered, by `render(missing ids) -> {id: rendering}`, and kept for `seconds`. An id `render`
    leaves out (a row gone meanwhile) is left out."""
    keys = {pk: f"{prefix}:{pk}" for pk in ids}
    fragments = caches["fragments"]
    found = fragments.get_many(list(keys.values()))
    missing = [pk for pk in ids if keys[pk] not in found]
    if missing:
        fresh = {keys[pk]: rendering for pk, rendering in render(missing).items()}
        fragments.set_many(fresh, seconds)
        found.update(fresh)
    return [found[keys[pk]] for pk in ids if keys[pk] in found]


def kept_cards(
    name: str, ids: list[int], read: Callable[[list[int]], list[Model]], template: str, **context: Any
) -> list[SafeString]:
    """The cards of the rows `ids` (`template`, given `row` under the name `name` and `context`),
    in their order: kept under the content version, today's date (what a card says may end with
    a day: a certificate's expiry, an offer's deadline), the language and `context`, so a list
    page renders only the cards missing from the cache. `read(ids)` gives the rows still public,
    in the order of `ids`; a row it leaves out (gone meanwhile) is left out."""

    def render(rows: list[Model]) -> dict[int, SafeString]:
        return {row.pk: render_to_string(template, {name: row, **context}) for row in rows}

    seconds = settings.FRAGMENT_CACHE_SECONDS
    if seconds <= 0:
        return list(render(read(ids)).values())
    shown = ":".join(f"{key}={value}" for key, value in sorted(context.items()))
    prefix = f"{name}-card:{content_version()}:{timezone.localdate()}:{get_language()}:{shown}"
    cards = cached_each(prefix, ids, lambda missing: render(read(missing)), seconds)
    return [mark_safe(card) for card in cards]  # noqa: S308 - rendered from our templates


def public_content_changed(**kwargs: object) -> None:
    """Make every cached page stale (a signal receiver; also callable directly). Staff pages show
    the same rows, so the bulk writes that announce themselves here reach them too."""
    PAGES.changed()
    STAFF.changed()


Shown = Callable[[Any, bool], bool]  # (instance, created) -> can the change show on a public page?


def register_public_models(*models: type[Model], shown: Shown | None = None) -> None:
    """Changes to these models show on public pages: each one makes the cached pages stale.

    `shown(instance, created)` narrows that to rows that are, or were until this change, visible
    to the public (`status_shown`, `parent_shown`); without it every change counts."""
    for model in models:
        uid = f"page_cache_{model._meta.label_lower}"
        receiver = _receiver(model, shown)
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}_delete")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(receiver, sender=through, weak=False, dispatch_uid=f"{uid}_{field.name}")


def _receiver(model: type[Model], shown: Shown | None) -> Callable[..., None]:
    def changed(sender: type, instance: Model | None = None, created: bool = False, **kwargs: Any) -> None:
        if shown is None or not isinstance(instance, model) or shown(instance, created):
            PAGES.changed()  # staff pages watch their own models (register_staff_models)
        if kwargs.get("signal") is post_save and "status" in instance.__dict__:
            instance.status_as_saved = instance.status  # what the next change compares with

    return changed


def status_shown(*public: str) -> Shown:
    """A row is public while its status is one of `public`: its change counts if it is public now
    or was before the change (hiding it counts too). The model mixes in portal.models.LoadedStatus."""

    def shown(instance: Any, created: bool) -> bool:
        before = None if created else getattr(instance, "status_as_saved", instance.status)
        return instance.status in public or before in public

    return shown


def parent_shown(parent: str, parent_rule: Shown) -> Shown:
    """A row shown on its parent's page (a product's certificate) counts when the parent does."""

    def shown(instance: Any, created: bool) -> bool:
        owner = getattr(instance, parent, None)
        return owner is None or parent_rule(owner, False)

    return shown


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not len(messages.get_messages(request))
    )


def _key(request: HttpRequest, kind: str = "page-gz") -> str:
    # The host and scheme too: the API's next/previous links and any absolute URL carry them.
    url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"{kind}-cache:{content_version()}:{get_language()}:{url}"


ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _packed(content: bytes) -> bytes:
    """Public answers are stored gzip-compressed (a 175 KB API page takes 20 KB): the cache holds
    seven times as many, and a client that accepts gzip gets them as stored, without the server
    compressing the same bytes again. They hold no secret (no form token), so compression cannot
    leak one (BREACH); staff pages, which do, are stored as they are."""
    return gzip.compress(content, compresslevel=6, mtime=0)


def _from_cache(request: HttpRequest, packed: bytes, content_type: str) -> HttpResponse:
    if ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(packed, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(packed), content_type=content_type)
    patch_vary_headers(response, ("Accept-Encoding",))
    response["X-Page-Cache"] = "hit"
    return response


def cache_public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's page to anonymous visitors from the shared cache (see the module)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not _cacheable_request(request):
            response = view(request, *args, **kwargs)
        else:
            key = _key(request)
            stored = cache.get(key)
            if stored is not None:
                response = _from_cache(request, *stored)
            else:
                response = view(request, *args, **kwargs)
                if (
                    response.status_code == 200
                    and not response.streaming
                    and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # the page holds a token
                    and not response.cookies
                ):
                    stored = (_packed(response.content), response["Content-Type"])
                    cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
                    response["X-Page-Cache"] = "miss"
        patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
        return response

    return wrapper


class CachedPublicListMixin:
    """A viewset whose public list is kept in the shared cache as JSON.

    Stored after DRF has authenticated the caller (session, or any header scheme), throttled it
    and chosen JSON; served before DRF runs, skipping authentication, throttling and negotiation,
    to callers that send no credentials at all (no Authorization header, no signed-in session) and
    do not ask for the browsable HTML page. Everyone else goes through DRF as usual."""

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        action = getattr(self, "action_map", {}).get(request.method.lower())
        if action == "list" and _credential_free_json_request(request):
            packed = cache.get(_key(request, kind="api-gz"))
            if packed is not None:
                response = _from_cache(request, packed, "application/json")
                patch_vary_headers(response, ("Accept", "Cookie", "Authorization"))
                return response
        return super().dispatch(request, *args, **kwargs)

    def list(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().list(request, *args, **kwargs)
        # `request.user` is DRF's here: neither the session nor a header scheme knew the caller.
        if response.status_code == 200 and request.accepted_renderer.format == "json":
            if _credential_free_json_request(request):
                # The view's own JSON renderer, compact whatever indent the caller asked for.
                packed = _packed(type(request.accepted_renderer)().render(response.data))
                cache.set(_key(request, kind="api-gz"), packed, settings.PAGE_CACHE_SECONDS)
                response["X-Page-Cache"] = "miss"
        patch_vary_headers(response, ("Cookie", "Authorization", "Accept-Encoding"))
        return response


def _credential_free_json_request(request: HttpRequest) -> bool:
    accept = request.META.get("HTTP_ACCEPT", "")
    return (
        _cacheable_request(request)
        and "HTTP_AUTHORIZATION" not in request.META
        and ("text/html" not in accept or request.GET.get("format") == "json")
    )


STAFF = Generation("staff-page-cache:version")


def staff_content_changed(**kwargs: object) -> None:
    """Make every cached staff page stale (a signal receiver; also callable directly)."""
    STAFF.changed()


def register_staff_models(*models: type[Model]) -> None:
    """Rows of these models show on cached staff pages: any save, delete or many-to-many change
    makes those pages stale. Named per model, in the apps' `ready()`, so the models staff pages
    never show (notifications, sessions, readiness rows) keep Django's fast bulk deletes and cost
    no cache round trip when written."""
    for model in models:
        uid = f"staff_page_cache_{model._meta.label_lower}"
        post_save.connect(staff_content_changed, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(staff_content_changed, sender=model, weak=False, dispatch_uid=f"{uid}_delete")
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                staff_content_changed, sender=through, weak=False, dispatch_uid=f"{uid}_{field.name}"
            )


def _staff_key(request: HttpRequest) -> str | None:
    """The cache key of this staff page for this browser, or None when it may not be cached."""
    user = getattr(request, "user", None)
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    csrf_secret = request.META.get("CSRF_COOKIE")
    if not (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and user is not None
        and user.is_authenticated
        and user.is_staff
        and session_key
        and csrf_secret
        and not len(messages.get_messages(request))
    ):
        return None
    browser = f"{user.pk}:{session_key}:{csrf_secret}:{request.build_absolute_uri()}"
    digest = hashlib.sha256(browser.encode()).hexdigest()
    return f"staff-cache:{STAFF.stamp()}:{get_language()}:{digest}"


def cache_staff_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve a staff page from the shared cache to the browser it was made for (see the module).

    Put it inside the admin's own wrapper (`admin_site.admin_view`), which still checks on every
    request that the user is active staff with a verified second factor."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        key = _staff_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response.render()
        if (
            response.status_code == 200
            and not response.streaming
            and _only_renews_csrf_cookie(request, response)
            and not len(messages.get_messages(request))  # the view did not leave a message to show
        ):
            cache.set(key, (response.content, response["Content-Type"]), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper


def _only_renews_csrf_cookie(request: HttpRequest, response: HttpResponse) -> bool:
    """The answer sets no cookie but the browser's own CSRF cookie again (the admin's views are
    csrf_protect'ed, which renews it whenever a form token is drawn): that one the key holds."""
    cookies = dict(response.cookies)
    renewed = cookies.pop(settings.CSRF_COOKIE_NAME, None)
    return not cookies and (renewed is None or renewed.value == request.META.get("CSRF_COOKIE"))


class CachedChangelistMixin:
    """A ModelAdmin whose list page is served from the staff page cache (`cache_staff_page`)."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        view = cache_staff_page(super().changelist_view)
        return view(request, extra_context)
