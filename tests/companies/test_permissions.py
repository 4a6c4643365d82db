"""companies.permissions, predicate by predicate: who works for which company, who may change it,
and who may open its certificate scan."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import translation

from companies.permissions import (
    can_act_for_own_company,
    can_edit_company,
    can_see_certificate_file,
    company_is_active,
    company_of,
    get_own_company,
    is_member,
)
from tests.companies.factories import CompanyFactory, company_suspend_now

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as a new request sees them (the predicates cache the company on the object)."""
    return type(user).objects.get(pk=user.pk) if user is not None else AnonymousUser()


@pytest.mark.parametrize(
    ("persona", "theirs"),
    [("company_member", "company"), ("other_company_member", "other_company"), ("signed_up_user", None),
     ("broker_member", None), ("manager", None), ("anonymous", None)],
)  # fmt: skip
def test_company_of_is_the_users_own_company_or_none(request, persona, theirs):
    user = fresh(request.getfixturevalue(persona))
    expected = request.getfixturevalue(theirs) if theirs else None
    assert company_of(user) == expected
    if expected is None:
        with pytest.raises(Http404):
            get_own_company(user)
    else:
        assert get_own_company(user) == expected


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("company_member", True), ("other_company_member", False), ("manager", False),
     ("signed_up_user", False), ("anonymous", False)],
)  # fmt: skip
def test_only_members_edit_their_company(request, company, persona, allowed):
    user = fresh(request.getfixturevalue(persona))
    assert is_member(user, company) is allowed
    access = can_edit_company(user, company)
    assert bool(access) is allowed
    if not allowed:
        with translation.override("en"):
            assert str(access.reason) == "Only the company's members can change it."


def test_a_suspended_company_is_read_only_for_its_members(company, company_member):
    assert company_is_active(company)
    company_suspend_now(company)
    with translation.override("en"):
        for access in (company_is_active(company), can_edit_company(fresh(company_member), company)):
            assert not access
            assert "suspended" in str(access.reason)
        assert is_member(fresh(company_member), company)  # still theirs to read


def test_acting_for_ones_own_company_needs_one(company_member, signed_up_user):
    assert can_act_for_own_company(fresh(company_member))
    refused = can_act_for_own_company(fresh(signed_up_user))
    assert not refused
    with translation.override("en"):
        assert str(refused.reason) == "Register your company first."


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("company_member", True), ("manager", True), ("reviewer", True), ("other_company_member", False),
     ("broker_member", False), ("anonymous", False)],
)  # fmt: skip
def test_the_certificate_scan_is_for_members_and_staff(request, company, persona, sees):
    assert (
        can_see_certificate_file(fresh(request.getfixturevalue(persona)), company.certificate_file.name)
        is sees
    )


def test_a_member_sees_only_their_own_companys_scan(company_member):
    assert not can_see_certificate_file(fresh(company_member), CompanyFactory().certificate_file.name)
