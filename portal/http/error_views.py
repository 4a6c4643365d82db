"""Error pages (handler400/403/404/500): HTML for pages, the API's JSON error shape under /api/.

A request to /api/ that never reaches a DRF view (a URL that matches no route, a NUL byte refused
by portal.http.middleware) still gets an answer its client can parse, as the OpenAPI schema promises.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

_API_PREFIX = "/api/"


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(_API_PREFIX):
        return _api_error(400, "bad_request", "Bad request.")
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(_API_PREFIX):
        return _api_error(403, "permission_denied", "You do not have permission to perform this action.")
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(_API_PREFIX):
        return _api_error(404, "not_found", "Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(_API_PREFIX):
        return _api_error(500, "error", "A server error occurred.")
    return defaults.server_error(request)
