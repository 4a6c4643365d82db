from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from portal import permissions


def portal(request: HttpRequest) -> dict[str, Any]:
    """Navigation facts for the header; each is computed at most once, and only if shown."""
    user = request.user

    @cache
    def unread_count() -> int:
        return user.notifications.unread().count() if user.is_authenticated else 0

    def is_staff_member() -> bool:
        return user.is_superuser or permissions.is_staff_member(user)

    def menu() -> str:
        """Which account menu the header shows: its links depend on this alone."""
        if permissions.is_company_member(user):
            return "company"
        if permissions.is_broker_member(user):
            return "broker"
        return "staff" if is_staff_member() else "visitor"

    return {
        "nav": {
            "is_company_member": lambda: permissions.is_company_member(user),
            "is_broker_member": lambda: permissions.is_broker_member(user),
            "is_staff_member": is_staff_member,
            "menu": menu,
        },
        "unread_notifications": unread_count,
        # How long the header's and footer's fixed parts are kept in the cache (0: not at all).
        "chrome_seconds": settings.FRAGMENT_CACHE_SECONDS,
        # The release those parts are kept under: a new one renders them anew (config/release.py).
        "portal_release": settings.RELEASE,
    }
