"""Who sees the export results beyond the public page: programme managers (and superusers)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from portal.models import User
from portal.permissions import is_manager


def can_see_results(user: User | AnonymousUser) -> bool:
    """Company and brokerage figures side by side: the centre's programme managers only."""
    return is_manager(user)


class SeesResults(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated and can_see_results(request.user))
