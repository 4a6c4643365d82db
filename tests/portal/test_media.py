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
        assert "private" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("draft", "persona", "status"),
    [
        (False, "anonymous", 200),
        (True, "anonymous", 404),
        (True, "other_company_member", 404),
        (True, "company_member", 200),
    ],
)
def test_product_files_follow_the_product(request, client_for, company, draft, persona, status):
    product = ProductFactory(company=company, with_image=True, draft=draft)
    response = client_for(request.getfixturevalue(persona)).get(product.image.url)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"].startswith("image/")


def test_removed_gallery_picture_is_deleted_from_storage(
    client_for, company_member, company, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.products.factories import png_bytes

    product = ProductFactory(company=company)
    client = client_for(company_member)
    client.post(
        f"/en/products/{product.pk}/gallery/",
        {"image": SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")},
    )
    picture = product.gallery.get()
    name = picture.image.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/products/{product.pk}/gallery/{picture.pk}/remove/")
    assert not default_storage.exists(name)
    assert client.get(f"/media/{name}").status_code == 404


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


def test_rules_of_several_apps_for_one_folder_each_grant(monkeypatch):
    """Deals lets a shipment's parties see its invoice and support lets the reviewers of a citing
    application see it: a viewer either rule allows gets the file, whichever app loaded first."""
    from portal.uploads import media

    monkeypatch.setattr(media, "_rules", {})
    parties = lambda user, name: user == "party"  # noqa: E731
    reviewers = lambda user, name: user == "reviewer"  # noqa: E731
    media.register_private("deals/invoices", parties)
    media.register_private("deals/invoices/", reviewers)
    media.register_private("deals/invoices", reviewers)  # registering the same rule again adds nothing
    known, check = media._rule_for("deals/invoices/a.pdf")
    assert known
    assert [check(user, "deals/invoices/a.pdf") for user in ("party", "reviewer", "stranger")] == [
        True, True, False,
    ]  # fmt: skip
    assert check.any_of == (parties, reviewers)
