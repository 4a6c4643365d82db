"""The security log: who did what, when and from where (address, browser), read-only in the admin.

`security_event_record` is the one door for writing it; the receivers below connect it to Django's
log-in signals, django-axes' lockouts, and every 403 answered (`DeniedAccessLogMiddleware`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from portal.http.client import client_ip, user_agent
from portal.models import SecurityEvent, User

logger = logging.getLogger("portal.security")


def _ip_or_none(value: str) -> str | None:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_ipv46_address

    try:
        validate_ipv46_address(value)
    except ValidationError:
        return None
    return value


def security_event_record(
    request: HttpRequest | None,
    kind: SecurityEvent.Kind,
    *,
    user: User | None = None,
    username: str = "",
    detail: str = "",
) -> SecurityEvent:
    """Write one event; `user` defaults to the request's signed-in user."""
    # DRF passes its own Request, whose `user` would authenticate again (and fail again): unwrap it.
    request = getattr(request, "_request", request)
    if user is None and request is not None:
        current = getattr(request, "user", None)
        user = current if current is not None and current.is_authenticated else None
    if user is not None and not username:
        username = user.get_username()
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or "")[:254],
        ip_address=_ip_or_none(client_ip(request)) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
        path=(request.path if request is not None else "")[:255],
        detail=str(detail)[:255],
    )
    logger.info("security %s user=%s ip=%s path=%s", kind, username, event.ip_address, event.path)
    return event


# ---------------------------------------------------------------------------
# Signal receivers (connected in PortalConfig.ready)
# ---------------------------------------------------------------------------
def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    security_event_record(request, SecurityEvent.Kind.LOGIN, user=user)


def on_logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        security_event_record(request, SecurityEvent.Kind.LOGOUT, user=user)


def on_login_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    from portal.accounts.lockout import username_of

    refused = bool(request is not None and getattr(request, "axes_locked_out", False))
    security_event_record(
        request,
        SecurityEvent.Kind.LOGIN_FAILED,
        username=username_of(request, credentials) or "",
        detail="refused: locked out" if refused else "",
    )


def on_locked_out(sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any) -> None:
    counters = ", ".join(getattr(request, "lockout_counters", []) or [])
    security_event_record(
        request, SecurityEvent.Kind.LOCKED_OUT, username=username or "", detail=f"counters: {counters}"
    )


class DeniedAccessLogMiddleware:
    """Records every 403 the site answers (permission denials, CSRF failures, API refusals)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            security_event_record(
                request,
                SecurityEvent.Kind.PERMISSION_DENIED,
                user=user if user is not None and user.is_authenticated else None,
                detail=f"{request.method} {request.get_full_path()}"[:255],
            )
        return response
