"""Export readiness stored per product and country: it follows every change of its inputs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from products.models import Product, ProductCertification, ProductReadiness
from products.readiness import readiness_refresh
from products.services import certificate_verify
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import (
    CategoryFactory,
    CertificationFactory,
    ProductCertificationFactory,
    ProductFactory,
    RequirementFactory,
)
from tests.products.pages import card_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def iraq():
    return TargetCountryFactory(iso_code="IQ", name_en="Iraq")


@pytest.fixture
def ce():
    return CertificationFactory(code="ce")


@pytest.fixture
def masks():
    return CategoryFactory(slug="masks")


def ready(country) -> set[str]:
    return set(Product.objects.ready_for(country).values_list("name_en", flat=True))


def test_a_certificate_added_removed_or_changed_moves_the_product_in_and_out(iraq, ce, masks, manager):
    RequirementFactory(country=iraq, category=masks, certification=ce)
    product = ProductFactory(name_en="Mask", category=masks)
    assert ready(iraq) == set()
    certificate = ProductCertificationFactory(product=product, certification=ce)
    assert ready(iraq) == {"Mask"}
    certificate.expiry_date = timezone.localdate() - dt.timedelta(days=1)
    certificate.save()
    assert ready(iraq) == set()
    certificate.expiry_date = timezone.localdate() + dt.timedelta(days=30)
    certificate.save()
    # A renewed date is a changed certificate: it waits for the centre's check again.
    assert certificate.status == ProductCertification.Status.PENDING
    assert ready(iraq) == set()
    certificate_verify(certificate=certificate, by=manager)
    assert ready(iraq) == {"Mask"}
    certificate.refresh_from_db()
    certificate.delete()
    assert ready(iraq) == set()


def test_expiry_needs_no_rewrite_the_row_keeps_the_earliest_expiry(iraq, ce, masks):
    iso = CertificationFactory(code="iso-13485")
    RequirementFactory(country=iraq, category=masks, certification=ce)
    RequirementFactory(country=iraq, category=masks, certification=iso)
    product = ProductFactory(name_en="Mask", category=masks)
    soon = timezone.localdate() + dt.timedelta(days=10)
    ProductCertificationFactory(product=product, certification=ce, expiry_date=soon)
    ProductCertificationFactory(product=product, certification=iso)
    assert ProductReadiness.objects.get(product=product, country=iraq).valid_until == soon
    assert ready(iraq) == {"Mask"}
    assert not Product.objects.ready_for(iraq, on=soon + dt.timedelta(days=1)).exists()


def test_a_new_requirement_or_its_removal_rewrites_the_whole_category(iraq, ce, masks):
    requirement = RequirementFactory(country=iraq, category=masks, certification=ce)
    for n in range(3):
        ProductCertificationFactory(
            product=ProductFactory(name_en=f"Mask {n}", category=masks), certification=ce
        )
    assert ready(iraq) == {"Mask 0", "Mask 1", "Mask 2"}
    fda = CertificationFactory(code="fda-eua")
    RequirementFactory(country=iraq, category=masks, certification=fda)
    assert ready(iraq) == set()
    ProductCertificationFactory(product=Product.objects.get(name_en="Mask 1"), certification=fda)
    assert ready(iraq) == {"Mask 1"}
    requirement.delete()
    assert ready(iraq) == {"Mask 1"}


def test_a_product_moved_to_another_category_takes_that_categorys_requirements(iraq, ce, masks):
    kits = CategoryFactory(slug="test-kits")
    RequirementFactory(country=iraq, category=masks, certification=ce)
    product = ProductFactory(name_en="Kit", category=kits)
    ProductCertificationFactory(product=product, certification=ce)
    assert ready(iraq) == set()  # kits have no requirement in Iraq: not "ready"
    product.category = masks
    product.save()
    assert ready(iraq) == {"Kit"}


def test_a_full_rewrite_agrees_with_the_incremental_rows(iraq, ce, masks):
    RequirementFactory(country=iraq, category=masks, certification=ce)
    for n in range(4):
        product = ProductFactory(name_en=f"Mask {n}", category=masks)
        if n % 2:
            ProductCertificationFactory(product=product, certification=ce)
    before = set(ProductReadiness.objects.values_list("product_id", "country_id", "valid_until"))
    readiness_refresh()
    assert set(ProductReadiness.objects.values_list("product_id", "country_id", "valid_until")) == before
    assert len(before) == 2


def test_the_catalog_badges_and_filter_use_the_stored_readiness(client, iraq, ce, masks):
    RequirementFactory(country=iraq, category=masks, certification=ce)
    ProductCertificationFactory(
        product=ProductFactory(name_en="Ready mask", category=masks), certification=ce
    )
    ProductFactory(name_en="Unready mask", category=masks)
    response = client.get("/en/products/", {"ready_for": "IQ"})
    assert card_names(response) == ["Ready mask"]
    assert "Ready for Iraq" in response.content.decode()
