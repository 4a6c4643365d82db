"""The answer of an access rule, and how pages and the API act on it.

Each rule is one predicate in its app's `permissions` module that returns an `Access`: allowed,
or refused with the reason the user reads ("Your brokerage is awaiting the centre's approval").
Pages, the API, the admin, media serving and services all ask the same predicate; none of them
re-derives a rule from statuses. An `Access` is truthy when allowed, unpacks as
`(allowed, reason)`, and `.require()` raises `Refused` (a PermissionDenied carrying the reason),
which the 403 page and the API's error shape both show.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.views import APIView


class Refused(PermissionDenied):
    """Access refused, with the reason shown to the user (may be empty)."""


@dataclass(frozen=True)
class Access:
    allowed: bool
    reason: str | Promise = ""

    def __bool__(self) -> bool:
        return self.allowed

    def __iter__(self) -> Iterator[object]:
        return iter((self.allowed, str(self.reason)))

    def require(self) -> None:
        """Raise `Refused` with the reason unless allowed."""
        if not self.allowed:
            raise Refused(str(self.reason))


ALLOWED = Access(True)


def refuse(reason: str | Promise = "") -> Access:
    return Access(False, reason)


class WriteAccess(permissions.BasePermission):
    """DRF permission: anyone may read; a write needs the view's `write_access(user)` rule.

    Anonymous writers get DRF's 401/403 "not authenticated"; signed-in ones refused by the rule
    get a 403 that carries the rule's reason."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if not request.user.is_authenticated:
            return False
        access = view.write_access(request.user)
        if not access:
            raise exceptions.PermissionDenied(str(access.reason) or None)
        return True
