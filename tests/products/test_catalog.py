from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from companies.models import Company
from portal.models import Notification
from products.compliance import EXPIRED, HELD, MISSING, compliance_matrix
from products.models import Product
from products.tasks import certificates_expiry_warn
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import (
    CategoryFactory,
    CertificationFactory,
    ProductCertificationFactory,
    ProductFactory,
    RequirementFactory,
    products_imported_together,
)
from tests.products.pages import card_names, card_ready_for

pytestmark = pytest.mark.django_db


def catalog_names(client, query: str = "", language: str = "en") -> set[str]:
    response = client.get(f"/{language}/products/{query}")
    assert response.status_code == 200
    return set(card_names(response))


def test_only_published_products_of_verified_companies_are_public(client):
    ProductFactory(name_en="Visible")
    ProductFactory(name_en="Draft", draft=True)
    ProductFactory(name_en="Archived", archived=True)
    ProductFactory(name_en="Pending company", company=CompanyFactory(pending=True))
    ProductFactory(name_en="Suspended company", company=CompanyFactory(suspended=True))
    assert catalog_names(client) == {"Visible"}


def test_persian_search_word_finds_products(client):
    ProductFactory(name_fa="ماسک سه لایه پزشکی", name_en="Mask")
    ProductFactory(name_fa="ونتیلاتور پرتابل", name_en="Ventilator", description_fa="دستگاه تنفس مصنوعی")
    assert catalog_names(client, "?q=ماسک") == {"Mask"}
    assert catalog_names(client, "?q=تنفس") == {"Ventilator"}
    assert catalog_names(client, "?q=ماسك") == {"Mask"}  # typed with an Arabic kaf
    assert catalog_names(client, "?q=ventilator") == {"Ventilator"}


def test_hs_code_prefix_search_accepts_persian_digits(client):
    ProductFactory(name_en="Mask", hs_code="630790")
    ProductFactory(name_en="Oximeter", hs_code="901819")
    assert catalog_names(client, "?q=۶۳۰۷") == {"Mask"}


def test_filters_combine_and_stay_in_the_url(client):
    masks = CategoryFactory(slug="masks")
    kits = CategoryFactory(slug="test-kits")
    ce = CertificationFactory(code="ce")
    iraq = TargetCountryFactory(iso_code="IQ")
    fars = CompanyFactory(province="fars")
    cheap = ProductFactory(
        name_en="Cheap mask", category=masks, fob_price=Decimal("0.10"), monthly_capacity=900_000
    )
    ProductCertificationFactory(product=cheap, certification=ce)
    cheap.registered_countries.add(iraq)
    ProductFactory(
        name_en="Dear mask", category=masks, fob_price=Decimal("2.00"), company=fars, monthly_capacity=10
    )
    ProductFactory(name_en="PCR kit", category=kits, fob_price=Decimal("5.00"))
    assert catalog_names(client, "?category=masks") == {"Cheap mask", "Dear mask"}
    assert catalog_names(client, "?certification=ce") == {"Cheap mask"}
    assert catalog_names(client, "?country=IQ") == {"Cheap mask"}
    assert catalog_names(client, "?province=fars") == {"Dear mask"}
    assert catalog_names(client, "?price_min=۱&price_max=۴") == {"Dear mask"}
    assert catalog_names(client, "?capacity_min=1000") == {"Cheap mask", "PCR kit"}
    assert catalog_names(client, "?category=masks&price_max=1") == {"Cheap mask"}
    response = client.get("/en/products/?category=masks&ordering=-price")
    assert card_names(response) == ["Dear mask", "Cheap mask"]
    assert 'href="?category=masks&amp;ordering=-price&amp;page=2"' not in response.content.decode()


def test_bad_filter_values_give_a_page_not_an_error(client):
    ProductFactory(name_en="Mask")
    for query in [
        "?price_min=abc",
        "?category=nope",
        "?ready_for=ZZ",
        "?ordering=hack",
        "?page=999",
        "?page=x",
    ]:
        assert client.get(f"/en/products/{query}").status_code == 200


def test_ready_for_badge_and_filter(client):
    masks = CategoryFactory(slug="masks")
    ce = CertificationFactory(code="ce")
    iso = CertificationFactory(code="iso-13485")
    lebanon = TargetCountryFactory(iso_code="LB", name_en="Lebanon")
    oman = TargetCountryFactory(iso_code="OM", name_en="Oman")
    TargetCountryFactory(iso_code="KE", name_en="Kenya")  # no requirements recorded: never "ready"
    RequirementFactory(country=lebanon, category=masks, certification=ce)
    RequirementFactory(country=oman, category=masks, certification=ce)
    RequirementFactory(country=oman, category=masks, certification=iso)
    both = ProductFactory(name_en="Both", category=masks)
    ProductCertificationFactory(product=both, certification=ce)
    ProductCertificationFactory(product=both, certification=iso)
    ce_only = ProductFactory(name_en="CE only", category=masks)
    ProductCertificationFactory(product=ce_only, certification=ce)
    stale = ProductFactory(name_en="Expired CE", category=masks)
    ProductCertificationFactory(product=stale, certification=ce, expired=True)
    assert catalog_names(client, "?ready_for=LB") == {"Both", "CE only"}
    assert catalog_names(client, "?ready_for=OM") == {"Both"}
    assert catalog_names(client, "?ready_for=KE") == set()
    ready = card_ready_for(client.get("/en/products/"))
    assert ready == {"Both": "Lebanon, Oman", "CE only": "Lebanon", "Expired CE": ""}


def test_compliance_matrix_marks_held_expired_and_missing():
    masks = CategoryFactory(slug="masks")
    ce, iso, who = (CertificationFactory(code=c) for c in ("ce", "iso-13485", "who-eul"))
    oman = TargetCountryFactory(iso_code="OM")
    requirements = [RequirementFactory(country=oman, category=masks, certification=c) for c in (ce, iso, who)]
    product = ProductFactory(category=masks)
    ProductCertificationFactory(product=product, certification=ce)
    ProductCertificationFactory(product=product, certification=iso, expired=True)
    ProductCertificationFactory(
        product=product, certification=iso, number="RENEWED", expiry_date=timezone.localdate()
    )
    [row] = compliance_matrix(product, [oman], requirements)
    states = {r.certification.code: r.state for r in row.requirements}
    assert states == {"ce": HELD, "iso-13485": HELD, "who-eul": MISSING}  # the renewed ISO counts
    assert not row.ready
    [row] = compliance_matrix(
        product, [oman], requirements, today=timezone.localdate() + dt.timedelta(days=1)
    )
    assert {r.certification.code: r.state for r in row.requirements}["iso-13485"] == EXPIRED


def test_catalog_query_count_does_not_grow_with_page_size(client, django_assert_max_num_queries):
    masks = CategoryFactory(slug="masks")
    ce = CertificationFactory(code="ce")
    RequirementFactory(country=TargetCountryFactory(iso_code="LB"), category=masks, certification=ce)

    def add(n: int) -> None:
        for _ in range(n):
            product = ProductFactory(category=masks, company=CompanyFactory())
            ProductCertificationFactory(product=product, certification=ce)

    add(2)
    with django_assert_max_num_queries(20) as few:
        client.get("/en/products/?category=masks")
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/en/products/?category=masks")
    assert len(response.context["page_obj"]) == 22


def test_product_page_query_count_is_fixed(client, django_assert_max_num_queries):
    product = ProductFactory()
    for code in ("ce", "iso-13485", "irfda"):
        ProductCertificationFactory(product=product, certification=CertificationFactory(code=code))
    with django_assert_max_num_queries(14):
        client.get(f"/en/products/{product.pk}/")


def test_product_page_shows_the_compliance_matrix_in_persian(client):
    masks = CategoryFactory(slug="masks")
    ce = CertificationFactory(code="ce", name_fa="نشان CE")
    lebanon = TargetCountryFactory(iso_code="LB", name_fa="لبنان")
    RequirementFactory(country=lebanon, category=masks, certification=ce)
    product = ProductFactory(category=masks)
    content = client.get(f"/fa/products/{product.pk}/").content.decode()
    assert "لبنان" in content
    assert "compliance-missing" in content


# --- certificate expiry warnings -----------------------------------------------------------------
def test_expiring_certificates_warn_each_company_member_once(django_capture_on_commit_callbacks):
    company = CompanyFactory()
    members = [MembershipFactory(company=company).user for _ in range(2)]
    product = ProductFactory(company=company)
    soon = ProductCertificationFactory(
        product=product, expiry_date=timezone.localdate() + dt.timedelta(days=30)
    )
    ProductCertificationFactory(product=product, expiry_date=timezone.localdate() + dt.timedelta(days=200))
    ProductCertificationFactory(product=product, expired=True)
    ProductCertificationFactory(
        product=ProductFactory(company=CompanyFactory(suspended=True)),
        expiry_date=timezone.localdate() + dt.timedelta(days=10),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert certificates_expiry_warn() == 1
        assert certificates_expiry_warn() == 0  # the daily run repeats: no second warning
    assert Notification.objects.filter(kind="certificate_expiring").count() == 2
    assert {n.recipient for n in Notification.objects.filter(kind="certificate_expiring")} == set(members)
    assert len(mail.outbox) == 2
    soon.expiry_date += dt.timedelta(days=5)  # renewed with a new date: warned again when that nears
    soon.save()
    assert certificates_expiry_warn() == 1


def test_publishing_while_pending_shows_once_verified(client, client_for, company_member, company):
    company.status = Company.Status.PENDING
    company.save()
    product = ProductFactory(company=company, draft=True, name_en="Soon public")
    response = client_for(company_member).post(f"/en/products/{product.pk}/publish/", follow=True)
    assert "once your company is verified" in response.content.decode()
    assert catalog_names(client) == set()
    company.status = Company.Status.VERIFIED
    company.save()
    assert catalog_names(client) == {"Soon public"}
    assert Product.objects.get().status == Product.Status.PUBLISHED


@pytest.mark.parametrize("query", ["تنفس‌یار", "تنفس یار", "سه‌لایه", "تنفس"])
def test_search_tolerates_the_zero_width_non_joiner(client, query):
    ProductFactory(name_fa="ماسک سه‌لایه تنفس‌یار", name_en="Breath mask")
    ProductFactory(name_fa="دستکش نیتریل", name_en="Gloves", description_fa="دستکش بدون پودر")
    assert catalog_names(client, f"?q={query}") == {"Breath mask"}


@pytest.mark.parametrize("ordering", ["price", "-price", "-capacity"])
def test_pages_of_a_tied_order_neither_repeat_nor_skip_products(client, ordering):
    """Forty products at one price and capacity: the id breaks the tie, so page 2 goes on
    where page 1 stopped."""
    company = CompanyFactory()
    products = ProductFactory.create_batch(
        40, company=company, fob_price=Decimal("2.50"), monthly_capacity=1000
    )
    # Rewrite the rows in a scrambled order, so that the table's own order is not the ids'.
    for product in products[1::2] + products[::2]:
        Product.objects.filter(pk=product.pk).update(description_en=f"rewritten {product.pk}")
    seen = []
    for page in (1, 2):
        response = client.get(f"/en/products/?ordering={ordering}&page={page}")
        seen += list(response.context["page_obj"].object_list)  # the page's product ids
        # Whatever plan the database picks (its index happens to hold the id too), the order
        # itself ends with the id: nothing is left to chance.
        assert response.context["page_obj"].paginator.object_list.query.order_by[-1] in ("pk", "-pk")
    assert len(seen) == len(set(seen)) == 40
    ids = sorted(p.pk for p in products)
    assert seen == (ids if ordering == "price" else ids[::-1])


@pytest.mark.parametrize("ordering", ["", "-published"])
def test_pages_of_products_published_together_neither_repeat_nor_skip_any(client, ordering):
    """Fifty products imported at one instant straddle two page boundaries (24 a page), between
    a newer and an older one: newest first ends with the id, so walking the pages shows each
    product once, the tied ones newest id first."""
    company = CompanyFactory()
    newer = ProductFactory(company=company)
    tied = products_imported_together(50, company=company)
    older = ProductFactory(company=company, published_at=tied[0].published_at - dt.timedelta(hours=1))
    seen, page = [], 1
    while True:
        response = client.get(f"/en/products/?ordering={ordering}&page={page}")
        seen += card_names(response)
        if not response.context["page_obj"].has_next():
            break
        page += 1
    expected = [newer.name_en, *(p.name_en for p in reversed(tied)), older.name_en]
    assert page == 3
    assert sorted(seen) == sorted(expected)  # each product once
    assert seen == expected


def test_an_empty_result_names_each_filter_in_use_with_a_link_that_drops_it(client):
    CategoryFactory(slug="test-kits", name_en="Test kits")
    ProductFactory(name_en="Ventilator", fob_price="9")
    query = {"q": "ventilator", "category": "test-kits", "price_max": "5", "page": "1"}
    response = client.get("/en/products/", query)
    page = response.content.decode()
    assert card_names(response) == []
    assert 'data-testid="no-results"' in page
    assert "Category: Test kits" in page
    assert "Price up to: 5" in page
    assert "Search: ventilator" in page
    links = re.findall(
        r'<a class="btn btn-sm btn-outline-secondary" href="([^"]+)"><i[^>]*></i> ([^<]+)<', page
    )
    dropped = {label: html.unescape(href) for href, label in links}
    without_category = dropped["Category: Test kits"]
    assert "category" not in without_category
    assert "page" not in without_category
    assert card_names(client.get(f"/en/products/{without_category}")) == []  # the price still rules it out
    without_price = client.get(f"/en/products/{without_category}").content.decode()
    [(href, _label)] = [
        (h, lab)
        for h, lab in re.findall(
            r'<a class="btn btn-sm btn-outline-secondary" href="([^"]+)"><i[^>]*></i> ([^<]+)<', without_price
        )
        if lab.startswith("Price")
    ]
    assert card_names(client.get(f"/en/products/{html.unescape(href)}")) == ["Ventilator"]


def test_an_empty_persian_result_shows_its_figures_in_persian(client):
    ProductFactory(name_en="Ventilator", fob_price="9000")
    page = client.get("/fa/products/", {"price_min": "10000"}).content.decode()
    assert "۱۰٬۰۰۰" in page
