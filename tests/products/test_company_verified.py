"""A product is public while it is published and its company verified. The database keeps the
company's verification on the product's row (Product.company_verified), so the catalog tests one
row; whatever writes the rows, the two never disagree."""

from __future__ import annotations

import threading

import psycopg
import pytest
from django.db import connection

from companies.models import Company
from products.models import Product
from tests.companies.factories import CompanyFactory
from tests.products.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def public_ids() -> set[int]:
    return set(Product.objects.public().values_list("pk", flat=True))


def catalog_names(client) -> str:
    return client.get("/en/products/").content.decode() + client.get("/api/v1/products/").content.decode()


@pytest.fixture(autouse=True)
def _no_page_cache(settings) -> None:
    settings.PAGE_CACHE_SECONDS = 0


def test_a_suspended_company_takes_its_products_out_and_a_verified_one_brings_them_back(client):
    company = CompanyFactory(status=Company.Status.VERIFIED)
    product = ProductFactory(company=company, name_en="Oxygen concentrator OC-5")
    assert product.pk in public_ids()
    assert "Oxygen concentrator OC-5" in catalog_names(client)

    company.status = Company.Status.SUSPENDED
    company.save()
    assert product.pk not in public_ids()
    assert "Oxygen concentrator OC-5" not in catalog_names(client)

    Company.objects.filter(pk=company.pk).update(status=Company.Status.VERIFIED)  # no save, no signal
    assert product.pk in public_ids()
    assert "Oxygen concentrator OC-5" in catalog_names(client)


def test_a_bulk_change_of_status_reaches_every_product_of_the_company_and_no_other():
    company, other = CompanyFactory(), CompanyFactory()
    mine = [ProductFactory(company=company).pk for _ in range(3)]
    theirs = ProductFactory(company=other).pk
    Company.objects.filter(pk=company.pk).update(status=Company.Status.PENDING)
    assert public_ids() == {theirs}
    assert not Product.objects.filter(pk__in=mine, company_verified=True).exists()


def test_a_product_of_a_company_not_yet_verified_is_not_public_until_it_is():
    company = CompanyFactory(status=Company.Status.PENDING)
    product = ProductFactory(company=company)
    assert product.pk not in public_ids()
    company.status = Company.Status.VERIFIED
    company.save()
    assert product.pk in public_ids()


def test_a_product_moved_to_another_company_follows_that_company():
    verified, pending = CompanyFactory(), CompanyFactory(status=Company.Status.PENDING)
    product = ProductFactory(company=verified)
    product.company = pending
    product.save()
    assert product.pk not in public_ids()
    product.company = verified
    product.save()
    assert product.pk in public_ids()


def test_saving_a_product_read_before_its_company_was_suspended_keeps_it_hidden():
    company = CompanyFactory()
    product = ProductFactory(company=company)
    stale = Product.objects.get(pk=product.pk)  # holds company_verified=True
    Company.objects.filter(pk=company.pk).update(status=Company.Status.SUSPENDED)
    stale.name_en = "Renamed"
    stale.save()
    assert product.pk not in public_ids()


def test_the_column_cannot_be_written_past_the_company():
    product = ProductFactory(company=CompanyFactory(status=Company.Status.SUSPENDED))
    Product.objects.filter(pk=product.pk).update(company_verified=True)
    assert product.pk not in public_ids()


@pytest.mark.django_db(transaction=True)
def test_a_product_added_while_its_company_is_being_suspended_reads_the_status_it_leaves():
    """The change to the company cannot see the new product's row before it commits; so the new
    product waits for the change (PostgreSQL; SQLite writes one transaction at a time)."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL only (SQLite serialises every write)")
    company = CompanyFactory(status=Company.Status.VERIFIED)
    category = CategoryFactory()
    suspending, release = threading.Event(), threading.Event()

    def suspend() -> None:
        with psycopg.connect(**_psycopg_arguments()) as other:
            with other.transaction():
                other.execute("UPDATE companies_company SET status = 'suspended' WHERE id = %s", [company.pk])
                suspending.set()
                release.wait(5)

    staff = threading.Thread(target=suspend)
    staff.start()
    assert suspending.wait(5)
    threading.Timer(0.5, release.set).start()  # commits while the product is being added
    product = ProductFactory(company=company, category=category)
    staff.join(5)
    assert product.pk not in public_ids()
    assert not Product.objects.get(pk=product.pk).company_verified


def _psycopg_arguments() -> dict[str, object]:
    settings = connection.settings_dict
    return {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"] or None,
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "autocommit": True,
    }
