"""The dashboard's tables as headers and rows of plain values, in the user's language: the page,
the CSV and the Excel downloads all show these, so what is downloaded is what is on the screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from deals.models import LostReason
from portal.admin_tools import spreadsheet_cell

TABLES = {
    "country": gettext_lazy("Export value by destination country"),
    "category": gettext_lazy("Export value by product category"),
    "company": gettext_lazy("Export value by company"),
    "broker": gettext_lazy("Export value by brokerage"),
    "month": gettext_lazy("Export value by month"),
    "funnel": gettext_lazy("From offers to payments"),
    "lost": gettext_lazy("Deals lost, by reason"),
    "programmes": gettext_lazy("Support granted and export value per programme"),
}
FUNNEL_LABELS = {
    "offers": gettext_lazy("Offers published"),
    "responses": gettext_lazy("Responses"),
    "shortlisted": gettext_lazy("Shortlisted"),
    "accepted": gettext_lazy("Accepted"),
    "deals": gettext_lazy("Deals opened"),
    "shipped": gettext_lazy("Shipped"),
    "paid": gettext_lazy("Paid"),
}


@dataclass
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    # Columns that hold numbers (shown aligned, localised; numbers in the Excel sheet).
    numeric: set[int] = field(default_factory=set)
    note: str = ""  # how to read the table, under it on the page


def _name(names: tuple[str, str] | None) -> str:
    if not names:
        return ""
    persian, english = names
    return (persian or english) if (get_language() or "fa").startswith("fa") else (english or persian)


def _dimension(name: str, rows: list[dict[str, Any]]) -> Table:
    first = {
        "country": _("Destination country"),
        "category": _("Product category"),
        "company": _("Company"),
        "broker": _("Brokerage"),
        "month": _("Month"),
    }[name]
    headers = [
        first, _("Deals contracted"), _("Contracted value (USD)"), _("Deals paid"), _("Paid value (USD)"),
    ]  # fmt: skip
    with_companies = name in ("country", "category", "broker")
    if with_companies:
        headers.append(_("Companies"))
    table = Table(name, str(TABLES[name]), headers, numeric=set(range(1, len(headers))))
    if name == "broker":
        table.note = _(
            "Each brokerage credited with a deal (the one that introduced the buyer, its co-brokers, "
            "a referrer) counts the deal and its agreed share of the deal's value; the shares of a "
            "deal add up to its whole value, as on the brokerages' profiles."
        )
    for row in rows:
        if name == "month":
            label = row["label"]
        elif name == "broker" and row["key"] is None:
            label = _("No brokerage (the company's own buyer)")
        else:
            label = _name(row["names"])
        cells = [label, row["contracted_deals"], row["contracted_usd"], row["paid_deals"], row["paid_usd"]]
        if with_companies:
            cells.append(row["companies"])
        table.rows.append(cells)
    return table


def _funnel(steps: list[dict[str, Any]]) -> Table:
    table = Table(
        "funnel",
        str(TABLES["funnel"]),
        [_("Step"), _("Count"), _("Of the previous step (%)")],
        numeric={1, 2},
    )
    for step in steps:
        table.rows.append([str(FUNNEL_LABELS[step["step"]]), step["count"], step["rate"]])
    return table


def _lost(rows: list[dict[str, Any]]) -> Table:
    reasons = dict(LostReason.choices)
    table = Table("lost", str(TABLES["lost"]), [_("Reason"), _("Deals"), _("Value (USD)")], numeric={1, 2})
    for row in rows:
        table.rows.append([str(reasons.get(row["reason"], row["reason"])), row["deals"], row["value_usd"]])
    return table


def _programmes(rows: list[dict[str, Any]]) -> Table:
    headers = [
        _("Programme"), _("Currency"), _("Supported companies"), _("Support granted"),
        _("Paid value of their exports (USD)"), _("Export (USD) per unit of support"),
    ]  # fmt: skip
    table = Table("programmes", str(TABLES["programmes"]), headers, numeric={2, 3, 4, 5})
    for row in rows:
        table.rows.append(
            [
                row["program"].name,
                row["currency"],
                row["companies"],
                row["granted"],
                row["exported_usd"],
                row["export_per_unit"],
            ]  # fmt: skip
        )
    return table


def build_tables(figures: dict[str, Any]) -> list[Table]:
    """Every table of the dashboard, in the page's order."""
    return [
        _dimension("country", figures["country"]),
        _dimension("category", figures["category"]),
        _dimension("month", figures["month"]),
        _funnel(figures["funnel"]),
        _lost(figures["lost"]),
        _programmes(figures["programmes"]),
        _dimension("company", figures["company"]),
        _dimension("broker", figures["broker"]),
    ]


def plain(value: Any) -> Any:
    """A cell for a file: Decimals as they are (numbers), None as empty, and text that a spreadsheet
    would run as a formula (a company named "=HYPERLINK(...)") made plain text."""
    if value is None:
        return ""
    return spreadsheet_cell(value)


def as_float(value: Any) -> float:
    return float(value) if isinstance(value, (int, Decimal)) else 0.0
