"""Roles are Django groups created by a migration; these predicates are the only way code asks.

Company and broker membership proper live in their apps; the groups here decide what the
navigation offers and what staff may do in the admin.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.models import User


class Role(models.TextChoices):
    COMPANY_MEMBER = "company_member", _("Company member")
    BROKER_MEMBER = "broker_member", _("Broker member")
    REVIEWER = "reviewer", _("Reviewer")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")


def roles_of(user: User | AnonymousUser) -> set[str]:
    """Return the names of the user's role groups, cached on the user for the request."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._portal_roles = cached
    return cached


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    return role.value in roles_of(user)


def is_company_member(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.COMPANY_MEMBER)


def is_broker_member(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.BROKER_MEMBER)


def is_reviewer(user: User | AnonymousUser) -> bool:
    return user.is_active and user.is_staff and has_role(user, Role.REVIEWER)


def is_manager(user: User | AnonymousUser) -> bool:
    return user.is_active and (
        user.is_superuser or (user.is_staff and has_role(user, Role.PROGRAMME_MANAGER))
    )


def staff_may_view(user: User | AnonymousUser, permission: str) -> bool:
    """A member of staff whose admin shows these rows (`permission` is "<app>.view_<model>"),
    so the files the admin links to open for them too."""
    return user.is_authenticated and user.is_staff and user.has_perm(permission)


def is_staff_member(user: User | AnonymousUser) -> bool:
    return is_reviewer(user) or is_manager(user)


def staff_with_role(role: Role) -> QuerySet[User]:
    """Active staff users in a role group (reviewers, programme managers)."""
    return User.objects.filter(is_active=True, is_staff=True, groups__name=role.value).distinct()
