"""The public results page: aggregate figures only, by destination country and product category."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from portal.disclosure import MIN_COMPANIES, rounded
from portal.http.page_cache import cache_public_page

from .figures import public_results as cached_public_results


def _named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    persian = (get_language() or "fa").startswith("fa")
    named = []
    for row in rows:  # copies: the rows come from the cache, shared by both languages
        name_fa, name_en = row["names"]
        name = (name_fa or name_en) if persian else (name_en or name_fa)
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
        "countries": _named(figures["country"]),
        "categories": _named(figures["category"]),
        "totals": totals,
        "min_companies": MIN_COMPANIES,
    }
    return render(request, "results/public_results.html", context)
