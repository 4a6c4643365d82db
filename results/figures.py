"""The results' figures, kept in the shared cache until a deal, offer or application changes.

At 20,000 deals every table is a hash join and an aggregate over the rows in the period (EXPLAIN
shows the scans themselves take a few milliseconds; the joins and sorts the rest, 1-3 s for
everything unfiltered on a busy machine): no index helps an aggregate over the whole table, so the
figures are cached instead. A saved or deleted deal, line, shipment, payment, offer or response
raises RESULTS (results/apps.py), a saved application raises the programme dashboard's FIGURES;
either makes every cached figure stale. FIGURES_SECONDS bounds what no save announces (a
programme or a country renamed); PUBLIC_SECONDS does the same for the public page's figures.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from portal.http.page_cache import Generation
from support.admin_views import FIGURES as APPLICATIONS

from . import aggregates
from .aggregates import ResultsFilter

RESULTS = Generation("results:version")
FIGURES_SECONDS = 60
PUBLIC_SECONDS = 10 * 60


def staff_results(f: ResultsFilter, *, jalali: bool) -> dict[str, Any]:
    """`aggregates.results` for the dashboard, its downloads and the API, cached per filter."""
    if FIGURES_SECONDS <= 0:
        return aggregates.results(f, jalali=jalali)
    key = (
        f"results:staff:{RESULTS.current()}:{APPLICATIONS.current()}:{int(jalali)}:"
        f"{f.start}:{f.end}:{f.program_id}:{f.country_id}"
    )
    figures = cache.get(key)
    if figures is None:
        figures = aggregates.results(f, jalali=jalali)
        cache.set(key, figures, FIGURES_SECONDS)
    return figures


def public_results() -> dict[str, Any]:
    """The public page's figures (rows carry both languages' names), cached."""
    if PUBLIC_SECONDS <= 0:
        return _public()
    key = f"results:public:{RESULTS.current()}"
    figures = cache.get(key)
    if figures is None:
        figures = _public()
        cache.set(key, figures, PUBLIC_SECONDS)
    return figures


def _public() -> dict[str, Any]:
    return {
        "country": aggregates.public_figures("country"),
        "category": aggregates.public_figures("category"),
        "totals": aggregates.public_totals(),
    }
