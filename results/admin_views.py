"""The export results in the admin: the programme managers' dashboard and its downloads (wired by
results/admin_urls.py under /admin/results/, behind the admin's log-in and second factor).

Reviewers score applications; the results are the managers' (as the programme dashboard is)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .figures import staff_results
from .forms import ResultsFilterForm
from .permissions import can_see_results
from .tables import TABLES, Table, as_float, build_tables, plain

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _figures(request: HttpRequest) -> tuple[ResultsFilterForm, dict[str, Any]]:
    if not can_see_results(request.user):
        raise PermissionDenied
    form = ResultsFilterForm(request.GET or None)
    form.is_valid()
    jalali = (get_language() or "fa").startswith("fa")
    return form, staff_results(form.results_filter(), jalali=jalali)


def _chart_data(figures: dict[str, Any]) -> dict[str, Any]:
    tables = {table.name: table for table in build_tables(figures)}
    country, month = tables["country"], tables["month"]
    return {
        "countries": {
            "labels": [row[0] for row in country.rows],
            "contracted": [as_float(row[2]) for row in country.rows],
            "paid": [as_float(row[4]) for row in country.rows],
        },
        "months": {
            "labels": [row[0] for row in month.rows],
            "contracted": [as_float(row[2]) for row in month.rows],
            "paid": [as_float(row[4]) for row in month.rows],
        },
        "funnel": {
            "labels": [row[0] for row in tables["funnel"].rows],
            "counts": [row[1] for row in tables["funnel"].rows],
        },
        "text": {
            "contracted": _("Contracted value (USD)"),
            "paid": _("Paid value (USD)"),
            "count": _("Count"),
        },
    }


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Export value by country, category, month, company and brokerage; the funnel; lost reasons;
    support against exports per programme; with the filters and the downloads."""
    form, figures = _figures(request)
    query = request.GET.urlencode()
    context = {
        **admin.site.each_context(request),
        "title": _("Export results"),
        "form": form,
        "figures": figures,
        "tables": build_tables(figures),
        "chart_data": _chart_data(figures),
        "query": f"?{query}" if query else "",
    }
    return TemplateResponse(request, "results/admin_dashboard.html", context)


@require_GET
def download_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One table as CSV (UTF-8 with a byte-order mark, which spreadsheet programs need for Persian)."""
    if table not in TABLES:
        raise Http404
    _form, figures = _figures(request)
    chosen = next(t for t in build_tables(figures) if t.name == table)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="export-results-{table}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(chosen.headers)
    for row in chosen.rows:
        writer.writerow([plain(cell) for cell in row])
    return response


@require_GET
def download_xlsx(request: HttpRequest) -> HttpResponse:
    """Every table as a sheet of one workbook, numbers as numbers."""
    _form, figures = _figures(request)
    response = HttpResponse(workbook(build_tables(figures)), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="export-results.xlsx"'
    return response


def workbook(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    rtl = (get_language() or "fa").startswith("fa")
    for table in tables:
        sheet = book.create_sheet(title=_sheet_title(table))
        sheet.sheet_view.rightToLeft = rtl
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([plain(cell) for cell in row])
        for index, column in enumerate(table.headers):
            width = max([len(str(column))] + [len(str(plain(r[index]))) for r in table.rows])
            sheet.column_dimensions[chr(ord("A") + index)].width = min(max(width + 2, 10), 50)
            if index in table.numeric:
                for (cell,) in sheet.iter_rows(min_row=3, min_col=index + 1, max_col=index + 1):
                    cell.number_format = "#,##0.00" if _has_fraction(table, index) else "#,##0"
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def _has_fraction(table: Table, index: int) -> bool:
    from decimal import Decimal

    return any(isinstance(row[index], Decimal) for row in table.rows)


def _sheet_title(table: Table) -> str:
    # Excel refuses some characters and more than 31 in a sheet's name.
    title = "".join(ch for ch in table.title if ch not in "[]:*?/\\")
    return title[:31]
