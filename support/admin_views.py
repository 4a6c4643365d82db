"""The programme managers' dashboard in the admin (wired by ApplicationAdmin.get_urls).

Every figure comes from a handful of aggregate queries (one per table), so the page costs the
same number of queries with thirty applications as with three thousand.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.models import TargetCountry
from portal.permissions import is_manager
from products.models import ProductCategory

from .models import GRANTED_STATES, Application, Status, SupportProgram

CENT = Decimal("0.01")
ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))


def _float(value: Decimal | None) -> float:
    return float(value or 0)


def _money(amounts: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    """{currency: amount} as (currency, amount) pairs in currency order, to the cent."""
    return [(currency, amount.quantize(CENT)) for currency, amount in sorted(amounts.items())]


def _by_status() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One row per status (zero rows included, in workflow order), amounts per currency.

    Programmes may run in different currencies, so sums are never added across currencies.
    """
    rows = {
        value: {"status": value, "label": label, "count": 0, "requested": {}, "granted": {}}
        for value, label in Status.choices
    }
    totals: dict[str, Any] = {"count": 0, "requested": {}, "granted": {}}
    aggregates = (
        Application.objects.order_by()
        .values("status", "program__currency")
        .annotate(
            count=Count("pk"),
            requested=Sum("requested_amount"),
            granted=Sum("granted_amount", filter=Q(status__in=GRANTED_STATES)),
        )
    )
    for item in aggregates:
        row = rows[item["status"]]
        currency = item["program__currency"]
        for target in (row, totals):
            target["count"] += item["count"]
            for key in ("requested", "granted"):
                if item[key]:
                    target[key][currency] = target[key].get(currency, Decimal("0")) + item[key]
    for target in (*rows.values(), totals):
        target["requested"] = _money(target["requested"])
        target["granted"] = _money(target["granted"])
    return list(rows.values()), totals


def _by_program() -> list[SupportProgram]:
    programs = list(
        SupportProgram.objects.annotate(
            application_count=Count("applications"),
            granted=Coalesce(
                Sum("applications__granted_amount", filter=Q(applications__status__in=GRANTED_STATES)),
                ZERO,
            ),
        ).order_by("-opens_on", "pk")
    )
    for program in programs:
        program.granted = program.granted.quantize(CENT)
        program.remaining = program.budget - program.granted
        program.used_percent = (
            (program.granted * 100 / program.budget).quantize(Decimal("0.1")) if program.budget else None
        )
    return programs


def _by_country() -> list[TargetCountry]:
    """Countries named by at least one application, and every active one (with zero)."""
    return list(
        TargetCountry.objects.annotate(application_count=Count("applications"))
        .filter(Q(is_active=True) | Q(application_count__gt=0))
        .order_by("-application_count", "name_en")
    )


def _by_category() -> list[ProductCategory]:
    """Applications whose products fall in each category (an application counts once)."""
    return list(
        ProductCategory.objects.annotate(
            application_count=Count("products__applications", distinct=True)
        ).order_by("-application_count", "position", "name_en")
    )


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts and sums by status, programme, target country and product category."""
    if not is_manager(request.user):
        raise PermissionDenied
    status_rows, totals = _by_status()
    programs = _by_program()
    countries = _by_country()
    categories = _by_category()
    overdue = Application.objects.overdue().count()

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
