from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from portal.permissions import Role, is_manager, is_reviewer
from tests.portal.factories import TargetCountryFactory

pytestmark = pytest.mark.django_db


def test_migration_creates_one_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}
    manager_perms = set(
        Group.objects.get(name=Role.PROGRAMME_MANAGER).permissions.values_list("codename", flat=True)
    )
    assert {"change_targetcountry", "view_notification"} <= manager_perms


def test_role_predicates(company_member, reviewer, manager):
    assert is_reviewer(reviewer)
    assert not is_manager(reviewer)
    assert is_manager(manager)
    assert not is_reviewer(company_member)
    assert not is_manager(company_member)


@pytest.mark.parametrize(
    ("persona", "sees_admin_link"),
    [
        ("anonymous", False),
        ("company_member", False),
        ("broker_member", False),
        ("reviewer", True),
        ("manager", True),
    ],
)
def test_navigation_offers_administration_only_to_staff(request, client_for, persona, sees_admin_link):
    user = request.getfixturevalue(persona)
    content = client_for(user).get("/en/").content.decode()
    assert ('href="/admin/"' in content) is sees_admin_link
    assert ("Log in" in content) is (user is None)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("company_member", 302), ("reviewer", 200), ("manager", 200)],
)
def test_admin_is_for_staff_only(request, client_for, persona, status):
    user = request.getfixturevalue(persona)
    assert client_for(user).get("/admin/").status_code == status


def test_manager_can_edit_countries_in_admin_and_reviewer_only_view(client_for, manager, reviewer):
    country = TargetCountryFactory(iso_code="IQ")
    url = f"/admin/portal/targetcountry/{country.pk}/change/"
    assert client_for(manager).get(url).status_code == 200
    response = client_for(manager).post(
        url,
        {
            "iso_code": "iq",
            "name_fa": "عراق",
            "name_en": "Iraq",
            "buyer_status": "confirmed",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    country.refresh_from_db()
    assert country.iso_code == "IQ"  # normalised by clean()
    assert country.name_en == "Iraq"
    assert client_for(reviewer).get(url).status_code == 200  # view only
    assert client_for(reviewer).post(url, {"iso_code": "IQ"}).status_code == 403
    assert client_for(reviewer).get("/admin/portal/user/").status_code == 403


def test_admin_country_form_shows_field_errors_not_500(client_for, manager):
    response = client_for(manager).post(
        "/admin/portal/targetcountry/add/", {"iso_code": "Iraq!", "name_fa": "", "name_en": "Iraq"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
