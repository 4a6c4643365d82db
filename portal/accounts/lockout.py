"""One lockout policy for every door: log-in (site and admin), API tokens, password reset, sign-up
and invitation links.

django-axes does the plumbing (its authentication backend refuses locked clients before any
password is checked, its signal receivers count failures, its middleware turns a lockout into a
response); this module is the policy, as an axes handler with three counters in the shared cache:

- pair: failures of one account from one address, up to LOCKOUT_PAIR_LIMIT; the lock lasts
  LOCKOUT_COOL_OFF after the last counted failure;
- address: failures from one address whatever the account, up to LOCKOUT_ADDRESS_LIMIT; the same;
- account: failures of one account from all addresses, up to LOCKOUT_ACCOUNT_LIMIT; the lock lasts
  LOCKOUT_COOL_OFF from the first failure and is never extended.

A refused attempt is not counted, so nobody extends a lockout by hammering it. The account counter
is the only one someone elsewhere can trip, and it is bounded: it ends LOCKOUT_COOL_OFF after it
began, and a successful password reset lifts it at once (`account_unlock`).

Doors that are not a password check (reset requests, sign-ups, invitation links, API tokens) use
`door_is_open` and `door_failed`, naming the counters they take part in.
"""

from __future__ import annotations

import hashlib
from typing import Any

from axes.handlers.cache import AxesCacheHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

PAIR, ADDRESS, ACCOUNT = "pair", "address", "account"
ALL_COUNTERS = (PAIR, ADDRESS, ACCOUNT)
# Requests that are not password checks (reset requests, sign-ups) take part in the pair and address
# counters only: nobody can lock an account by asking for its reset, and a locked account can still
# ask for the reset that unlocks it.
SHARED_DOOR = (PAIR, ADDRESS)
TIERS_KEY = "lockout_counters"  # in axes' credentials: which counters a door takes part in


def username_of(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The account an attempt names, as stored (e-mail addresses are lower-case); axes' callable."""
    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None and request.method == "POST":
        value = request.POST.get("username") or request.POST.get("email")
    value = str(value or "").strip().lower()[:254]
    return value or None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _counters(username: str | None, ip: str | None, which: tuple[str, ...]) -> dict[str, tuple[str, int]]:
    """{counter: (cache key, limit)} for the counters that apply to this attempt."""
    counters = {}
    if PAIR in which and username and ip:
        counters[PAIR] = (f"lockout:pair:{_digest(username, ip)}", settings.LOCKOUT_PAIR_LIMIT)
    if ADDRESS in which and ip:
        counters[ADDRESS] = (f"lockout:address:{_digest(ip)}", settings.LOCKOUT_ADDRESS_LIMIT)
    if ACCOUNT in which and username:
        counters[ACCOUNT] = (f"lockout:account:{_digest(username)}", settings.LOCKOUT_ACCOUNT_LIMIT)
    return counters


def _attempt(request: HttpRequest, credentials: dict[str, Any] | None) -> dict[str, tuple[str, int]]:
    credentials = credentials or {}
    which = tuple(credentials.get(TIERS_KEY) or ALL_COUNTERS)
    AxesProxyHandler.update_request(request)
    return _counters(username_of(request, credentials), request.axes_ip_address, which)


def _cool_off_seconds() -> int:
    return int(settings.LOCKOUT_COOL_OFF.total_seconds())


class TieredLockoutHandler(AxesCacheHandler):
    """An axes handler that gives each counter its own limit and lifetime (see the module doc)."""

    def locked_counters(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> list[str]:
        counters = _attempt(request, credentials)
        counts = cache.get_many([key for key, _limit in counters.values()])
        return [name for name, (key, limit) in counters.items() if counts.get(key, 0) >= limit]

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        return bool(self.locked_counters(request, credentials))

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        counters = _attempt(request, credentials)
        return max(cache.get_many([key for key, _limit in counters.values()]).values(), default=0)

    def user_login_failed(self, sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs):
        if request is None or not settings.AXES_ENABLED:
            return
        if getattr(request, "axes_locked_out", False) or self.is_whitelisted(request, credentials):
            return  # refused while locked: not counted, so a lockout is never extended
        reached = []
        for name, (key, limit) in _attempt(request, credentials).items():
            count = self._count(key, sliding=name != ACCOUNT)
            if count >= limit:
                reached.append(name)
        if reached:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            request.lockout_counters = reached
            user_locked_out.send(
                "axes",
                request=request,
                username=username_of(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def _count(self, key: str, *, sliding: bool) -> int:
        timeout = _cool_off_seconds()
        if cache.add(key, 1, timeout=timeout):
            return 1
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=timeout)
            return 1
        if sliding:
            cache.touch(key, timeout)
        return count

    def user_logged_in(self, sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        """A success resets nothing: counts from other addresses must stand."""

    def reset_attempts(
        self, *, ip_address: str | None = None, username: str | None = None, ip_or_username: bool = False
    ) -> int:
        """Lift the account counter of `username`, the counter of `ip_address`, and their pair."""
        username = (username or "").strip().lower() or None
        keys = [key for key, _limit in _counters(username, ip_address, ALL_COUNTERS).values()]
        if username and ip_address is None:
            keys = [key for key, _limit in _counters(username, None, (ACCOUNT,)).values()]
        cache.delete_many(keys)
        return len(keys)


# ---------------------------------------------------------------------------
# Doors other than a password check
# ---------------------------------------------------------------------------
def door_is_open(
    request: HttpRequest, *, username: str | None = None, counters: tuple[str, ...] = ALL_COUNTERS
) -> bool:
    """False when this client (and account, if named) is locked out for the given counters."""
    if not settings.AXES_ENABLED:
        return True
    return AxesProxyHandler.is_allowed(request, {"username": username, TIERS_KEY: counters})


def door_failed(
    request: HttpRequest, *, door: str, username: str | None = None, counters: tuple[str, ...] = ALL_COUNTERS
) -> bool:
    """Count one attempt at a door (a failure, or for rare-by-nature doors any use); True if it
    reached a limit, so that the next attempt will be refused."""
    if not settings.AXES_ENABLED:
        return False
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().user_login_failed(
        door, {"username": username, TIERS_KEY: counters}, request=request
    )
    locked = bool(getattr(request, "axes_locked_out", False))
    # This attempt itself was within the limit and gets its normal answer; the next one is refused.
    request.axes_locked_out = False
    return locked


def form_door_passed(request: HttpRequest, form: Any, *, door: str, username: str) -> bool:
    """The gate of a form that mails an account-holder (sign-up, password reset): closed, the
    form gets the lockout as its error and the caller answers 429; open, the use is counted
    against the address and the address-and-account pair, and the form goes on."""
    if not door_is_open(request, username=username, counters=SHARED_DOOR):
        form.add_error(None, lockout_message())
        return False
    door_failed(request, door=door, username=username, counters=SHARED_DOOR)
    return True


def secret_link_object(request: HttpRequest, queryset: QuerySet, *, door: str, **lookup: Any) -> Any:
    """get_object_or_404 for links that carry a secret (invitations): a miss counts against the
    address, so nobody can walk through guesses. Check `door_is_open(request, counters=(ADDRESS,))`
    first and answer `lockout_response(request)` when it is closed."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        door_failed(request, door=door, counters=(ADDRESS,))
        raise Http404
    return obj


def account_unlock(request: HttpRequest | None, *, username: str) -> None:
    """Lift an account's lockout (after a successful password reset), and its pair with this client."""
    ip = None
    if request is not None:
        AxesProxyHandler.update_request(request)
        ip = request.axes_ip_address
    keys = [
        key for name, (key, _l) in _counters(username.lower(), ip, ALL_COUNTERS).items() if name != ADDRESS
    ]
    cache.delete_many(keys)


def lockout_message() -> str:
    minutes = _cool_off_seconds() // 60
    return _("Too many failed attempts. Please wait %(minutes)d minutes, or reset your password.") % {
        "minutes": minutes
    }


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """What a locked-out client sees (axes' AXES_LOCKOUT_CALLABLE): 429, in the page's language.

    A form that already showed the lockout as its own error keeps its page, with status 429.
    """
    if request.path.startswith("/api/"):
        error = {"code": "locked_out", "message": lockout_message(), "fields": {}}
        response = JsonResponse({"error": error}, status=429)  # the API's error shape (portal.rest.plumbing)
    elif original_response is not None and getattr(request, "lockout_shown", False):
        response = original_response
        response.status_code = 429
    else:
        response = render(request, "registration/locked_out.html", {"message": lockout_message()}, status=429)
    response["Retry-After"] = str(_cool_off_seconds())
    return response
