from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from companies.models import Company
from products.models import Product, ProductCertification
from tests.companies.factories import PDF_BYTES
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import (
    CategoryFactory,
    CertificationFactory,
    ProductCertificationFactory,
    ProductFactory,
    png_bytes,
)

pytestmark = pytest.mark.django_db


def product_data(category, **overrides: object) -> dict[str, object]:
    data = {
        "name_fa": "ماسک سه لایه پزشکی",
        "name_en": "Three-ply medical mask",
        "category": category.pk,
        "hs_code": "۶۳۰۷۹۰",
        "description_fa": "ماسک پزشکی",
        "description_en": "Medical mask",
        "specifications_fa": "",
        "specifications_en": "",
        "monthly_capacity": "۲۰۰۰۰۰",
        "capacity_unit": "piece",
        "minimum_order": "1000",
        "fob_price": "۰٫۰۸",
        "currency": "USD",
        "lead_time_days": "14",
    }
    data.update(overrides)
    return data


def test_member_creates_a_draft_with_persian_digits_and_an_image(
    client_for, company_member, company, django_capture_on_commit_callbacks
):
    category = CategoryFactory(slug="masks")
    iraq = TargetCountryFactory(iso_code="IQ")
    image = SimpleUploadedFile("photo.jpg", png_bytes((800, 600)), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(company_member).post(
            "/fa/products/new/", product_data(category, image=image, registered_countries=[iraq.pk])
        )
    assert response.status_code == 302, response.context["form"].errors
    product = Product.objects.get()
    assert product.company == company
    assert product.status == Product.Status.DRAFT
    assert product.hs_code == "630790"
    assert product.monthly_capacity == 200_000
    assert product.fob_price == Decimal("0.08")
    assert list(product.registered_countries.all()) == [iraq]
    assert product.image.name.endswith(".png")  # named after its content, not "photo.jpg"
    assert product.thumbnail  # made after commit (in-process here)
    assert product.thumbnail.width <= 480


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hs_code", "12345"),
        ("hs_code", "63079012345"),
        ("hs_code", "6307-90"),
        ("fob_price", "-1"),
        ("fob_price", "0"),
        ("fob_price", "ارزان"),
        ("monthly_capacity", "0"),
        ("currency", "BTC"),
        ("lead_time_days", "-3"),
        ("name_fa", ""),
    ],
)
def test_invalid_product_fields_are_errors_and_nothing_is_saved(client_for, company_member, field, value):
    category = CategoryFactory(slug="masks")
    response = client_for(company_member).post("/fa/products/new/", product_data(category, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Product.objects.exists()
    assert "Three-ply medical mask" in response.content.decode()  # what was typed stays


@pytest.mark.parametrize(
    ("field", "upload"),
    [
        ("image", SimpleUploadedFile("evil.png", b"<?php system($_GET['c']); ?>", content_type="image/png")),
        ("datasheet", SimpleUploadedFile("sheet.pdf", png_bytes(), content_type="application/pdf")),
    ],
)
def test_uploads_are_checked_by_content(client_for, company_member, field, upload):
    category = CategoryFactory(slug="masks")
    response = client_for(company_member).post("/en/products/new/", product_data(category, **{field: upload}))
    assert field in response.context["form"].errors
    assert not Product.objects.exists()


def test_publish_then_archive(client_for, company_member, company):
    product = ProductFactory(company=company, draft=True)
    client = client_for(company_member)
    assert client.post(f"/en/products/{product.pk}/publish/").status_code == 302
    product.refresh_from_db()
    assert product.status == Product.Status.PUBLISHED
    assert product.published_at is not None
    assert client.post(f"/en/products/{product.pk}/archive/").status_code == 302
    product.refresh_from_db()
    assert product.status == Product.Status.ARCHIVED


@pytest.mark.parametrize("action", ["edit/", "publish/", "archive/", "certificates/", "gallery/"])
def test_another_companys_product_cannot_be_touched(client_for, company_member, other_company, action):
    theirs = ProductFactory(company=other_company, draft=True, name_en="Secret draft")
    response = client_for(company_member).post(f"/en/products/{theirs.pk}/{action}", {})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Product.Status.DRAFT


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 404), ("other_company_member", 404), ("broker_member", 404), ("company_member", 200)],
)
def test_a_draft_is_seen_only_by_its_company(request, client_for, company, persona, status):
    draft = ProductFactory(company=company, draft=True)
    assert client_for(request.getfixturevalue(persona)).get(f"/en/products/{draft.pk}/").status_code == status


def test_product_pages_need_login_and_post(client, client_for, company_member, company):
    product = ProductFactory(company=company)
    assert client.get("/en/products/new/")["Location"].startswith("/en/accounts/login/")
    assert client.post(f"/en/products/{product.pk}/publish/")["Location"].startswith("/en/accounts/login/")
    assert client_for(company_member).get(f"/en/products/{product.pk}/publish/").status_code == 405


def test_suspended_company_cannot_change_products(client_for, company_member, company):
    product = ProductFactory(company=company, draft=True)
    company.status = Company.Status.SUSPENDED
    company.save()
    client = client_for(company_member)
    assert client.post(f"/en/products/{product.pk}/publish/").status_code == 403
    assert client.get("/en/products/new/").status_code == 403


def test_certificates_are_added_with_field_errors_kept(client_for, company_member, company):
    product = ProductFactory(company=company)
    ce = CertificationFactory(code="ce")
    client = client_for(company_member)
    response = client.post(
        f"/en/products/{product.pk}/certificates/",
        {"certification": ce.pk, "number": "CE-1", "issuer": "TÜV", "expiry_date": "not a date"},
    )
    assert response.status_code == 400
    assert "expiry_date" in response.context["certificate_form"].errors
    assert 'value="CE-1"' in response.content.decode()
    pdf = SimpleUploadedFile("ce.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(
        f"/en/products/{product.pk}/certificates/",
        {"certification": ce.pk, "number": "CE-1", "issuer": "TÜV", "expiry_date": "2030-01-31", "file": pdf},
    )
    assert response.status_code == 302
    certificate = ProductCertification.objects.get()
    assert certificate.expiry_date == dt.date(2030, 1, 31)
    assert client.post(f"/en/products/{product.pk}/certificates/{certificate.pk}/remove/").status_code == 302
    assert not ProductCertification.objects.exists()


def test_gallery_accepts_images_only(client_for, company_member, company):
    product = ProductFactory(company=company)
    client = client_for(company_member)
    good = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    client.post(f"/en/products/{product.pk}/gallery/", {"image": good, "caption": "Front"})
    bad = SimpleUploadedFile("b.png", PDF_BYTES, content_type="image/png")
    response = client.post(f"/en/products/{product.pk}/gallery/", {"image": bad}, follow=True)
    assert "Upload a valid image" in response.content.decode()
    assert list(product.gallery.values_list("caption", flat=True)) == ["Front"]


def test_my_products_lists_only_my_company(client_for, company_member, company, other_company):
    ProductFactory(company=company, name_en="Ours", draft=True)
    ProductFactory(company=other_company, name_en="Theirs")
    content = client_for(company_member).get("/en/products/mine/").content.decode()
    assert "Ours" in content
    assert "Theirs" not in content


def test_certificate_validity_badges_on_product_page(client, company):
    product = ProductFactory(company=company)
    ProductCertificationFactory(product=product, certification=CertificationFactory(code="ce"), expired=True)
    ProductCertificationFactory(
        product=product,
        certification=CertificationFactory(code="iso-13485"),
        expiry_date=timezone.localdate() + dt.timedelta(days=20),
    )
    content = client.get(f"/en/products/{product.pk}/").content.decode()
    assert ">expired<" in content
    assert ">expires soon<" in content
