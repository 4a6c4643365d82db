"""Uploads in S3-compatible object storage, served only through /media/ and its access rules.

A local S3 server (moto's server mode) runs in a thread of the test process. The last test starts
two real gunicorn web processes against the same PostgreSQL database, Redis and bucket, and shows
that a file uploaded through one is served by the other, to the right people only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tests.conftest import skip_or_fail
from tests.portal.factories import PASSWORD
from tests.portal.scaleout import (
    ROOT,
    Browser,
    child_environment,
    gunicorn,
    new_bucket,
    s3_client,
    s3_environment,
    s3_server,
)
from tests.products.factories import ProductFactory, png_bytes

pytestmark = pytest.mark.django_db

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch) -> str:
    """A fresh private bucket, and this process's uploads going to it (request it before any
    fixture that creates files, such as `company`)."""
    name = new_bucket(s3_endpoint)
    env = s3_environment(s3_endpoint, name)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings.MEDIA_S3_DELIVERY = "redirect"
    settings.MEDIA_SIGNED_URL_SECONDS = 60
    # The same options settings.py builds from these variables (the subprocess test below
    # checks the real thing); changing STORAGES resets default_storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "portal.uploads.media.s3_storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": env["AWS_S3_ENDPOINT_URL"],
                "region_name": env["AWS_S3_REGION_NAME"],
                "access_key": env["AWS_ACCESS_KEY_ID"],
                "secret_key": env["AWS_SECRET_ACCESS_KEY"],
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
            },
        },
    }
    return name


def keys(endpoint: str, bucket: str) -> set[str]:
    listing = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listing.get("Contents", [])}


def upload_gallery_picture(client, product, content: bytes) -> str:
    response = client.post(
        f"/en/products/{product.pk}/gallery/",
        {"image": SimpleUploadedFile("photo.png", content, content_type="image/png")},
    )
    assert response.status_code == 302
    return product.gallery.get().image.name


def fetch(url: str) -> bytes:
    response = Browser().get(url)
    assert response.status == 200, (response.status, response.body[:300])
    return response.body


# --- one process ---------------------------------------------------------------------------------
def test_uploaded_picture_goes_to_the_private_bucket_and_pages_link_to_media(
    bucket, s3_endpoint, company, company_member, client_for
):
    product = ProductFactory(company=company, draft=True)
    client = client_for(company_member)
    name = upload_gallery_picture(client, product, png_bytes())

    assert name in keys(s3_endpoint, bucket)
    grants = s3_client(s3_endpoint).get_object_acl(Bucket=bucket, Key=name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner's, nobody else's
    assert all(g["Grantee"].get("URI") != ALL_USERS for g in grants)
    # Pages never carry a bucket URL: every read goes through the access check.
    assert product.gallery.get().image.url == f"/media/{name}"
    assert f'src="/media/{name}"' in client.get(f"/en/products/{product.pk}/edit/").content.decode()
    assert s3_endpoint not in client.get(f"/en/products/{product.pk}/").content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 404), ("other_company_member", 404), ("company_member", 302), ("reviewer", 302)],
)
def test_media_checks_access_before_redirecting_to_a_short_lived_signed_url(
    request, bucket, s3_endpoint, company, client_for, persona, status
):
    # The company's knowledge-based certificate scan: private to its members and the centre.
    name = company.certificate_file.name
    assert name in keys(s3_endpoint, bucket)
    response = client_for(request.getfixturevalue(persona)).get(f"/media/{name}")
    assert response.status_code == status
    if status == 404:
        assert "Location" not in response
        return
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}" == s3_endpoint
    assert location.path == f"/{bucket}/{quote(name)}"
    assert query["X-Amz-Expires"] == ["60"]
    assert "X-Amz-Signature" in query
    assert "private" in response["Cache-Control"]  # never reused by a shared cache
    assert fetch(response["Location"]).startswith(b"%PDF-")


def test_public_file_redirect_may_be_cached_for_half_the_url_lifetime(bucket, company, client_for):
    from django.core.files.base import ContentFile

    company.logo.save("logo.png", ContentFile(png_bytes()), save=True)  # logos are public
    response = client_for(None).get(company.logo.url)
    assert response.status_code == 302
    assert "public" in response["Cache-Control"]
    assert "max-age=30" in response["Cache-Control"]
    assert fetch(response["Location"]) == png_bytes()


def test_media_can_stream_the_object_instead(settings, bucket, company, company_member, client_for):
    settings.MEDIA_S3_DELIVERY = "stream"
    product = ProductFactory(company=company, draft=True)
    content = png_bytes((300, 200), "orange")
    name = upload_gallery_picture(client_for(company_member), product, content)

    response = client_for(company_member).get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert int(response["Content-Length"]) == len(content)
    assert b"".join(response.streaming_content) == content
    assert client_for(None).get(f"/media/{name}").status_code == 404


def test_thumbnail_is_made_from_the_bucket_and_replaced_files_are_deleted(
    bucket, s3_endpoint, company, django_capture_on_commit_callbacks
):
    from products.services import product_update

    product = ProductFactory(company=company)
    with django_capture_on_commit_callbacks(execute=True):  # the thumbnail task runs in-process
        product_update(product=product, image=SimpleUploadedFile("a.png", png_bytes((900, 600)), "image/png"))
    product.refresh_from_db()
    first_image, first_thumbnail = product.image.name, product.thumbnail.name
    assert first_thumbnail.startswith("products/thumbnails/")
    assert {first_image, first_thumbnail} <= keys(s3_endpoint, bucket)

    with django_capture_on_commit_callbacks(execute=True):
        product_update(
            product=product, image=SimpleUploadedFile("b.png", png_bytes(color="red"), "image/png")
        )
    product.refresh_from_db()
    stored = keys(s3_endpoint, bucket)
    assert {product.image.name, product.thumbnail.name} <= stored
    assert first_image not in stored
    assert first_thumbnail not in stored


# --- settings, as a deployed process reads them --------------------------------------------------
def _settings_of_a_process(**env: str) -> list[str]:
    code = (
        "import sys, config.urls; from django.conf import settings as s;"
        "from django.core.files.storage import storages;"
        "print(s.STORAGES['default']['BACKEND'], s.SESSION_ENGINE, s.CACHES['default']['BACKEND'],"
        " type(storages['default']).__name__, 'boto3' in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=child_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()


def test_local_disk_and_database_sessions_stay_the_default_and_boto3_is_not_loaded():
    assert _settings_of_a_process() == [
        "django.core.files.storage.FileSystemStorage",
        "django.contrib.sessions.backends.db",
        "django.core.cache.backends.locmem.LocMemCache",
        "FileSystemStorage",
        "False",
    ]


def test_a_bucket_and_redis_make_uploads_sessions_and_cache_shared(s3_endpoint):
    env = {
        **s3_environment(s3_endpoint, new_bucket(s3_endpoint)),
        "REDIS_URL": "redis://cache.internal:6379/0",
    }
    assert _settings_of_a_process(**env) == [
        "portal.uploads.media.s3_storage",
        "django.contrib.sessions.backends.cached_db",
        "portal.http.cache.ResilientRedisCache",
        "PrivateS3Storage",
        "True",
    ]


# --- two web processes ---------------------------------------------------------------------------
def _database_url() -> str:
    """The test database (pytest-django's), so the web processes see what this test commits."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{quote(db['USER'], safe='')}{password}@{host}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("role_groups")
def test_two_web_processes_serve_the_same_upload_to_the_same_people(
    settings, s3_endpoint, tmp_path, company, company_member
):
    if connection.vendor != "postgresql":
        skip_or_fail("two web processes share data only through PostgreSQL (set DATABASE_URL)")
    # The web processes check passwords with the production hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    company_member.set_password(PASSWORD)
    company_member.save(update_fields=["password"])
    product = ProductFactory(company=company, draft=True)  # private: members and staff only

    bucket = new_bucket(s3_endpoint)
    shared = {
        **s3_environment(s3_endpoint, bucket),
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",  # no connection left to block dropping the test database
        "DJANGO_SECRET_KEY": "two-processes-one-secret-" + "x" * 40,
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_STATIC_MANIFEST": "false",
    }
    if os.environ.get("REDIS_URL"):
        shared["REDIS_URL"] = os.environ["REDIS_URL"]  # cache and sessions in Redis too
    # Each process gets its own empty local media folder: whatever they serve must come from S3.
    media_a, media_b = tmp_path / "media-a", tmp_path / "media-b"

    timings: dict[str, float] = {}
    started = time.monotonic()
    with (
        gunicorn(child_environment(**shared, DJANGO_MEDIA_ROOT=str(media_a))) as web_a,
        gunicorn(child_environment(**shared, DJANGO_MEDIA_ROOT=str(media_b))) as web_b,
    ):
        timings["both processes serving"] = time.monotonic() - started
        member = Browser()
        member.get(f"{web_a}/en/accounts/login/")
        started = time.monotonic()
        login = member.post(
            f"{web_a}/en/accounts/login/",
            {
                "csrfmiddlewaretoken": member.cookie("csrftoken"),
                "username": company_member.email,
                "password": PASSWORD,
            },
        )
        timings["log in on A"] = time.monotonic() - started
        assert login.status == 200
        assert "/accounts/login/" not in login.url, login.body[:500]

        content = png_bytes((320, 240), "purple")
        started = time.monotonic()
        upload = member.post(
            f"{web_a}/en/products/{product.pk}/gallery/",
            {"csrfmiddlewaretoken": member.cookie("csrftoken")},
            {"image": ("photo.png", content, "image/png")},
        )
        timings["upload on A"] = time.monotonic() - started
        assert upload.status == 200
        assert upload.url.endswith(f"/products/{product.pk}/edit/")
        name = product.gallery.get().image.name
        assert name in keys(s3_endpoint, bucket)

        for label, web in (("A", web_a), ("B", web_b)):
            # The member's session, made by A, is known to B: sessions are shared, not per process.
            for attempt in ("first", "second"):  # the first one in a process also loads boto3
                started = time.monotonic()
                served = member.get(f"{web}/media/{name}")
                timings[f"{attempt} fetch from {label} (check, redirect, S3)"] = time.monotonic() - started
                assert served.status == 200
                assert served.body == content
                assert served.url.startswith(f"{s3_endpoint}/{bucket}/")
            redirect = member.without_redirects().get(f"{web}/media/{name}")
            assert redirect.status == 302
            assert "X-Amz-Signature=" in redirect.headers["Location"]
            # The access rule holds on both: anonymous visitors and other companies see nothing.
            anonymous = Browser(follow_redirects=False).get(f"{web}/media/{name}")
            assert anonymous.status == 404
            assert "Location" not in anonymous.headers

        assert not any(media_a.rglob("*"))
        assert not any(media_b.rglob("*"))
    print("\n" + "\n".join(f"{label}: {seconds * 1000:.0f} ms" for label, seconds in timings.items()))  # noqa: T201
