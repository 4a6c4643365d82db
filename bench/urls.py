"""The portal's URLs plus the floor: the cheapest answer the same middleware stack can give."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as portal_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    """No database, no template: what every page's figure is compared with."""
    return HttpResponse("hello")


urlpatterns = [path("bench/floor", floor, name="bench_floor"), *portal_urlpatterns]
