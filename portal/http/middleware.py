"""Request filters that run before any view."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(data) -> bool:  # noqa: ANN001 - a QueryDict
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


View = Callable[[HttpRequest], HttpResponse]


def reject_nul_bytes(get_response: View) -> View:
    """Answer 400 to a NUL byte in the path, the query string or a form field.

    No person types one; PostgreSQL refuses it in any text, so a NUL that reached a lookup
    (a slug, a search, a filter, an admin action's ids) would end as a server error.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _has_nul(request.GET):
            raise BadRequest("NUL byte in the URL")
        if request.method == "POST" and request.content_type in _FORM_TYPES and _has_nul(request.POST):
            raise BadRequest("NUL byte in a form field")
        return get_response(request)

    return middleware
