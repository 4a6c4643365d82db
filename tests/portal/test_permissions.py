"""portal.permissions: the roles every app asks about. A role is a group; staff roles need an
active staff account as well; a superuser counts as a manager."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from portal.permissions import (
    Role,
    is_broker_member,
    is_company_member,
    is_manager,
    is_reviewer,
    is_staff_member,
    roles_of,
    staff_may_view,
    staff_with_role,
)
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as a new request sees them (roles are cached on the object)."""
    return type(user).objects.get(pk=user.pk) if user is not None else AnonymousUser()


@pytest.mark.parametrize(
    ("persona", "as_company", "as_broker", "as_reviewer", "as_manager"),
    [("company_member", True, False, False, False), ("broker_member", False, True, False, False),
     ("reviewer", False, False, True, False), ("manager", False, False, False, True),
     ("signed_up_user", False, False, False, False), ("anonymous", False, False, False, False)],
)  # fmt: skip
def test_each_persona_has_exactly_its_role(request, persona, as_company, as_broker, as_reviewer, as_manager):
    user = fresh(request.getfixturevalue(persona))
    assert (is_company_member(user), is_broker_member(user), is_reviewer(user), is_manager(user)) == (
        as_company, as_broker, as_reviewer, as_manager,
    )  # fmt: skip
    assert is_staff_member(user) is (as_reviewer or as_manager)


def test_a_staff_role_needs_an_active_staff_account():
    not_staff = UserFactory(is_staff=False, roles=[Role.REVIEWER, Role.PROGRAMME_MANAGER])
    inactive = UserFactory(is_staff=True, is_active=False, roles=[Role.PROGRAMME_MANAGER])
    assert roles_of(fresh(not_staff)) == {Role.REVIEWER.value, Role.PROGRAMME_MANAGER.value}
    assert not is_reviewer(fresh(not_staff))
    assert not is_manager(fresh(not_staff))
    assert not is_manager(fresh(inactive))
    assert list(staff_with_role(Role.PROGRAMME_MANAGER)) == []


def test_a_superuser_is_a_manager_without_the_group():
    assert is_manager(fresh(UserFactory(is_staff=True, is_superuser=True)))


def test_staff_with_role_lists_active_staff_once(manager, reviewer):
    assert list(staff_with_role(Role.PROGRAMME_MANAGER)) == [manager]
    assert list(staff_with_role(Role.REVIEWER)) == [reviewer]


@pytest.mark.parametrize(
    ("persona", "may"), [("manager", True), ("company_member", False), ("anonymous", False)]
)
def test_staff_may_view_what_their_admin_shows(request, persona, may):
    assert staff_may_view(fresh(request.getfixturevalue(persona)), "companies.view_company") is may
