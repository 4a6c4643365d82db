from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from .permissions import inbox_scope


def inbox(request: HttpRequest) -> dict[str, Any]:
    """The inbox link in the header: whether the user has one, and how many inquiries in it wait
    for a first reply (each computed once, and only when the header shows it)."""
    user = request.user

    @cache
    def has_inbox() -> bool:
        return inbox_scope(user).has_inbox

    @cache
    def unanswered() -> int:
        return inbox_scope(user).inquiries().unanswered().count() if has_inbox() else 0

    return {"inquiry_inbox": {"shown": has_inbox, "unanswered": unanswered}}
