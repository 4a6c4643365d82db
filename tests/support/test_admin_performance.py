"""The reviewers' workplace at scale: constant query counts, a short reviewer filter, exact search.

Each list gets enough rows (36 applications, 40 products) that an N+1 query would show as a
count that grows with the page. The bounds are those with the session in the cache (Redis), plus
its read from the database where there is no cache to hold it (`session_read`).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.http.pagination import LargeTablePaginator
from portal.permissions import Role
from support.admin import ReviewerFilter
from support.models import Application, Status
from tests.companies.factories import CompanyFactory
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import CategoryFactory, ProductFactory
from tests.support.factories import ProgramFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/support/application/"
PRODUCTS = "/admin/products/product/"
DASHBOARD = "/admin/support/application/dashboard/"
ROWS = 36


@pytest.fixture
def programs():
    return ProgramFactory(name_en="Shipping"), ProgramFactory(name_en="Fairs")


@pytest.fixture
def applications(programs, reviewer):
    """36 applications of six companies: a third assigned to `reviewer`, a third to nobody
    (under review), a third to another reviewer; two programmes, references EXP-1405-000001…"""
    other_reviewer = UserFactory(is_staff=True, roles=[Role.REVIEWER], full_name="Other Reviewer")
    companies = [CompanyFactory(name_en=f"Company {n}", name_fa=f"شرکت کیمیا {n}") for n in range(6)]
    companies[0].name_fa, companies[0].name_en = "شرکت پارس طب", "Pars Teb"
    companies[0].save()
    category = CategoryFactory(slug="masks")
    country = TargetCountryFactory(iso_code="IQ")
    now = timezone.now()
    rows = Application.objects.bulk_create(
        Application(
            program=programs[n % 2],
            company=companies[n % 6],
            reference=f"EXP-1405-{n + 1:06d}",
            requested_amount=Decimal("1000"),
            justification="Shipping masks",
            status=Status.UNDER_REVIEW if n % 3 != 2 else Status.APPROVED,
            assigned_reviewer=(reviewer, None, other_reviewer)[n % 3],
            submitted_at=now - timezone.timedelta(days=n),
            review_due_at=now + timezone.timedelta(days=14 - n),
        )
        for n in range(ROWS)
    )
    products = {c.pk: ProductFactory(company=c, category=category) for c in companies}
    Application.products.through.objects.bulk_create(
        Application.products.through(application=a, product=products[a.company_id]) for a in rows
    )
    Application.countries.through.objects.bulk_create(
        Application.countries.through(application=a, targetcountry=country) for a in rows
    )
    return rows


def results(response) -> list[Application]:
    return list(response.context["cl"].result_list)


# --- query counts ------------------------------------------------------------------------------
LIST_QUERIES = [
    ("", 11),
    ("?status__exact=under_review", 11),
    ("?program__id__exact={program}", 11),
    ("?status__exact=under_review&program__id__exact={program}", 11),
    ("?q=EXP-1405-000004", 11),
    ("?q=EXP-1405-00001", 11),
    ("?q=Pars", 12),  # the matching companies' ids first
]


@pytest.mark.parametrize(("query", "queries"), LIST_QUERIES)
@pytest.mark.parametrize("persona", ["reviewer", "manager"])
def test_application_list_costs_a_constant_number_of_queries(
    request, client_for, programs, applications, django_assert_max_num_queries, session_read, persona,
    query, queries,
):  # fmt: skip
    client = client_for(request.getfixturevalue(persona))
    url = CHANGELIST + query.format(program=programs[0].pk)
    client.get(url)  # warm the per-process caches (content types, translations)
    with django_assert_max_num_queries(queries + session_read):
        response = client.get(url)
    assert response.status_code == 200
    assert results(response)


def test_the_page_shows_25_rows_and_no_date_hierarchy(client_for, manager, applications):
    response = client_for(manager).get(CHANGELIST)
    assert len(results(response)) == 25
    assert response.context["cl"].date_hierarchy is None
    assert "?p=2" in response.content.decode()


# --- the assigned-reviewer filter ---------------------------------------------------------------
def test_reviewer_filter_lists_only_active_staff_reviewers(client_for, manager, reviewer, applications):
    for n in range(30):
        UserFactory(email=f"member{n}@company.example", roles=[Role.COMPANY_MEMBER])
    UserFactory(email="former@centre.example", is_staff=True, is_active=False, roles=[Role.REVIEWER])
    UserFactory(email="not-staff@centre.example", roles=[Role.REVIEWER])
    response = client_for(manager).get(CHANGELIST)
    [spec] = [s for s in response.context["cl"].filter_specs if isinstance(s, ReviewerFilter)]
    assert {label for _pk, label in spec.lookup_choices} == {"Other Reviewer", str(reviewer)}
    content = response.content.decode()
    assert "member7@company.example" not in content
    assert "former@centre.example" not in content


def test_reviewer_filter_filters_by_reviewer_and_by_nobody(client_for, manager, reviewer, applications):
    client = client_for(manager)
    mine = results(client.get(CHANGELIST, {"assigned_reviewer__id__exact": reviewer.pk, "all": ""}))
    assert {a.assigned_reviewer_id for a in mine} == {reviewer.pk}
    nobody = results(client.get(CHANGELIST, {"assigned_reviewer__isnull": "True"}))
    assert nobody
    assert all(a.assigned_reviewer_id is None for a in nobody)


# --- search ------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["EXP-1405-000004", "exp-1405-000004", " EXP-۱۴۰۵-۰۰۰۰۰۴ "])
def test_searching_a_reference_finds_exactly_that_application(client_for, manager, applications, typed):
    found = results(client_for(manager).get(CHANGELIST, {"q": typed}))
    assert [a.reference for a in found] == ["EXP-1405-000004"]


def test_searching_the_beginning_of_a_reference_finds_those_it_starts(client_for, manager, applications):
    found = results(client_for(manager).get(CHANGELIST, {"q": "EXP-1405-00001"}))
    assert sorted(a.reference for a in found) == [f"EXP-1405-{n:06d}" for n in range(10, 20)]


@pytest.mark.parametrize("typed", ["Pars", "pars teb", "پارس", "طب پارس", "شركت پارس"])
def test_searching_a_company_name_finds_its_applications(client_for, manager, applications, typed):
    found = results(client_for(manager).get(CHANGELIST, {"q": typed}))
    assert len(found) == ROWS // 6
    assert {a.company.name_en for a in found} == {"Pars Teb"}


def test_searching_a_national_id_finds_that_companys_applications(client_for, manager, applications):
    company = applications[1].company
    found = results(client_for(manager).get(CHANGELIST, {"q": company.national_id}))
    assert {a.company_id for a in found} == {company.pk}


def test_a_reviewer_searching_still_sees_only_their_own_and_unassigned(client_for, reviewer, applications):
    found = results(client_for(reviewer).get(CHANGELIST, {"q": "EXP-1405-0000"}))
    assert found
    assert all(
        a.assigned_reviewer_id == reviewer.pk
        or (a.assigned_reviewer_id is None and a.status == Status.UNDER_REVIEW)
        for a in found
    )
    assert not results(client_for(reviewer).get(CHANGELIST, {"q": "EXP-1405-000003"}))  # another's


def test_a_reviewers_list_reads_only_the_rows_its_indexes_find(reviewer, applications):
    """A reviewer's applications are those they lead, those they have a seat on and the pool of
    unassigned ones under review: each condition is an index's (the pool's own partial index,
    migration 0018), so PostgreSQL reads the rows they find, not every application (6.0 -> 1.8 ms
    for the list's count at 20,000 applications)."""
    from support.permissions import applications_for_staff
    from tests.conftest import skip_or_fail

    if connection.vendor != "postgresql":
        skip_or_fail("the plan is PostgreSQL's (set DATABASE_URL)")
    mine = applications_for_staff(reviewer)
    assert mine.count() == 24  # a third led by the reviewer, a third in the pool
    with connection.cursor() as cursor:
        # A table this small is cheapest to scan whole: leave the planner only indexes to choose
        # from (the test's transaction restores the settings).
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = mine.order_by().values("pk").explain()
    assert "BitmapOr" in plan
    assert "application_open_pool_idx" in plan


# --- the paginator -----------------------------------------------------------------------------
def test_paginator_counts_exactly_below_its_cap(applications):
    paginator = LargeTablePaginator(Application.objects.order_by("pk"), 25)
    assert (paginator.count, paginator.estimated) == (ROWS, False)


def test_paginator_beyond_its_cap_estimates_on_postgresql_and_every_page_still_opens(
    applications, monkeypatch
):
    monkeypatch.setattr(LargeTablePaginator, "cap", 10)
    paginator = LargeTablePaginator(Application.objects.order_by("pk"), 25)
    count = paginator.count  # the count decides whether it is an estimate
    assert paginator.estimated is (connection.vendor == "postgresql")
    assert count >= 11 if paginator.estimated else count == ROWS
    last = paginator.page(2)
    assert [a.pk for a in last.object_list] == [a.pk for a in applications[25:]]


# --- the programme dashboard and the product list ----------------------------------------------
def test_dashboard_costs_a_constant_number_of_queries(
    client_for, manager, applications, django_assert_max_num_queries
):
    client = client_for(manager)
    client.get(DASHBOARD)
    with django_assert_max_num_queries(11):
        response = client.get(DASHBOARD)
    masks = next(c for c in response.context["categories"] if c.slug == "masks")
    assert masks.application_count == ROWS


@pytest.fixture
def products():
    companies = [CompanyFactory() for _ in range(4)]
    categories = [CategoryFactory(slug=slug) for slug in ("masks", "ventilators")]
    return [ProductFactory(company=companies[n % 4], category=categories[n % 2]) for n in range(40)]


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        ("", 6),
        ("?status__exact=published", 6),
        ("?held=CE", 6),
        ("?created_at__gte=2000-01-01+00:00:00%2B00:00", 6),
        ("?p=2", 6),
    ],
)
def test_product_list_costs_a_constant_number_of_queries(
    client_for, products, django_assert_max_num_queries, session_read, query, queries
):
    client = client_for(UserFactory(is_staff=True, is_superuser=True))
    client.get(PRODUCTS + query)
    with django_assert_max_num_queries(queries + session_read):
        response = client.get(PRODUCTS + query)
    assert response.status_code == 200
    assert response.context["cl"].date_hierarchy is None


def test_a_list_longer_than_the_cap_says_about_and_its_next_page_opens(
    client_for, manager, applications, monkeypatch
):
    monkeypatch.setattr(LargeTablePaginator, "cap", 10)
    client = client_for(manager)
    response = client.get(CHANGELIST, headers={"accept-language": "en"})
    paginator_text = response.content.decode().split('class="paginator"')[1].split("</p>")[0]
    assert ("about" in paginator_text) is (connection.vendor == "postgresql")
    second = results(client.get(CHANGELIST, {"p": "2"}))
    assert len(second) == ROWS - 25


def test_large_programmes_reuse_the_category_and_country_figures_until_an_application_changes(
    client_for, manager, applications, monkeypatch
):
    from support import admin_views

    monkeypatch.setattr(admin_views, "CACHE_LINKS_FROM", 10)
    client = client_for(manager)
    categories_query = 'FROM "support_application_products"'

    def view() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(DASHBOARD)
        masks = next(c for c in response.context["categories"] if c.slug == "masks")
        return masks.application_count, sum(categories_query in q["sql"] for q in queries)

    assert view() == (ROWS, 1)
    assert view() == (ROWS, 0)  # from the cache
    edited = applications[0]
    edited.products.clear()
    edited.save()  # a draft edit: its products change and updated_at moves
    assert view() == (ROWS - 1, 1)


def test_product_admin_search_finds_by_name_and_by_company(client_for, products):
    client = client_for(UserFactory(is_staff=True, is_superuser=True))
    named = products[3]
    named.name_en = "Portable oxygen concentrator"
    named.save()
    found = results(client.get(PRODUCTS, {"q": "oxygen"}))
    assert [p.pk for p in found] == [named.pk]
    company = products[0].company
    company.name_en = "Zagros Respirators"
    company.save()
    found = results(client.get(PRODUCTS, {"q": "zagros"}))
    assert {p.company_id for p in found} == {company.pk}
    assert len(found) == 10
