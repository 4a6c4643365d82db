"""The product form: optional files cleared, images checked for what they are (not what they are
called), thumbnails replaced with their image, and certificate dates that do not parse refused on
their field."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from products.models import Product
from tests.companies.factories import PDF_BYTES
from tests.products.factories import CategoryFactory, ProductFactory, png_bytes

pytestmark = pytest.mark.django_db


def jpeg_bytes() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(buffer, "JPEG")
    return buffer.getvalue()


def edit_data(product: Product, **overrides: object) -> dict[str, object]:
    data = {
        "name_fa": product.name_fa, "name_en": product.name_en, "category": product.category_id,
        "hs_code": product.hs_code, "description_fa": product.description_fa,
        "description_en": product.description_en, "monthly_capacity": product.monthly_capacity,
        "capacity_unit": product.capacity_unit, "minimum_order": product.minimum_order,
        "fob_price": product.fob_price, "currency": product.currency,
        "lead_time_days": product.lead_time_days,
    }  # fmt: skip
    data.update(overrides)
    return data


def test_clearing_an_optional_file_removes_it(client_for, company_member, company):
    product = ProductFactory(company=company, with_image=True)
    response = client_for(company_member).post(
        f"/en/products/{product.pk}/edit/", edit_data(product, **{"image-clear": "on"})
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert not product.image


def test_a_truncated_jpeg_is_refused(client_for, company_member):
    category = CategoryFactory(slug="masks")
    product = ProductFactory.build(category=category)
    data = edit_data(product, category=category.pk)
    data["image"] = SimpleUploadedFile("a.jpg", jpeg_bytes()[:2000], content_type="image/jpeg")
    response = client_for(company_member).post("/en/products/new/", data)
    assert response.status_code == 200
    assert "image" in response.context["form"].errors
    assert not Product.objects.exists()


@pytest.mark.parametrize("typed", ["1406/1/²", "1/1/" + "9" * 5000, "1-1-1", "۱۴۰۶/۱۳/۰۱"])
def test_odd_dates_are_field_errors(client_for, company_member, company, typed):
    product = ProductFactory(company=company)
    from tests.products.factories import CertificationFactory

    response = client_for(company_member).post(
        f"/en/products/{product.pk}/certificates/",
        {"certification": CertificationFactory().pk, "number": "N-1", "issuer": "X", "expiry_date": typed},
    )
    assert response.status_code == 400
    assert "expiry_date" in response.context["certificate_form"].errors


def test_replacing_the_image_makes_a_new_thumbnail_and_drops_the_old_files(
    client_for, company_member, company, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    product = ProductFactory(company=company)
    client = client_for(company_member)
    first = SimpleUploadedFile("a.png", png_bytes((300, 200), "red"), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/products/{product.pk}/edit/", edit_data(product, image=first))
    product.refresh_from_db()
    old_image, old_thumbnail = product.image.name, product.thumbnail.name
    assert old_thumbnail
    second = SimpleUploadedFile("b.png", png_bytes((300, 200), "blue"), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/products/{product.pk}/edit/", edit_data(product, image=second))
    product.refresh_from_db()
    assert product.image.name != old_image
    assert product.thumbnail.name not in ("", old_thumbnail)
    assert not default_storage.exists(old_image)
    assert not default_storage.exists(old_thumbnail)


def test_a_pdf_is_not_an_image_even_named_png(client_for, company_member):
    category = CategoryFactory(slug="masks")
    data = edit_data(ProductFactory.build(category=category), category=category.pk)
    data["image"] = SimpleUploadedFile("a.png", PDF_BYTES, content_type="image/png")
    with translation.override("en"):
        response = client_for(company_member).post("/en/products/new/", data)
    assert "image" in response.context["form"].errors
    assert not Product.objects.exists()


def test_a_name_too_long_is_refused_with_its_limit_and_kept_to_shorten(client_for, company_member, company):
    product = ProductFactory(company=company)
    client = client_for(company_member)
    form_page = client.get(f"/en/products/{product.pk}/edit/").content.decode()
    assert "maxlength" not in form_page  # the browser would cut a pasted name without a word
    long_name = "Oxygen concentrator " * 249 + "Oxygen concentrator!"  # 5,000 characters
    response = client.post(f"/en/products/{product.pk}/edit/", edit_data(product, name_en=long_name))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ensure this value has at most 200 characters (it has 5000)." in page
    assert long_name in page  # what was typed comes back to be shortened
    product.refresh_from_db()
    assert product.name_en != long_name
