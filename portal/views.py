"""The public pages of the shared core: the home page and the target countries."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from portal.home import figures as home_figures
from portal.http.page_cache import cache_public_page
from portal.models import TargetCountry


@require_GET
@cache_public_page
def home(request: HttpRequest) -> HttpResponse:
    countries = list(TargetCountry.objects.active())
    confirmed = [c for c in countries if c.buyer_status == TargetCountry.BuyerStatus.CONFIRMED]
    prospective = [c for c in countries if c.buyer_status != TargetCountry.BuyerStatus.CONFIRMED]
    return render(
        request,
        "portal/home.html",
        {"confirmed_countries": confirmed, "prospective_countries": prospective, "figures": home_figures()},
    )


@require_GET
@cache_public_page
def country_list(request: HttpRequest) -> HttpResponse:
    countries = TargetCountry.objects.active().order_by("buyer_status", "name_en")
    return render(request, "portal/country_list.html", {"countries": countries})


@require_GET
@cache_public_page
def country_detail(request: HttpRequest, iso_code: str) -> HttpResponse:
    country = get_object_or_404(TargetCountry.objects.active(), iso_code=iso_code.upper())
    return render(request, "portal/country_detail.html", {"country": country})
