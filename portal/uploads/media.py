"""Serving uploaded files with access rules.

Deny by default: an app registers each upload folder with a check `(user, name) -> bool`, so a
company's private certificate scan is served only to its members and staff, a product's files
only while the product is visible to the viewer, and logos to everyone. Apps register in their
AppConfig.ready(); portal imports no feature app.

Uploads live on local disk (MEDIA_ROOT) or, when DJANGO_STORAGE_S3_BUCKET is set, in a private
S3-compatible bucket shared by every web and worker process. Either way pages link to /media/<name>
(the storage's url() says so), and only this view hands the file out, after the check: from disk
it streams the file; from the bucket it redirects to a signed URL that lives
MEDIA_SIGNED_URL_SECONDS (a minute; MEDIA_S3_DELIVERY = "redirect", the default), so that a slow
download never holds a web worker, or streams the object itself (MEDIA_S3_DELIVERY = "stream",
for endpoints that browsers cannot reach).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.cache import patch_cache_control
from django.utils.encoding import filepath_to_uri
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from portal.models import User
from portal.uploads.files import safe_filename

AccessCheck = Callable[[User | AnonymousUser, str], bool]
_rules: dict[str, AccessCheck | None] = {}
# Uploads are never pages: nothing in them may run, load, or be framed, whatever a browser
# takes them for (sandbox also gives them an opaque origin, away from the portal's cookies).
MEDIA_CSP = "default-src 'none'; sandbox"
# Shown inline (in <img> tags); everything else, PDFs first, is downloaded, never rendered here.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp"}


def register_public(*folders: str) -> None:
    for folder in folders:
        _rules[folder.rstrip("/") + "/"] = None


def register_private(folder: str, check: AccessCheck) -> None:
    """Serve the folder's files to whoever `check` allows. Several apps may register rules for one
    folder (deals for a shipment's parties, support for the reviewers of an application citing it):
    a viewer any of them allows sees the file, whatever order the apps are loaded in."""
    key = folder.rstrip("/") + "/"
    earlier = _rules.get(key)
    if earlier is None:
        _rules[key] = check
        return
    checks = list(getattr(earlier, "any_of", (earlier,)))
    if check in checks:
        return
    checks.append(check)

    def any_of(user: User | AnonymousUser, name: str) -> bool:
        return any(rule(user, name) for rule in checks)

    any_of.any_of = tuple(checks)  # type: ignore[attr-defined]
    _rules[key] = any_of


def _rule_for(name: str) -> tuple[bool, AccessCheck | None]:
    for folder, check in _rules.items():
        if name.startswith(folder):
            return True, check
    return False, None


def _is_file_name(name: str) -> bool:
    parts = name.split("/")
    return (
        "\x00" not in name
        and not name.startswith("/")
        and ".." not in parts
        and bool(parts[-1])  # "companies/logos/" is a folder: nothing to serve
    )


@require_GET
def serve(request: HttpRequest, name: str) -> HttpResponse:
    """Serve an uploaded file if its folder is registered and the viewer may see it."""
    if not _is_file_name(name):
        raise Http404
    known, check = _rule_for(name)
    if not known or (check is not None and not check(request.user, name)):
        raise Http404  # not "forbidden": do not reveal that the file exists
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    disposition = content_disposition_header(
        as_attachment=content_type not in INLINE_TYPES, filename=safe_filename(name.rsplit("/", 1)[-1])
    )
    if not hasattr(default_storage, "signed_url"):
        try:
            handle = default_storage.open(name, "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, ValueError):
            raise Http404 from None  # missing, a folder, or a name the file system refuses
        response: HttpResponse = FileResponse(handle, content_type=content_type)
    elif settings.MEDIA_S3_DELIVERY == "redirect":
        # No existence check: it would cost a round trip to the bucket on every image, and the
        # check above already found a row that names this file (a missing object is the bucket's 404).
        # The bucket answers with the type and disposition signed into the URL.
        response = HttpResponseRedirect(default_storage.signed_url(name, content_type, disposition))
    else:
        response = _stream_object(name, content_type)
    response["Content-Disposition"] = disposition
    response["Content-Security-Policy"] = MEDIA_CSP
    response["X-Content-Type-Options"] = "nosniff"
    if check is None:
        # A redirect is reused only while its signed URL is still valid.
        lifetime = settings.MEDIA_SIGNED_URL_SECONDS // 2 if response.status_code == 302 else 24 * 3600
        patch_cache_control(response, public=True, max_age=lifetime)
    else:
        # Access can change (a product archived, a member leaving): caches must ask again.
        patch_cache_control(response, private=True, no_cache=True)
    return response


def _stream_object(name: str, content_type: str) -> StreamingHttpResponse:
    try:
        chunks, size = default_storage.stream(name)
    except FileNotFoundError:
        raise Http404 from None
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Length"] = str(size)
    return response


def delete_after_commit(*names: str) -> None:
    """Remove replaced or deleted uploads from storage once the change is committed."""

    def delete() -> None:
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(delete)


# ---------------------------------------------------------------------------
# S3-compatible object storage (STORAGES["default"] when DJANGO_STORAGE_S3_BUCKET is set)
# ---------------------------------------------------------------------------
def s3_storage(**options: Any) -> Storage:
    """The uploads' storage in a private bucket; STORAGES names this factory, not a class.

    django-storages and boto3 are imported here, on first use, so that a process on local disk
    never loads them (about 0.2 s and 35 MB per process).
    """
    return _s3_storage_class()(**options)


@cache
def _s3_storage_class() -> type[Storage]:
    from botocore.exceptions import ClientError
    from storages.backends.s3 import S3Storage
    from storages.utils import clean_name

    class PrivateS3Storage(S3Storage):
        """Objects stay private; links go through /media/ and its access check."""

        def url(self, name: str, parameters: Any = None, expire: Any = None, http_method: Any = None) -> str:
            # Never a bucket URL in a page: it would skip the check, and a signed one would expire
            # inside cached pages. The view hands out the signed URL after the check.
            return f"{settings.MEDIA_URL}{filepath_to_uri(name).lstrip('/')}"

        def signed_url(self, name: str, content_type: str = "", disposition: str = "") -> str:
            """A GET URL for the object, valid MEDIA_SIGNED_URL_SECONDS, answered with these headers."""
            parameters = {}
            if content_type:
                parameters["ResponseContentType"] = content_type
            if disposition:
                parameters["ResponseContentDisposition"] = disposition
            return super().url(name, parameters=parameters or None, expire=settings.MEDIA_SIGNED_URL_SECONDS)

        def stream(self, name: str) -> tuple[Iterator[bytes], int]:
            """The object's bytes in chunks, read as they are sent, and its size."""
            try:
                obj = self.connection.meta.client.get_object(
                    Bucket=self.bucket_name, Key=self._normalize_name(clean_name(name))
                )
            except ClientError as err:
                if err.response["Error"]["Code"] in {"NoSuchKey", "404"}:
                    raise FileNotFoundError(name) from err
                raise
            body = obj["Body"]

            def chunks() -> Iterator[bytes]:
                try:
                    yield from body.iter_chunks(64 * 1024)
                finally:
                    body.close()  # back to the connection pool even if the client went away

            return chunks(), obj["ContentLength"]

    return PrivateS3Storage
