"""Every page of products/views.py against the three visitors it must turn away: the anonymous
one (log-in page; the catalog and public products open), the wrong HTTP method (405) and a member
of another company reaching for a product that is not theirs (404, and nothing changed)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from products.models import Product, ProductImage
from tests.conftest import answered_methods, assert_sent_to_log_in, refused_methods, send
from tests.products.factories import ProductCertificationFactory, ProductFactory, png_bytes

pytestmark = pytest.mark.django_db

PAGES = {  # name: (path, the methods it answers)
    "catalog": ("/en/products/", {"GET"}),
    "mine": ("/en/products/mine/", {"GET"}),
    "create": ("/en/products/new/", {"GET", "POST"}),
    "detail": ("/en/products/{product}/", {"GET"}),
    "edit": ("/en/products/{product}/edit/", {"GET", "POST"}),
    "publish": ("/en/products/{product}/publish/", {"POST"}),
    "archive": ("/en/products/{product}/archive/", {"POST"}),
    "certificate_add": ("/en/products/{product}/certificates/", {"POST"}),
    "certificate_edit": ("/en/products/{product}/certificates/{certificate}/edit/", {"GET", "POST"}),
    "certificate_remove": ("/en/products/{product}/certificates/{certificate}/remove/", {"POST"}),
    "image_add": ("/en/products/{product}/gallery/", {"POST"}),
    "image_remove": ("/en/products/{product}/gallery/{image}/remove/", {"POST"}),
}
PUBLIC = {"catalog", "detail"}
OWN_OBJECTS = [name for name, (path, _) in PAGES.items() if "{product}" in path and name not in PUBLIC]


@pytest.fixture
def product(company):
    product = ProductFactory(company=company)
    ProductCertificationFactory(product=product, pending=True)
    ProductImage.objects.create(product=product, image=ContentFile(png_bytes(), name="g.png"))
    return product


@pytest.fixture
def paths(product):
    ids = {
        "product": product.pk,
        "certificate": product.certifications.get().pk,
        "image": product.gallery.get().pk,
    }
    return {name: path.format(**ids) for name, (path, _) in PAGES.items()}


@pytest.mark.parametrize(("name", "method"), answered_methods(PAGES))
def test_an_anonymous_visitor_is_sent_to_log_in_except_on_public_pages(client, paths, name, method):
    response = send(client, method, paths[name])
    if name in PUBLIC:
        assert response.status_code == 200
    else:
        assert_sent_to_log_in(response)


@pytest.mark.parametrize(("name", "method"), refused_methods(PAGES))
def test_a_method_the_page_does_not_take_is_405(client_for, company_member, paths, name, method):
    assert send(client_for(company_member), method, paths[name]).status_code == 405


@pytest.mark.parametrize(("name", "method"), [(n, m) for n in OWN_OBJECTS for m in sorted(PAGES[n][1])])
def test_another_companys_product_is_not_found(
    client_for, other_company_member, product, paths, name, method
):
    before = Product.objects.values().get(pk=product.pk)
    assert send(client_for(other_company_member), method, paths[name]).status_code == 404
    assert Product.objects.values().get(pk=product.pk) == before
    assert (product.certifications.count(), product.gallery.count()) == (1, 1)


def test_a_draft_is_not_found_by_a_competitor(client_for, company, other_company_member):
    draft = ProductFactory(company=company, draft=True)
    assert send(client_for(other_company_member), "GET", f"/en/products/{draft.pk}/").status_code == 404
