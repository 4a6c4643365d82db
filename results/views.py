"""The public results page: aggregate figures only, by destination country and product category."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.disclosure import MIN_COMPANIES, rounded
from portal.http.page_cache import cache_public_page
from portal.i18n.languages import pick_from
from portal.models import TargetCountry
from products.models import ProductCategory

from .figures import public_results as cached_public_results


def _named(rows: list[dict[str, Any]], model: type[TargetCountry | ProductCategory]) -> list[dict[str, Any]]:
    """Copies of the cached rows (shared by every language) with the name in the reader's
    language: a country's and a category's own, which knows Arabic and Russian (one query)."""
    objects = model.objects.in_bulk([row["key"] for row in rows if row["key"] is not None])
    named = []
    for row in rows:
        found = objects.get(row["key"])
        name = (
            found.name if found is not None else pick_from(dict(zip(("fa", "en"), row["names"], strict=True)))
        )
        named.append({**row, "name": name, "value": rounded(row["paid_usd"])})
    return named


@require_GET
@cache_public_page
def public_results(request: HttpRequest) -> HttpResponse:
    """What the programme's companies have shipped and been paid, by country and by category."""
    figures = cached_public_results()
    totals = dict(figures["totals"])
    if not totals["hidden"]:
        totals["value"] = rounded(totals["paid_usd"])
    context = {
        "countries": _named(figures["country"], TargetCountry),
        "categories": _named(figures["category"], ProductCategory),
        "totals": totals,
        "min_companies": MIN_COMPANIES,
    }
    return render(request, "results/public_results.html", context)
