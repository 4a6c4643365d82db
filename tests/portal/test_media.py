from __future__ import annotations

import pytest

from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 404),
        ("other_company_member", 404),
        ("broker_member", 404),
        ("company_member", 200),
        ("reviewer", 200),
        ("manager", 200),
    ],
)
def test_company_certificate_scan_is_private(request, client_for, company, persona, status):
    url = company.certificate_file.url
    assert url.startswith("/media/companies/certificates/")
    response = client_for(request.getfixturevalue(persona)).get(url)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert "no-store" in response["Cache-Control"]


def test_product_pictures_are_public_and_cacheable(client):
    product = ProductFactory(with_image=True)
    response = client.get(product.image.url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert "public" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/media/secret/file.txt",
        "/media/products/images/../../../etc/passwd",
        "/media/products/images/none.png",
    ],
)
def test_unknown_missing_or_escaping_paths_are_404(client, path):
    assert client.get(path).status_code == 404
