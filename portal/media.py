"""Serving uploaded files with access rules.

Deny by default: an app registers each upload folder with a check `(user, name) -> bool`, so a
company's private certificate scan is served only to its members and staff, while product
pictures are public. Apps register in their AppConfig.ready(); portal imports no feature app.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from .models import User

AccessCheck = Callable[[User | AnonymousUser, str], bool]
_rules: dict[str, AccessCheck | None] = {}


def register_public(*folders: str) -> None:
    for folder in folders:
        _rules[folder.rstrip("/") + "/"] = None


def register_private(folder: str, check: AccessCheck) -> None:
    _rules[folder.rstrip("/") + "/"] = check


def _rule_for(name: str) -> tuple[bool, AccessCheck | None]:
    for folder, check in _rules.items():
        if name.startswith(folder):
            return True, check
    return False, None


@require_GET
def serve(request: HttpRequest, name: str) -> FileResponse:
    """Serve an uploaded file if its folder is registered and the viewer may see it."""
    if ".." in name.split("/") or name.startswith("/"):
        raise Http404
    known, check = _rule_for(name)
    if not known or (check is not None and not check(request.user, name)):
        raise Http404  # not "forbidden": do not reveal that the file exists
    if not default_storage.exists(name):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    if check is None:
        patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    else:
        # Access can change (a product archived, a member leaving): caches must ask again.
        patch_cache_control(response, private=True, no_cache=True)
    return response


def delete_after_commit(*names: str) -> None:
    """Remove replaced or deleted uploads from storage once the change is committed."""

    def delete() -> None:
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(delete)
