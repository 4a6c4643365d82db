"""The products API list keeps each product's serialized entry in the shared cache: the answer is
the same as one built from the rows, a change shows at once, each language and site gets its own
entries, and a signed-in caller's list is always built from the rows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from portal.http.page_cache import public_content_changed
from products.models import Product, ProductCertification
from tests.companies.factories import CompanyFactory
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import (
    CertificationFactory,
    ProductCertificationFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/v1/products/"


@pytest.fixture(autouse=True)
def _entries_cached(settings) -> None:
    settings.PAGE_CACHE_SECONDS = 0  # the list is built each time; its entries come from the cache
    settings.FRAGMENT_CACHE_SECONDS = 300


def stock(count: int) -> list[Product]:
    iraq, ce = TargetCountryFactory(iso_code="IQ"), CertificationFactory(code="ce", name_en="CE")
    products = []
    for i in range(count):
        product = ProductFactory(
            company=CompanyFactory(),
            published_at=timezone.now() - dt.timedelta(hours=i),
            registered_in=[iraq],
        )
        ProductCertificationFactory(product=product, certification=ce)
        products.append(product)
    return products


def entry(client, product: Product, **headers: str) -> dict:
    response = client.get(PRODUCTS, {"page_size": 100}, headers=headers)
    assert response.status_code == 200, response.content
    return next(item for item in response.json()["results"] if item["id"] == product.pk)


@pytest.mark.parametrize("page_size", [20, 100])
def test_a_page_from_cached_entries_is_the_page_built_from_the_rows_in_two_queries(
    client, settings, django_assert_num_queries, page_size
):
    stock(105)
    path = f"{PRODUCTS}?page_size={page_size}&page=2"
    settings.FRAGMENT_CACHE_SECONDS = 0
    built = client.get(path)
    settings.FRAGMENT_CACHE_SECONDS = 300
    # A cold cache: the count, the ids of the page, then the page's products with their
    # certificates and countries, however many the page shows.
    with django_assert_num_queries(5):
        cold = client.get(path)
    with django_assert_num_queries(2):  # the count and the ids; every entry from the cache
        warm = client.get(path)
    assert len(built.json()["results"]) == 5 if page_size == 100 else 20
    assert warm.content == cold.content == built.content  # byte for byte


def test_indented_and_browsable_answers_show_the_cached_entries_too(client):
    (product,) = stock(1)
    compact = client.get(PRODUCTS)  # caches the entry
    indented = client.get(PRODUCTS, headers={"accept": "application/json; indent=4"})
    browsable = client.get(PRODUCTS, headers={"accept": "text/html"})
    assert indented.json() == compact.json()
    assert indented.content.startswith(b'{\n    "count": 1,')
    assert browsable.status_code == 200
    assert product.name_en in browsable.content.decode()


def test_the_page_cache_stores_the_same_answer_built_from_cached_entries(client, settings):
    stock(3)
    settings.FRAGMENT_CACHE_SECONDS = 0
    built = client.get(PRODUCTS).content
    settings.FRAGMENT_CACHE_SECONDS = 300
    settings.PAGE_CACHE_SECONDS = 60
    client.get(PRODUCTS)  # fills the entries
    stored = client.get(PRODUCTS, {"page": 1})  # a new address: built from the entries, and stored
    assert stored["X-Page-Cache"] == "miss"
    served = client.get(PRODUCTS, {"page": 1})
    assert served["X-Page-Cache"] == "hit"
    assert served.content == stored.content == built


def test_a_search_reads_no_product_once_its_entries_are_cached(client, django_assert_num_queries):
    for product in stock(30):
        product.name_en = f"Nitrile glove {product.pk}"
        product.save()
    path = f"{PRODUCTS}?search=glove"
    # On PostgreSQL the newest window's start (kept a while), the exact names' count with the ids
    # of the page, and the count of all matches; elsewhere the count and the ids; then three reads
    # of the missing entries.
    postgresql = connection.vendor == "postgresql"
    with django_assert_num_queries(6 if postgresql else 5) as cold:
        first = client.get(path)
    with django_assert_num_queries(len(cold.captured_queries) - 3 - postgresql):
        again = client.get(path)
    assert len(first.json()["results"]) == 20
    assert again.content == first.content


def test_a_change_to_a_product_shows_in_the_api_at_once(client):
    (product,) = stock(1)
    assert entry(client, product)["name_en"] == product.name_en  # cached from here on

    product.name_en = "Surgical mask, type IIR"
    product.fob_price = "0.31"
    product.save()
    assert entry(client, product)["name_en"] == "Surgical mask, type IIR"
    assert entry(client, product)["fob_price"] == "0.31"

    ProductCertificationFactory(product=product, certification=CertificationFactory(code="fda"))
    assert {c["code"] for c in entry(client, product)["certifications"]} == {"ce", "fda"}

    product.registered_countries.add(TargetCountryFactory(iso_code="AF"))
    assert set(entry(client, product)["registered_countries"]) == {"IQ", "AF"}

    product.company.name_en = "Gamma Medical"
    product.company.save()
    assert entry(client, product, accept_language="en")["company"]["name"] == "Gamma Medical"

    product.category.slug = "respirators"
    product.category.save()
    assert entry(client, product)["category"] == "respirators"

    product.status = Product.Status.ARCHIVED
    product.save()
    assert client.get(PRODUCTS).json()["results"] == []


def test_a_public_content_change_makes_every_entry_stale(client):
    (product,) = stock(1)
    entry(client, product)
    # A bulk update sends no signal; whoever writes one announces it (products.services does).
    ProductCertification.objects.filter(product=product).update(
        status=ProductCertification.Status.REJECTED, rejection_reason="The scan is unreadable."
    )
    public_content_changed()
    (certificate,) = entry(client, product)["certifications"]
    assert (certificate["verification"], certificate["valid"]) == ("rejected", False)


def test_each_language_gets_its_own_entries(client):
    product = ProductFactory(
        name_fa="ماسک جراحی",
        name_en="Surgical mask",
        company=CompanyFactory(name_fa="شرکت آلفا", name_en="Alpha Medical"),
    )
    ProductCertificationFactory(
        product=product, certification=CertificationFactory(code="ce", name_fa="نشان سی‌ای", name_en="CE mark")
    )
    english = entry(client, product, accept_language="en")  # cached in English first
    persian = entry(client, product, accept_language="fa")
    arabic = entry(client, product, accept_language="ar")  # no Arabic name: the English one
    assert (english["name"], english["company"]["name"], english["certifications"][0]["name"]) == (
        "Surgical mask",
        "Alpha Medical",
        "CE mark",
    )
    assert (persian["name"], persian["company"]["name"], persian["certifications"][0]["name"]) == (
        "ماسک جراحی",
        "شرکت آلفا",
        "نشان سی‌ای",
    )
    assert arabic["name"] == "Surgical mask"
    assert entry(client, product, accept_language="en")["name"] == "Surgical mask"  # and back


def test_file_links_name_the_host_that_was_asked(client, settings):
    settings.ALLOWED_HOSTS = ["portal.example", "mirror.example"]
    product = ProductFactory(with_image=True)
    first = entry(client, product, host="portal.example")["image"]
    second = entry(client, product, host="mirror.example")["image"]
    assert first.startswith("http://portal.example/media/")
    assert second == first.replace("portal.example", "mirror.example", 1)


def test_a_certificate_stops_being_valid_the_day_after_it_expires(client):
    (product,) = stock(1)
    ProductCertification.objects.filter(product=product).update(expiry_date=timezone.localdate())
    public_content_changed()
    assert entry(client, product)["certifications"][0]["valid"] is True  # cached today
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        assert entry(client, product)["certifications"][0]["valid"] is False


def test_signed_in_callers_neither_read_nor_fill_the_shared_entries(
    client, client_for, company, company_member, django_assert_num_queries
):
    product = ProductFactory(company=company, name_en="Surgical mask")
    draft = ProductFactory(company=company, draft=True, name_en="Secret draft")
    member = client_for(company_member)
    assert {item["name_en"] for item in member.get(PRODUCTS).json()["results"]} == {
        "Surgical mask",
        "Secret draft",
    }
    with django_assert_num_queries(5):  # the member's list stored nothing for anonymous callers
        assert [item["id"] for item in client.get(PRODUCTS).json()["results"]] == [product.pk]

    # A write that announces nothing (so the anonymous entries stay as they were) shows at once
    # to the member: their list is built from the rows, not read from the shared entries.
    Product.objects.filter(pk=product.pk).update(name_en="Surgical mask, renamed")
    assert entry(client, product)["name_en"] == "Surgical mask"
    assert entry(member, product)["name_en"] == "Surgical mask, renamed"
    assert "Secret draft" not in client.get(PRODUCTS).content.decode()
    assert draft.pk in {item["id"] for item in member.get(PRODUCTS).json()["results"]}


def test_a_new_release_serializes_every_entry_anew(client, settings):
    """The previous release's entries stay in Redis after a deploy; the new one (other fields,
    other serializers) writes its own."""
    settings.RELEASE = "a1"
    product = ProductFactory(name_en="Surgical mask")
    entry(client, product)
    # What the next release writes differently, changed without telling the cache.
    Product.objects.filter(pk=product.pk).update(name_en="Surgical mask, type IIR")
    assert entry(client, product)["name_en"] == "Surgical mask"
    settings.RELEASE = "b2"
    assert entry(client, product)["name_en"] == "Surgical mask, type IIR"
