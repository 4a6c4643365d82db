"""A product's lifecycle through its one door: publish and archive follow products.permissions
PRODUCT_ACTIONS, and the edit page offers a button only for an action its viewer may take now."""

from __future__ import annotations

import pytest

from companies.models import Company
from products import services
from products.models import Product
from products.permissions import product_allowed_actions
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db

Status = Product.Status


@pytest.mark.parametrize(
    ("status", "actions"),
    [
        (Status.DRAFT, ["publish", "archive"]),
        (Status.PUBLISHED, ["archive"]),
        (Status.ARCHIVED, ["publish"]),
    ],
)
def test_a_member_may_take_the_actions_of_the_products_state(
    company, company_member, other_company_member, status, actions
):
    product = ProductFactory(company=company, status=status)
    assert product_allowed_actions(company_member, product) == actions
    assert product_allowed_actions(other_company_member, product) == []


def test_a_suspended_company_may_not_act_on_its_products(company, company_member):
    product = ProductFactory(company=company, draft=True)
    company.status = Company.Status.SUSPENDED
    assert product_allowed_actions(company_member, product) == []


def test_publish_and_archive_follow_the_table(company):
    product = ProductFactory(company=company, draft=True)
    published = services.product_publish(product=product)
    assert (published.status, published.published_at is not None) == (Status.PUBLISHED, True)
    first = published.published_at
    archived = services.product_archive(product=published)
    assert archived.status == Status.ARCHIVED
    assert services.product_archive(product=archived).status == Status.ARCHIVED  # twice: no change
    again = services.product_publish(product=archived)
    assert (again.status, again.published_at) == (Status.PUBLISHED, first)  # first publication kept


def test_the_services_read_the_stored_state_not_the_callers_copy(company):
    """The row is locked and read again: a stale copy cannot archive a product twice over a change."""
    product = ProductFactory(company=company)
    stale = Product.objects.get(pk=product.pk)
    services.product_archive(product=product)
    assert services.product_publish(product=stale).status == Status.PUBLISHED
    product.refresh_from_db()
    assert product.status == Status.PUBLISHED


@pytest.mark.parametrize(
    ("status", "shown", "hidden"),
    [
        (Status.DRAFT, ["publish", "archive"], []),
        (Status.PUBLISHED, ["archive"], ["publish"]),
        (Status.ARCHIVED, ["publish"], ["archive"]),
    ],
)
def test_the_edit_page_shows_the_buttons_of_the_state(
    client_for, company, company_member, status, shown, hidden
):
    product = ProductFactory(company=company, status=status)
    page = client_for(company_member).get(f"/en/products/{product.pk}/edit/").content.decode()
    for action in shown:
        assert f"/products/{product.pk}/{action}/" in page
    for action in hidden:
        assert f"/products/{product.pk}/{action}/" not in page


def test_a_suspended_companys_pages_offer_no_action(client_for, company, company_member):
    product = ProductFactory(company=company, draft=True)
    Company.objects.filter(pk=company.pk).update(status=Company.Status.SUSPENDED)
    client = client_for(company_member)
    page = client.get(f"/en/products/{product.pk}/edit/").content.decode()
    assert f"/products/{product.pk}/publish/" not in page
    assert f"/products/{product.pk}/archive/" not in page
    assert "/products/new/" not in client.get("/en/products/mine/").content.decode()


def test_my_products_offers_a_new_product_to_an_active_company(client_for, company_member):
    assert "/products/new/" in client_for(company_member).get("/en/products/mine/").content.decode()
