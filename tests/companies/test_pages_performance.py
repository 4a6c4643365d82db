"""The company directory and a large company's page: paginated, at a constant query count."""

from __future__ import annotations

import re

import pytest

from companies.models import Company, Province
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.portal.factories import UserFactory
from tests.products.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_company():
    """A manufacturer with 30 published products (and drafts the public never sees)."""
    company = CompanyFactory(name_en="Big Mask Maker")
    categories = [CategoryFactory(slug=slug) for slug in ("masks", "ventilators", "test-kits")]
    for n in range(30):
        ProductFactory(company=company, category=categories[n % 3], name_en=f"Product {n:02d}")
    ProductFactory.create_batch(3, company=company, draft=True)
    return company


@pytest.fixture
def thirty_companies():
    return [
        CompanyFactory(name_en=f"Company {n:02d}", province=(Province.TEHRAN, Province.FARS)[n % 2])
        for n in range(30)
    ]


@pytest.mark.parametrize(
    "query", ["", "?page=2", "?province=fars", "?q=Company+1", "?q=%D8%B4%D8%B1%DA%A9%D8%AA"]
)
def test_directory_costs_a_constant_number_of_queries(
    client, settings, thirty_companies, django_assert_num_queries, query
):
    settings.FRAGMENT_CACHE_SECONDS = 300  # the cards are kept, as in production
    with django_assert_num_queries(3):  # the count, the ids of the page and its companies
        cold = client.get(f"/en/companies/{query}")
    with django_assert_num_queries(2):  # the count and the ids: the cards come from the cache
        warm = client.get(f"/en/companies/{query}")
    assert cold.status_code == warm.status_code == 200
    assert list(cold.context["page_obj"])
    assert warm.context["cards"] == cold.context["cards"]


def test_directory_pages_by_24_in_name_order(client, thirty_companies):
    first, second = (client.get("/en/companies/", {"page": page}) for page in (1, 2))
    shown = [*first.context["page_obj"], *second.context["page_obj"]]
    assert len(first.context["cards"]) == 24
    assert shown == [c.pk for c in sorted(thirty_companies, key=lambda c: c.name_en)]
    # Each card is its company's, in that order.
    links = re.findall(r'href="/en/companies/(\d+)/"', first.content.decode() + second.content.decode())
    assert [int(pk) for pk in links] == shown


def test_a_directory_card_changes_with_its_company_and_its_language(client, settings):
    settings.FRAGMENT_CACHE_SECONDS = 300
    company = CompanyFactory(name_en="Alpha Medical", name_fa="شرکت آلفا")
    assert "Alpha Medical" in client.get("/en/companies/").content.decode()  # the card is kept
    assert "شرکت آلفا" in client.get("/fa/companies/").content.decode()
    company.name_en = "Alpha Medical Devices"
    company.save()
    assert "Alpha Medical Devices" in client.get("/en/companies/").content.decode()
    company.status = Company.Status.SUSPENDED
    company.save()
    assert "Alpha Medical" not in client.get("/en/companies/").content.decode()


@pytest.mark.parametrize("page", ["", "?page=2"])
def test_company_page_costs_a_constant_number_of_queries(
    client, big_company, django_assert_num_queries, page
):
    with django_assert_num_queries(3):  # the company, the product count and the page of products
        response = client.get(f"/en/companies/{big_company.pk}/{page}")
    assert response.status_code == 200


def test_members_see_their_company_page_at_a_constant_cost(
    client_for, big_company, django_assert_max_num_queries
):
    member = UserFactory()
    MembershipFactory(company=big_company, user=member)
    client = client_for(member)
    client.get(f"/en/companies/{big_company.pk}/")
    # + session, user, membership, unread notifications, roles, unanswered inquiries (the header)
    with django_assert_max_num_queries(9):
        assert client.get(f"/en/companies/{big_company.pk}/").status_code == 200


def test_company_page_shows_24_products_a_page_and_links_to_the_next(client, big_company):
    response = client.get(f"/en/companies/{big_company.pk}/")
    page = response.context["page_obj"]
    assert (len(page), page.paginator.count, page.paginator.num_pages) == (24, 30, 2)
    content = response.content.decode()
    assert "page=2" in content
    rest = client.get(f"/en/companies/{big_company.pk}/?page=2").context["page_obj"]
    shown = {p.pk for p in (*page, *rest)}
    assert shown == set(big_company.products.filter(status="published").values_list("pk", flat=True))


def test_company_page_past_the_last_page_shows_the_last(client, big_company):
    page = client.get(f"/en/companies/{big_company.pk}/?page=99").context["page_obj"]
    assert page.number == 2


def test_a_company_without_products_says_so(client):
    company = CompanyFactory()
    response = client.get(f"/en/companies/{company.pk}/")
    assert "No published products yet." in response.content.decode()
    assert Company.objects.filter(pk=company.pk).exists()


def test_the_member_dashboard_costs_the_same_however_many_products_and_members(
    client_for, company, company_member, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(company_member)
    ProductFactory(company=company)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/fa/companies/mine/").status_code == 200
    ProductFactory.create_batch(20, company=company)
    ProductFactory.create_batch(5, company=company, draft=True)
    for n in range(5):
        MembershipFactory(company=company, user=UserFactory(email=f"colleague{n}@company.example"))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/fa/companies/mine/")
    assert len(response.context["members"]) == 6
