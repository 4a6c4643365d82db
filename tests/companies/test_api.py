from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from companies.models import Company, Province
from tests.companies.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db

COMPANIES = "/api/v1/companies/"
PRIVATE_FIELDS = ("national_id", "certificate_number", "phone", "address", "certificate_file")


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["name_en"] for item in response.json()["results"]}


@pytest.mark.parametrize(
    ("persona", "sees_private"),
    [
        ("anonymous", False),
        ("signed_up_user", False),
        ("other_company_member", False),
        ("broker_member", False),
        ("reviewer", False),
        ("company_member", True),
    ],
)
def test_private_company_details_are_shown_only_to_the_companys_members(
    request, client_for, company, persona, sees_private
):
    client = client_for(request.getfixturevalue(persona))
    data = client.get(f"{COMPANIES}{company.pk}/").json()
    assert data["name_en"] == "Alpha Medical Equipment"
    for field in PRIVATE_FIELDS:
        assert (field in data) is sees_private, field
    if sees_private:
        assert data["national_id"] == company.national_id
        assert data["phone"] == company.phone
        assert data["certificate_file"].startswith("http://testserver/media/companies/certificates/")


def test_in_the_list_a_member_sees_private_details_of_their_own_company_only(
    client_for, company, company_member, other_company
):
    results = client_for(company_member).get(COMPANIES).json()["results"]
    by_id = {item["id"]: item for item in results}
    assert by_id[company.pk]["national_id"] == company.national_id
    assert "national_id" not in by_id[other_company.pk]
    assert "phone" not in by_id[other_company.pk]


def test_company_shows_its_public_profile(client_for):
    company = CompanyFactory(
        name_fa="شرکت گاما",
        name_en="Gamma",
        province=Province.FARS,
        city="شیراز",
        website="https://gamma.example",
        expired_certificate=True,
    )
    data = client_for(None).get(f"{COMPANIES}{company.pk}/", HTTP_ACCEPT_LANGUAGE="fa").json()
    assert data["name"] == "شرکت گاما"
    assert (data["province"], data["city"], data["website"]) == ("fars", "شیراز", "https://gamma.example")
    assert data["status"] == "verified"
    assert data["certificate_expired"] is True
    assert data["certificate_expiry"] == (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert data["logo"] is None


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 404),
        ("other_company_member", 404),
        ("company_member", 404),
        ("pending_member", 200),
    ],
)
def test_a_pending_company_is_visible_only_to_its_own_members(request, client_for, persona, expected):
    pending = CompanyFactory(pending=True, name_en="Pending Co")
    if persona == "pending_member":
        user = MembershipFactory(company=pending).user
    else:
        user = request.getfixturevalue(persona)
    client = client_for(user)
    response = client.get(f"{COMPANIES}{pending.pk}/")
    assert response.status_code == expected
    assert ("Pending Co" in names(client.get(COMPANIES))) is (expected == 200)
    if expected == 200:
        assert response.json()["status"] == "pending"
        assert response.json()["national_id"] == pending.national_id


def test_suspended_companies_leave_the_public_list(client_for, company):
    CompanyFactory(suspended=True, name_en="Suspended Co")
    assert names(client_for(None).get(COMPANIES)) == {"Alpha Medical Equipment"}


def test_company_list_has_a_count(client_for, company, other_company):
    assert client_for(None).get(COMPANIES).json()["count"] == 2


def test_companies_filter_by_province_and_type(client_for):
    CompanyFactory(name_en="Shiraz Labs", province=Province.FARS, company_type=Company.Type.LIMITED)
    CompanyFactory(name_en="Shiraz Coop", province=Province.FARS, company_type=Company.Type.COOPERATIVE)
    CompanyFactory(name_en="Tehran Labs", province=Province.TEHRAN, company_type=Company.Type.LIMITED)
    client = client_for(None)
    assert names(client.get(COMPANIES, {"province": "fars"})) == {"Shiraz Labs", "Shiraz Coop"}
    assert names(client.get(COMPANIES, {"company_type": "limited"})) == {"Shiraz Labs", "Tehran Labs"}
    assert names(client.get(COMPANIES, {"province": "fars", "company_type": "limited"})) == {"Shiraz Labs"}


@pytest.mark.parametrize("text", ["آلفا", "alpha"])
def test_companies_search_by_persian_or_english_name(client_for, company, other_company, text):
    assert names(client_for(None).get(COMPANIES, {"search": text})) == {"Alpha Medical Equipment"}


def test_companies_search_does_not_look_at_the_national_id(client_for, company):
    assert names(client_for(None).get(COMPANIES, {"search": company.national_id})) == set()


@pytest.mark.parametrize(("persona", "expected"), [("anonymous", 403), ("company_member", 405)])
def test_companies_are_read_only_in_the_api(request, client_for, company, persona, expected):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(COMPANIES, {}, content_type="application/json").status_code == expected
    response = client.patch(f"{COMPANIES}{company.pk}/", {"name_en": "x"}, content_type="application/json")
    assert response.status_code == expected
    company.refresh_from_db()
    assert company.name_en == "Alpha Medical Equipment"


def test_company_list_query_count_does_not_grow_with_length(
    client_for, company_member, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(company_member)
    CompanyFactory.create_batch(2)
    with django_assert_max_num_queries(10) as few:
        assert client.get(COMPANIES).json()["count"] == 3
    CompanyFactory.create_batch(12)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(COMPANIES).json()["count"] == 15
