"""Small request helpers shared by the apps."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address, as our own proxies saw it.

    With `TRUSTED_PROXY_COUNT` = N > 0, each of our N proxies appended the address it received the
    request from to X-Forwarded-For, so the client is the N-th entry from the right; anything left
    of it was written by the client and is ignored. With N = 0 the header is not trusted at all.
    The same rule as DRF's throttles (`NUM_PROXIES`), which the settings set to the same N.
    """
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if proxies else ""
    if forwarded:
        entries = [entry.strip() for entry in forwarded.split(",")]
        return entries[-min(proxies, len(entries))] or remote or "unknown"
    return remote or "unknown"


def user_agent(request: HttpRequest) -> str:
    return (request.META.get("HTTP_USER_AGENT") or "")[:255]


def count_attempt(key: str, *, window_seconds: int) -> int:
    """Add one to a counter that lives `window_seconds` from its first hit; return the count."""
    from django.core.cache import cache

    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1
