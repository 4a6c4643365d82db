"""The companies API list keeps each company's public entry in the shared cache, as the products
and offers APIs do (portal/rest/entries.py): the answer is the one built from the rows, a change
shows at once, and a member's private details never reach the entries anonymous callers read."""

from __future__ import annotations

import pytest

from companies.models import Company
from tests.companies.factories import CompanyFactory

pytestmark = pytest.mark.django_db

COMPANIES = "/api/v1/companies/"
PRIVATE_FIELDS = ("national_id", "certificate_number", "phone", "address", "certificate_file")


@pytest.fixture(autouse=True)
def _entries_cached(settings) -> None:
    settings.PAGE_CACHE_SECONDS = 0  # the list is built each time; its entries come from the cache
    settings.FRAGMENT_CACHE_SECONDS = 300


def entry(client, company: Company, **headers: str) -> dict:
    response = client.get(COMPANIES, {"page_size": 100}, headers=headers)
    assert response.status_code == 200, response.content
    return next(item for item in response.json()["results"] if item["id"] == company.pk)


@pytest.mark.parametrize("query", [{"page_size": 20, "page": 2}, {"page_size": 100}, {"search": "Medical"}])
def test_a_page_from_cached_entries_is_the_page_built_from_the_rows_in_two_queries(
    client, settings, django_assert_num_queries, query
):
    for n in range(45):
        CompanyFactory(name_en=f"Medical Company {n:02d}")
    settings.FRAGMENT_CACHE_SECONDS = 0
    built = client.get(COMPANIES, query)
    settings.FRAGMENT_CACHE_SECONDS = 300
    with django_assert_num_queries(3):  # the count, the ids of the page and its companies
        cold = client.get(COMPANIES, query)
    with django_assert_num_queries(2):  # the count and the ids; every entry from the cache
        warm = client.get(COMPANIES, query)
    assert built.json()["results"]
    assert warm.content == cold.content == built.content  # byte for byte


def test_a_change_to_a_company_shows_in_the_api_at_once(client):
    company = CompanyFactory(name_en="Alpha Medical")
    assert entry(client, company)["name_en"] == "Alpha Medical"  # cached from here on
    company.name_en = "Alpha Medical Devices"
    company.city = "Tabriz"
    company.save()
    changed = entry(client, company)
    assert (changed["name_en"], changed["city"]) == ("Alpha Medical Devices", "Tabriz")
    company.status = Company.Status.SUSPENDED
    company.save()
    assert client.get(COMPANIES).json()["results"] == []


def test_a_members_private_details_stay_out_of_the_shared_entries(
    client, client_for, company, company_member
):
    member = client_for(company_member)
    own = entry(member, company)
    assert all(field in own for field in PRIVATE_FIELDS)  # the member's list, built for them
    public = entry(client, company)  # anonymous: filled from the rows, then from the cache
    assert not any(field in public for field in PRIVATE_FIELDS)
    assert entry(member, company)["national_id"] == company.national_id
    assert not any(field in entry(client, company) for field in PRIVATE_FIELDS)
