"""The programme managers' dashboard in the admin (wired by ApplicationAdmin.get_urls).

Every figure comes from a handful of aggregate queries (one pass over the applications, one over
their countries and one over their products, those two cached past 2,000 applications), so the
page costs the same number of queries with thirty applications as with twenty thousand. The pass
over the applications is cached too, until an application is saved or deleted (FIGURES) or
FIGURES_SECONDS pass, which bounds the overdue count: it moves with the clock, not with a save.
Each programme's granted and remaining budget is not cached: it comes with the programmes
(support.selectors.programs_with_budget, one indexed subquery), as approval and screening read it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.http.page_cache import Generation
from portal.models import TargetCountry
from portal.permissions import is_manager
from products.models import ProductCategory

from .models import GRANTED_STATES, Application, Status, SupportProgram
from .selectors import programs_with_budget

CENT = Decimal("0.01")
# The country and category figures are cached only where they cost something; below this
# number of applications they are always fresh.
CACHE_LINKS_FROM = 2000
LINK_FIGURES_SECONDS = 10 * 60  # bounds how long a product moved to another category goes unseen
FIGURES = Generation("support:dashboard:version")  # raised by every saved application (apps.py)
FIGURES_SECONDS = 60


def _float(value: Decimal | None) -> float:
    return float(value or 0)


def _money(amounts: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    """{currency: amount} as (currency, amount) pairs in currency order, to the cent."""
    return [(currency, amount.quantize(CENT)) for currency, amount in sorted(amounts.items())]


def _application_figures() -> list[dict[str, Any]]:
    """One pass over the applications: counts, sums, overdue reviews and the last change, per
    status and programme. Every figure of the status table, the programme table and the overdue
    count comes from these rows (one sequential read and a hash aggregate of a 20,000-row table:
    15-30 ms, so it is cached; see the module)."""
    key = f"support:dashboard:figures:{FIGURES.current()}"
    figures = cache.get(key)
    if figures is None:
        figures = _count_applications()
        cache.set(key, figures, FIGURES_SECONDS)
    return figures


def _count_applications() -> list[dict[str, Any]]:
    return list(
        Application.objects.order_by()
        .values("status", "program_id")
        .annotate(
            count=Count("pk"),
            requested=Sum("requested_amount"),
            granted=Sum("granted_amount", filter=Q(status__in=GRANTED_STATES)),
            overdue=Count("pk", filter=Q(status=Status.UNDER_REVIEW, review_due_at__lt=timezone.now())),
        )
    )


def _by_status(
    figures: list[dict[str, Any]], currencies: dict[int, str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One row per status (zero rows included, in workflow order), amounts per currency.

    Programmes may run in different currencies, so sums are never added across currencies.
    """
    rows = {
        value: {"status": value, "label": label, "count": 0, "requested": {}, "granted": {}}
        for value, label in Status.choices
    }
    totals: dict[str, Any] = {"count": 0, "requested": {}, "granted": {}}
    for item in figures:
        row = rows[item["status"]]
        currency = currencies[item["program_id"]]
        for target in (row, totals):
            target["count"] += item["count"]
            for key in ("requested", "granted"):
                if item[key]:
                    target[key][currency] = target[key].get(currency, Decimal("0")) + item[key]
    for target in (*rows.values(), totals):
        target["requested"] = _money(target["requested"])
        target["granted"] = _money(target["granted"])
    return list(rows.values()), totals


def _by_program(figures: list[dict[str, Any]]) -> list[SupportProgram]:
    # Granted and remaining are read fresh (support.selectors), not from the cached figures: the
    # page says what is left of a budget exactly as approval and screening will count it.
    programs = list(programs_with_budget(SupportProgram.objects.order_by("-opens_on", "pk")))
    for program in programs:
        program.application_count = sum(item["count"] for item in figures if item["program_id"] == program.pk)
        program.granted = program.granted.quantize(CENT)
        program.remaining = program.remaining.quantize(CENT)
        program.used_percent = (
            (program.granted * 100 / program.budget).quantize(Decimal("0.1")) if program.budget else None
        )
    return programs


def _by_country(counts: dict[int, int]) -> list[TargetCountry]:
    """Countries named by at least one application, and every active one (with zero)."""
    countries = [c for c in TargetCountry.objects.all() if c.is_active or counts.get(c.pk)]
    for country in countries:
        country.application_count = counts.get(country.pk, 0)
    countries.sort(key=lambda c: (-c.application_count, c.name_en))
    return countries


def _by_category(counts: dict[int, int]) -> list[ProductCategory]:
    """Applications whose products fall in each category (an application counts once)."""
    categories = list(ProductCategory.objects.all())
    for category in categories:
        category.application_count = counts.get(category.pk, 0)
    categories.sort(key=lambda c: (-c.application_count, c.position, c.name_en))
    return categories


def _link_counts(figures: list[dict[str, Any]]) -> dict[str, dict[int, int]]:
    """Applications per target country and per product category, from the applications' links.

    Categories used to be counted outward from every product of every category, which read the
    whole products table (266 of the dashboard's 275 ms at 100,000 products). Counting from the
    links (a few per application) reads only the products they name, but that is still most of
    the table, so past CACHE_LINKS_FROM applications both figures are cached until an application
    is saved or deleted (FIGURES, as the pass over the applications; drafts are the only
    applications whose products and countries change, and they are saved with them) or
    LINK_FIGURES_SECONDS pass.
    """
    if sum(item["count"] for item in figures) < CACHE_LINKS_FROM:
        return _count_links()
    key = f"support:dashboard:links:{FIGURES.current()}"
    counts = cache.get(key)
    if counts is None:
        counts = _count_links()
        cache.set(key, counts, LINK_FIGURES_SECONDS)
    return counts


def _count_links() -> dict[str, dict[int, int]]:
    countries = Application.countries.through.objects.order_by()
    products = Application.products.through.objects.order_by()
    return {
        "countries": dict(countries.values_list("targetcountry").annotate(n=Count("application"))),
        "categories": dict(
            products.values_list("product__category").annotate(n=Count("application", distinct=True))
        ),
    }


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts and sums by status, programme, target country and product category."""
    if not is_manager(request.user):
        raise PermissionDenied
    figures = _application_figures()
    programs = _by_program(figures)
    status_rows, totals = _by_status(figures, {program.pk: program.currency for program in programs})
    links = _link_counts(figures)
    countries = _by_country(links["countries"])
    categories = _by_category(links["categories"])
    overdue = sum(item["overdue"] for item in figures)

    chart_statuses = [row for row in status_rows if row["count"]]
    chart_data = {
        "status": {
            "keys": [row["status"] for row in chart_statuses],
            "labels": [str(row["label"]) for row in chart_statuses],
            "counts": [row["count"] for row in chart_statuses],
        },
        "budget": {
            "labels": [program.name for program in programs],
            "currencies": [program.currency for program in programs],
            "used": [_float(program.granted) for program in programs],
            "remaining": [_float(program.remaining) for program in programs],
            "used_percent": [_float(program.used_percent) for program in programs],
        },
        "countries": {
            "labels": [country.name for country in countries],
            "counts": [country.application_count for country in countries],
        },
        "text": {
            "applications": _("Applications"),
            "used": _("Budget used"),
            "remaining": _("Budget remaining"),
            "percent": _("Share of the budget (%)"),
        },
    }
    context = {
        **admin.site.each_context(request),
        "title": _("Programme dashboard"),
        "opts": Application._meta,
        "status_rows": status_rows,
        "totals": totals,
        "programs": programs,
        "countries": countries,
        "categories": categories,
        "overdue": overdue,
        "chart_data": chart_data,
    }
    return TemplateResponse(request, "admin/support/dashboard.html", context)
