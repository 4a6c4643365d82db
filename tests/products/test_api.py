from __future__ import annotations

from decimal import Decimal

import pytest

from companies.models import Company, Province
from products.models import Product
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

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def valid_payload(**changes: object) -> dict[str, object]:
    CategoryFactory(slug="masks")
    payload = {
        "category": "masks",
        "name_fa": "ماسک N95",
        "name_en": "N95 respirator",
        "description_fa": "ماسک تنفسی با فیلتر پنج لایه",
        "description_en": "Five-layer respirator",
        "hs_code": "630790",
        "monthly_capacity": 50_000,
        "capacity_unit": "piece",
        "minimum_order": 500,
        "fob_price": "0.45",
        "currency": "USD",
        "lead_time_days": 10,
    }
    payload.update(changes)
    return payload


@pytest.fixture
def shelf(company):
    """Alpha's products in every state, and a published product of a pending company."""
    return {
        "published": ProductFactory(company=company),
        "draft": ProductFactory(company=company, draft=True),
        "archived": ProductFactory(company=company, archived=True),
        "pending_company": ProductFactory(company=CompanyFactory(pending=True)),
    }


@pytest.fixture
def own_draft(company):
    return ProductFactory(company=company, draft=True, name_en="Alpha draft")


# --- visibility -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("anonymous", {"published"}),
        ("signed_up_user", {"published"}),
        ("other_company_member", {"published"}),
        ("broker_member", {"published"}),
        ("company_member", {"published", "draft", "archived"}),
    ],
)
def test_product_list_shows_public_products_and_only_the_callers_own_unpublished_ones(
    request, client_for, shelf, persona, visible
):
    client = client_for(request.getfixturevalue(persona))
    assert ids(client.get(PRODUCTS)) == {shelf[key].pk for key in visible}


@pytest.mark.parametrize(
    ("persona", "key", "expected"),
    [
        ("anonymous", "published", 200),
        ("anonymous", "draft", 404),
        ("anonymous", "archived", 404),
        ("anonymous", "pending_company", 404),
        ("other_company_member", "published", 200),
        ("other_company_member", "draft", 404),
        ("other_company_member", "archived", 404),
        ("other_company_member", "pending_company", 404),
        ("company_member", "draft", 200),
        ("company_member", "archived", 200),
        ("company_member", "pending_company", 404),
    ],
)
def test_product_detail_is_a_404_for_products_the_caller_may_not_see(
    request, client_for, shelf, persona, key, expected
):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(f"{PRODUCTS}{shelf[key].pk}/")
    assert response.status_code == expected
    if expected == 404:
        assert response.json()["error"]["code"] == "not_found"


def test_a_pending_companys_member_sees_their_own_published_product(client_for, shelf):
    member = MembershipFactory(company=shelf["pending_company"].company).user
    assert shelf["pending_company"].pk in ids(client_for(member).get(PRODUCTS))


def test_product_detail_shows_company_category_countries_and_certificates(client_for, company):
    iraq = TargetCountryFactory(iso_code="IQ")
    product = ProductFactory(
        company=company,
        category=CategoryFactory(slug="masks"),
        registered_in=[iraq],
        fob_price=Decimal("12.50"),
        with_image=True,
    )
    ProductCertificationFactory(
        product=product, certification=CertificationFactory(code="ce"), number="CE-1", issuer="TÜV"
    )
    ProductCertificationFactory(
        product=product, certification=CertificationFactory(code="irfda"), expired=True
    )

    data = client_for(None).get(f"{PRODUCTS}{product.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert data["name"] == product.name_en
    assert data["category"] == "masks"
    assert data["company"] == {"id": company.pk, "name": "Alpha Medical Equipment"}
    assert data["fob_price"] == "12.50"
    assert data["registered_countries"] == ["IQ"]
    assert data["image"].startswith("http://testserver/media/products/images/")
    assert data["thumbnail"] is None  # made after commit by a task
    assert data["datasheet"] is None
    certificates = {c["code"]: c for c in data["certifications"]}
    assert certificates["ce"]["valid"] is True
    assert certificates["ce"]["number"] == "CE-1"
    assert certificates["ce"]["issuer"] == "TÜV"
    assert certificates["ce"]["name"] == "CE"
    assert certificates["irfda"]["valid"] is False
    for private in ("national_id", "phone", "address"):
        assert private not in data["company"]


def test_product_name_follows_the_request_language(client_for):
    product = ProductFactory(name_fa="ماسک", name_en="Mask")
    client = client_for(None)
    assert client.get(f"{PRODUCTS}{product.pk}/", HTTP_ACCEPT_LANGUAGE="fa").json()["name"] == "ماسک"
    assert client.get(f"{PRODUCTS}{product.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["name"] == "Mask"


# --- filters ----------------------------------------------------------------------------------
def test_product_list_is_paginated_with_a_count(client_for):
    ProductFactory.create_batch(3)
    data = client_for(None).get(PRODUCTS, {"page_size": 2}).json()
    assert data["count"] == 3
    assert len(data["results"]) == 2
    assert data["next"]


def test_next_links_reach_every_product_when_the_count_is_an_estimate(client_for, monkeypatch):
    """Past the cap the count is the planner's estimate, which may fall short of the products
    there are: a page still says another follows whenever one does, and the last one says how
    many there were."""
    from functools import partial

    from portal.http import pagination
    from products.api import CatalogPagination

    monkeypatch.setattr(
        CatalogPagination, "django_paginator_class", partial(pagination.LargeTablePaginator, cap=5)
    )
    monkeypatch.setattr(pagination, "planner_rows", lambda queryset: 6)  # twelve, in truth
    products = ProductFactory.create_batch(12)
    client, url, seen, counts = client_for(None), f"{PRODUCTS}?page_size=4", [], []
    while url:
        data = client.get(url).json()
        seen += [item["id"] for item in data["results"]]
        counts.append(data["count"])
        url = data["next"]
    assert sorted(seen) == sorted(product.pk for product in products)
    assert counts[-1] == 12


@pytest.mark.parametrize("persona", ["anonymous", "company_member"])
@pytest.mark.parametrize("ordering", ["", "-published"])
def test_next_links_show_products_published_together_once_each(
    request, client_for, company, persona, ordering
):
    """Products imported at one instant straddle page boundaries: newest first ends with the id,
    so following the next links lists each product once, the tied ones newest id first (also
    for a member, whose list adds their company's drafts, which have no publication time)."""
    newer = ProductFactory(company=company)
    tied = products_imported_together(20, company=company)
    drafts = [ProductFactory(company=company, draft=True) for _ in range(2)]
    client = client_for(request.getfixturevalue(persona))
    url, seen = f"{PRODUCTS}?page_size=5&ordering={ordering}", []
    while url:
        data = client.get(url).json()
        seen += [item["id"] for item in data["results"]]
        url = data["next"]
    public = [newer.pk, *(product.pk for product in reversed(tied))]
    own = [draft.pk for draft in reversed(drafts)] if persona == "company_member" else []
    assert sorted(seen) == sorted(public + own)  # each once
    # Drafts have no publication time: PostgreSQL lists them first, SQLite last.
    assert [pk for pk in seen if pk not in own] == public
    assert [pk for pk in seen if pk in own] == own


def test_products_filter_by_category(client_for):
    mask = ProductFactory(category=CategoryFactory(slug="masks"))
    ProductFactory(category=CategoryFactory(slug="ventilators"))
    assert ids(client_for(None).get(PRODUCTS, {"category": "masks"})) == {mask.pk}


def test_products_filter_by_certification(client_for):
    certified = ProductFactory()
    ProductCertificationFactory(product=certified, certification=CertificationFactory(code="ce"))
    ProductCertificationFactory(certification=CertificationFactory(code="fda-eua"))
    assert ids(client_for(None).get(PRODUCTS, {"certification": "ce"})) == {certified.pk}


def test_products_filter_by_registered_country(client_for):
    registered = ProductFactory(registered_in=[TargetCountryFactory(iso_code="IQ")])
    ProductFactory(registered_in=[TargetCountryFactory(iso_code="AF")])
    ProductFactory()
    assert ids(client_for(None).get(PRODUCTS, {"country": "IQ"})) == {registered.pk}


def test_products_filter_by_readiness_for_a_country(client_for):
    masks, ce = CategoryFactory(slug="masks"), CertificationFactory(code="ce")
    RequirementFactory(country=TargetCountryFactory(iso_code="IQ"), category=masks, certification=ce)
    ready = ProductFactory(category=masks)
    ProductCertificationFactory(product=ready, certification=ce)
    expired = ProductFactory(category=masks)
    ProductCertificationFactory(product=expired, certification=ce, expired=True)
    ProductFactory(category=masks)
    assert ids(client_for(None).get(PRODUCTS, {"ready_for": "IQ"})) == {ready.pk}


def test_products_filter_by_the_companys_province(client_for):
    in_fars = ProductFactory(company=CompanyFactory(province=Province.FARS))
    ProductFactory(company=CompanyFactory(province=Province.TEHRAN))
    assert ids(client_for(None).get(PRODUCTS, {"province": "fars"})) == {in_fars.pk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"price_min": "10"}, {"10", "20"}),
        ({"price_min": "۱۰"}, {"10", "20"}),
        ({"price_max": "١٠"}, {"5", "10"}),
        ({"price_min": "6", "price_max": "19"}, {"10"}),
    ],
)
def test_products_filter_by_price_range_in_any_digits(client_for, query, expected):
    by_price = {str(price): ProductFactory(fob_price=Decimal(price)).pk for price in (5, 10, 20)}
    assert ids(client_for(None).get(PRODUCTS, query)) == {by_price[price] for price in expected}


def test_products_filter_by_minimum_monthly_capacity(client_for):
    large = ProductFactory(monthly_capacity=10_000)
    ProductFactory(monthly_capacity=500)
    assert ids(client_for(None).get(PRODUCTS, {"capacity_min": "۱۰۰۰"})) == {large.pk}


@pytest.mark.parametrize("text", ["اکسیژن", "اكسيژن ساز", "oxygen"])
def test_products_search_by_a_word_in_persian_arabic_keyboard_or_english(client_for, text):
    concentrator = ProductFactory(name_fa="دستگاه اکسیژن ساز", name_en="Oxygen concentrator")
    ProductFactory(name_fa="ماسک سه لایه", name_en="Three-ply mask")
    assert ids(client_for(None).get(PRODUCTS, {"search": text})) == {concentrator.pk}


@pytest.mark.parametrize("prefix", ["9019", "۹۰۱۹"])
def test_products_search_by_hs_code_prefix(client_for, prefix):
    ventilator = ProductFactory(hs_code="901920")
    ProductFactory(hs_code="630790")
    assert ids(client_for(None).get(PRODUCTS, {"search": prefix})) == {ventilator.pk}


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [("price", ["5.00", "10.00", "20.00"]), ("-price", ["20.00", "10.00", "5.00"])],
)
def test_products_can_be_ordered_by_price(client_for, ordering, expected):
    for price in (10, 5, 20):
        ProductFactory(fob_price=Decimal(price))
    results = client_for(None).get(PRODUCTS, {"ordering": ordering}).json()["results"]
    assert [item["fob_price"] for item in results] == expected


def test_products_can_be_ordered_by_capacity(client_for):
    for capacity in (200, 900, 500):
        ProductFactory(monthly_capacity=capacity)
    results = client_for(None).get(PRODUCTS, {"ordering": "-capacity"}).json()["results"]
    assert [item["monthly_capacity"] for item in results] == [900, 500, 200]


def test_an_unknown_filter_value_is_a_400_in_the_common_error_shape(client_for):
    response = client_for(None).get(PRODUCTS, {"category": "no-such-category"})
    assert response.status_code == 400
    assert "category" in response.json()["error"]["fields"]


@pytest.mark.parametrize("persona", ["anonymous", "company_member"])
def test_product_list_query_count_does_not_grow_with_length(
    request, client_for, company, persona, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    iraq = TargetCountryFactory(iso_code="IQ")

    def stock(count: int) -> None:
        for product in ProductFactory.create_batch(count, company=company, registered_in=[iraq]):
            ProductCertificationFactory(product=product)

    stock(3)
    with django_assert_max_num_queries(10) as few:
        assert client.get(PRODUCTS).json()["count"] == 3
    stock(12)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(PRODUCTS).json()["count"] == 15


# --- writes -----------------------------------------------------------------------------------
def test_company_member_creates_a_draft_for_their_own_company(client_for, company_member, company):
    other = CompanyFactory()
    TargetCountryFactory(iso_code="IQ")
    payload = valid_payload(company=other.pk, status="published", registered_countries=["IQ"])

    response = client_for(company_member).post(PRODUCTS, payload, content_type="application/json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "draft"
    assert data["company"]["id"] == company.pk
    assert data["registered_countries"] == ["IQ"]
    product = Product.objects.get(pk=data["id"])
    assert product.company == company
    assert product.status == Product.Status.DRAFT
    assert product.published_at is None


def test_create_accepts_persian_and_arabic_indic_digits(client_for, company_member):
    payload = valid_payload(
        hs_code="۹۰۱۹۲۰", fob_price="۱۲٫۵", monthly_capacity="۵۰۰", minimum_order="١٠", lead_time_days="۷"
    )
    response = client_for(company_member).post(PRODUCTS, payload, content_type="application/json")
    assert response.status_code == 201, response.content
    product = Product.objects.get(pk=response.json()["id"])
    assert (product.hs_code, product.fob_price, product.monthly_capacity) == ("901920", Decimal("12.5"), 500)
    assert (product.minimum_order, product.lead_time_days) == (10, 7)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hs_code", "12ab34"),
        ("hs_code", "123"),
        ("fob_price", "-1"),
        ("fob_price", "0"),
        ("currency", "XYZ"),
        ("category", "no-such-category"),
        ("monthly_capacity", 0),
        ("registered_countries", ["ZZ"]),
    ],
)
def test_create_with_an_invalid_field_is_a_400_naming_the_field_and_saves_nothing(
    client_for, company_member, field, value
):
    response = client_for(company_member).post(
        PRODUCTS, valid_payload(**{field: value}), content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 403),
        ("signed_up_user", 403),
        ("broker_member", 403),
        ("reviewer", 403),
        ("company_member", 201),
    ],
)
def test_only_company_members_may_create_products(request, client_for, persona, expected):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(PRODUCTS, valid_payload(), content_type="application/json")
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["error"]["code"] in {"permission_denied", "not_authenticated"}
        assert not Product.objects.exists()


def test_company_member_updates_their_product_with_patch(client_for, company_member, own_draft):
    TargetCountryFactory(iso_code="IQ")
    response = client_for(company_member).patch(
        f"{PRODUCTS}{own_draft.pk}/",
        {"name_en": "Renamed", "fob_price": "۳", "registered_countries": ["IQ"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["name_en"] == "Renamed"
    assert response.json()["registered_countries"] == ["IQ"]
    own_draft.refresh_from_db()
    assert (own_draft.name_en, own_draft.fob_price) == ("Renamed", Decimal("3"))
    assert own_draft.name_fa.startswith("ماسک")  # untouched by a partial update


def test_put_replaces_every_writable_field(client_for, company_member, own_draft):
    response = client_for(company_member).put(
        f"{PRODUCTS}{own_draft.pk}/", valid_payload(name_en="Replaced"), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    own_draft.refresh_from_db()
    assert (own_draft.name_en, own_draft.hs_code, own_draft.category.slug) == ("Replaced", "630790", "masks")


def test_put_without_the_required_fields_is_a_400(client_for, company_member, own_draft):
    response = client_for(company_member).put(
        f"{PRODUCTS}{own_draft.pk}/", {"name_en": "Only this"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "hs_code" in response.json()["error"]["fields"]


def test_an_invalid_update_is_a_400_and_changes_nothing(client_for, company_member, own_draft):
    response = client_for(company_member).patch(
        f"{PRODUCTS}{own_draft.pk}/", {"name_en": "New", "hs_code": "12"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "hs_code" in response.json()["error"]["fields"]
    own_draft.refresh_from_db()
    assert (own_draft.name_en, own_draft.hs_code) == ("Alpha draft", "630790")


def test_company_member_publishes_then_archives_their_product(client_for, company_member, own_draft):
    client = client_for(company_member)

    published = client.post(f"{PRODUCTS}{own_draft.pk}/publish/")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["published_at"]
    assert own_draft.pk in ids(client_for(None).get(PRODUCTS))

    archived = client.post(f"{PRODUCTS}{own_draft.pk}/archive/")
    assert archived.status_code == 200
    assert archived.json()["status"] == "archived"
    assert own_draft.pk not in ids(client_for(None).get(PRODUCTS))


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [("patch", "", {"name_en": "Hijacked"}), ("put", "", None), ("post", "publish/", None)],
)
def test_another_companys_member_cannot_change_a_product_and_gets_a_404(
    client_for, other_company_member, own_draft, method, suffix, body
):
    body = valid_payload(name_en="Hijacked") if body is None and method == "put" else body
    response = getattr(client_for(other_company_member), method)(
        f"{PRODUCTS}{own_draft.pk}/{suffix}", body, content_type="application/json"
    )
    assert response.status_code == 404
    own_draft.refresh_from_db()
    assert (own_draft.name_en, own_draft.status) == ("Alpha draft", Product.Status.DRAFT)


@pytest.mark.parametrize("suffix", ["", "archive/"])
def test_a_public_product_of_another_company_is_a_404_on_write(
    client_for, other_company_member, company, suffix
):
    product = ProductFactory(company=company, name_en="Public")
    client = client_for(other_company_member)
    assert client.get(f"{PRODUCTS}{product.pk}/").status_code == 200
    method = client.patch if not suffix else client.post
    response = method(
        f"{PRODUCTS}{product.pk}/{suffix}", {"name_en": "Hijacked"}, content_type="application/json"
    )
    assert response.status_code == 404
    product.refresh_from_db()
    assert (product.name_en, product.status) == ("Public", Product.Status.PUBLISHED)


def test_anonymous_cannot_change_a_product(client_for, own_draft):
    response = client_for(None).patch(
        f"{PRODUCTS}{own_draft.pk}/", {"name_en": "x"}, content_type="application/json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["company_member", "other_company_member"])
def test_products_cannot_be_deleted_through_the_api(request, client_for, own_draft, persona):
    response = client_for(request.getfixturevalue(persona)).delete(f"{PRODUCTS}{own_draft.pk}/")
    assert response.status_code == 405
    assert Product.objects.filter(pk=own_draft.pk).exists()


def test_the_product_list_rejects_put(client_for, company_member):
    assert client_for(company_member).put(PRODUCTS, {}, content_type="application/json").status_code == 405


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("post", "", "new"),
        ("patch", "{pk}/", {"name_en": "Changed"}),
        ("post", "{pk}/publish/", None),
        ("post", "{pk}/archive/", None),
    ],
)
def test_a_suspended_companys_member_cannot_create_or_change_products(
    client_for, company, company_member, own_draft, method, suffix, body
):
    body = valid_payload() if body == "new" else body
    Company.objects.filter(pk=company.pk).update(status=Company.Status.SUSPENDED)
    client = client_for(company_member)
    response = getattr(client, method)(
        PRODUCTS + suffix.format(pk=own_draft.pk), body, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert Product.objects.count() == 1
    own_draft.refresh_from_db()
    assert (own_draft.name_en, own_draft.status) == ("Alpha draft", Product.Status.DRAFT)


def test_a_suspended_companys_member_still_reads_their_own_products(
    client_for, company, company_member, own_draft
):
    Company.objects.filter(pk=company.pk).update(status=Company.Status.SUSPENDED)
    assert client_for(company_member).get(f"{PRODUCTS}{own_draft.pk}/").status_code == 200


# --- categories and certifications ------------------------------------------------------------
def test_categories_are_read_by_slug_with_a_localized_name(client_for):
    CategoryFactory(slug="masks", name_fa="ماسک", name_en="Masks", icon="mask")
    client = client_for(None)
    listing = client.get("/api/v1/categories/").json()
    assert listing["count"] == 1
    detail = client.get("/api/v1/categories/masks/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert {key: detail[key] for key in ("slug", "name", "name_fa", "icon")} == {
        "slug": "masks",
        "name": "Masks",
        "name_fa": "ماسک",
        "icon": "mask",
    }
    assert client.get("/api/v1/categories/masks/", HTTP_ACCEPT_LANGUAGE="fa").json()["name"] == "ماسک"
    assert client.get("/api/v1/categories/nope/").status_code == 404


def test_certifications_are_read_by_code(client_for):
    CertificationFactory(code="ce", name_en="CE marking", issuer="EU notified body")
    data = client_for(None).get("/api/v1/certifications/ce/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (data["code"], data["name"], data["issuer"]) == ("ce", "CE marking", "EU notified body")


@pytest.mark.parametrize("url", ["/api/v1/categories/", "/api/v1/certifications/"])
def test_categories_and_certifications_are_read_only(client_for, company_member, url):
    assert client_for(company_member).post(url, {}, content_type="application/json").status_code == 405
