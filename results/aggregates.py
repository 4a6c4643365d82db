"""The export results: pure aggregate queries over a `ResultsFilter` (period, programme, country).

Two values are reported, both in US dollars, never mixed:

- **contracted value**: the lines of deals that reached a contract and were not lost (quantity ×
  unit price × the deal's `usd_rate`), counted on the day the contract was signed (the deal's
  `contract` event);
- **paid value** (the *export value* proper): the payments received from buyers, each converted at
  its deal's `usd_rate` (payments recorded in US dollars as they are), counted on the day received.
  By product category, a payment is shared among its deal's lines in proportion to their value.
  By brokerage, both values are shared among the brokerages credited with the deal by their
  agreed shares (`DealCredit.share_percent`, summing to 100): the credited export value that the
  brokerages' profiles show too, stated once in `deals.selectors.credited_export_values`.

The period (`start`–`end`, both days included, local time) picks contracts by their signing day,
payments by the day received, lost deals by the day they were lost, grants by their decision day
and the funnel's cohort by the offers' publication day. The programme narrows everything to the
companies with a granted application in it (approved, paid or closed: supported companies); the
country to deals bound for it (and offers in it).

The funnel follows the offers published in the period: offers (with a response from a supported
company, when a programme is chosen) → responses → shortlisted (shortlisted or accepted now) →
accepted → deals opened from them → shipped (at least one shipment) → paid (at least one payment).
Each rate is a step's count over the previous one; offers → responses may pass 100 % (an offer
draws several responses).

Per programme: support granted (the granted amounts decided in the period, in the programme's
currency) against the paid value of its supported companies' deals in the period, and their ratio,
the export per unit of support (US dollars per unit of the programme's currency).

Every table is one or two aggregate queries, whatever the number of deals; months are folded from
per-day sums (a few hundred rows a year) into Jalali months (Persian) or Gregorian ones.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import jdatetime
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.utils import formats, timezone

from brokers.models import Offer, OfferResponse
from deals.models import Action, Deal, DealEvent, DealLine, Payment, Shipment, Status
from deals.selectors import MONEY, credit_share, credited_export_values
from deals.selectors import payment_usd as _payment_usd
from portal.disclosure import may_show
from support.models import GRANTED_STATES, Application, SupportProgram

CENT = Decimal("0.01")
WON = (Status.CONTRACTED, Status.SHIPPED, Status.PAID, Status.CLOSED)
DIMENSIONS = ("country", "category", "company", "broker", "month")


@dataclass(frozen=True)
class ResultsFilter:
    """What the figures cover: days `start`–`end` (either open), a programme, a destination."""

    start: dt.date | None = None
    end: dt.date | None = None
    program_id: int | None = None
    country_id: int | None = None

    def moment_range(self, field: str) -> Q:
        """`field` (a datetime) within the period's days, in local time (index-friendly bounds)."""
        condition = Q()
        if self.start:
            condition &= Q(**{f"{field}__gte": _midnight(self.start)})
        if self.end:
            condition &= Q(**{f"{field}__lt": _midnight(self.end + dt.timedelta(days=1))})
        return condition

    def day_range(self, field: str) -> Q:
        condition = Q()
        if self.start:
            condition &= Q(**{f"{field}__gte": self.start})
        if self.end:
            condition &= Q(**{f"{field}__lte": self.end})
        return condition


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def supported_companies(program_id: int | OuterRef) -> QuerySet[Application]:
    """The companies with a granted application in the programme (as a `company_id` subquery)."""
    return Application.objects.filter(program_id=program_id, status__in=GRANTED_STATES).values("company_id")


def _deal_scope(f: ResultsFilter, prefix: str = "") -> Q:
    """Deals (reached through `prefix`) within the filter's programme and country."""
    condition = Q()
    if f.country_id:
        condition &= Q(**{f"{prefix}destination_id": f.country_id})
    if f.program_id:
        condition &= Q(**{f"{prefix}company_id__in": supported_companies(f.program_id)})
    return condition


LINE_USD = ExpressionWrapper(F("unit_price") * F("quantity") * F("deal__usd_rate"), output_field=MONEY)


def contracted_deals(f: ResultsFilter) -> QuerySet[Deal]:
    """Deals signed in the period (by their contract event) and not lost, in the filter's scope."""
    signed = DealEvent.objects.filter(
        f.moment_range("created_at"), deal=OuterRef("pk"), action=Action.CONTRACT
    )
    return Deal.objects.filter(_deal_scope(f), Exists(signed), status__in=WON)


def paid_payments(f: ResultsFilter) -> QuerySet[Payment]:
    return Payment.objects.filter(f.day_range("received_on"), _deal_scope(f, "deal__"))


# --- tables by dimension ---------------------------------------------------------------------------
# For each dimension: the field that groups deal lines (contracted) and payments (paid), and the
# fields that name a group (Persian, English). By brokerage, a deal is grouped under each brokerage
# credited with it, for its share (deals.selectors.credited_export_values): a co-brokered deal
# counts in both rows, its value shared between them.
_GROUPS = {
    "country": ("deal__destination", ("name_fa", "name_en")),
    "company": ("deal__company", ("name_fa", "name_en")),
    "broker": ("deal__credits__broker", ("name_fa", "name_en")),
    "category": ("product__category", ("name_fa", "name_en")),
}


def _row(key: Any, names: tuple[str, str] | None = None) -> dict[str, Any]:
    return {
        "key": key,
        "names": names,
        "contracted_deals": 0,
        "contracted_usd": Decimal(0),
        "paid_deals": 0,
        "paid_usd": Decimal(0),
        "companies": 0,
    }


def by_dimension(f: ResultsFilter, dimension: str) -> list[dict[str, Any]]:
    """Contracted and paid value, deals and companies per country, category, company or broker
    (two queries), largest paid value first. By brokerage, each brokerage credited with a deal has
    its share of the deal's value, and a row's `key` is None for deals without a brokerage."""
    group, (name_fa, name_en) = _GROUPS[dimension]
    # Grouped by company too (a few rows per company at most), so that a group's companies are
    # those with a contracted or a paid deal in it, counted once.
    naming = (group, f"{group}__{name_fa}", f"{group}__{name_en}", "deal__company")
    lines = DealLine.objects.filter(deal__in=contracted_deals(f)).order_by()
    line_value = LINE_USD
    if dimension == "broker":
        line_value = ExpressionWrapper(LINE_USD * credit_share("deal__"), output_field=MONEY)
    contracted = lines.values(*naming).annotate(deals=Count("deal", distinct=True), value=Sum(line_value))
    if dimension == "broker":
        # The brokerages' credited export value, stated once in deals.selectors.
        paid = credited_export_values(paid_payments(f), *naming[1:])
    elif dimension == "category":
        # A payment shared among its deal's lines by their value: one row per (payment, line).
        share = ExpressionWrapper(
            _payment_usd("deal__payments__")
            * F("unit_price")
            * F("quantity")
            / NullIf(F("deal__expected_value"), 0),
            output_field=MONEY,
        )
        paid = (
            DealLine.objects.filter(
                f.day_range("deal__payments__received_on"),
                _deal_scope(f, "deal__"),
                deal__payments__isnull=False,
            )
            .order_by()
            .values(*naming)
            .annotate(deals=Count("deal", distinct=True), value=Sum(share))
        )
    else:
        # Payments reach the deal's fields as the lines do (both through `deal`).
        paid = (
            paid_payments(f)
            .order_by()
            .values(*naming)
            .annotate(deals=Count("deal", distinct=True), value=Sum(_payment_usd()))
        )
    rows: dict[Any, dict[str, Any]] = {}
    companies: dict[Any, set[int]] = {}
    for kind, items in (("contracted", contracted), ("paid", paid)):
        for item in items:  # a deal has one company: its deals and value add up across them
            row = rows.setdefault(item[group], _row(item[group], (item[naming[1]], item[naming[2]])))
            row[f"{kind}_deals"] += item["deals"]
            row[f"{kind}_usd"] += item["value"] or Decimal(0)
            companies.setdefault(item[group], set()).add(item["deal__company"])
    for key, row in rows.items():
        row["companies"] = len(companies[key])
    return _finish(rows.values())


def _finish(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    done = []
    for row in rows:
        row["contracted_usd"] = Decimal(row["contracted_usd"]).quantize(CENT)
        row["paid_usd"] = Decimal(row["paid_usd"]).quantize(CENT)
        done.append(row)
    done.sort(key=lambda r: (-r["paid_usd"], -r["contracted_usd"], str(r["names"] or "")))
    return done


def by_month(f: ResultsFilter, *, jalali: bool) -> list[dict[str, Any]]:
    """Contracted and paid value per month (Jalali or Gregorian), in calendar order: per-day sums
    (two queries) folded into months."""
    # Through the contract event itself (one a deal): the annotation reuses the filter's join.
    contracted = (
        DealLine.objects.filter(
            f.moment_range("deal__events__created_at"),
            _deal_scope(f, "deal__"),
            deal__events__action=Action.CONTRACT,
            deal__status__in=WON,
        )
        .order_by()
        .values(day=TruncDate("deal__events__created_at", tzinfo=timezone.get_current_timezone()))
        .annotate(value=Sum(LINE_USD), deals=Count("deal", distinct=True))
    )
    paid = (
        paid_payments(f)
        .order_by()
        .values(day=F("received_on"))
        .annotate(value=Sum(_payment_usd()), deals=Count("deal", distinct=True))
    )
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    for kind, items in (("contracted", contracted), ("paid", paid)):
        for item in items:
            key = _month_of(item["day"], jalali=jalali)
            row = rows.setdefault(key, _row(key))
            row[f"{kind}_usd"] += item["value"] or Decimal(0)
            # a deal signed (or paid) on two days of one month counts once per day: the month's
            # deal count is the sum of the days' counts, an upper bound for instalments
            row[f"{kind}_deals"] += item["deals"]
    for key in _months_between(min(rows), max(rows)) if rows else ():
        rows.setdefault(key, _row(key))  # a month without a contract or a payment shows as zero
    for row in rows.values():
        row["contracted_usd"] = row["contracted_usd"].quantize(CENT)
        row["paid_usd"] = row["paid_usd"].quantize(CENT)
        row["label"] = month_label(row["key"], jalali=jalali)
    return [rows[key] for key in sorted(rows)]


def _months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    """Every (year, month) from `first` to `last`, both included (twelve months a year in both
    calendars)."""
    months, (year, month) = [], first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month_of(day: dt.date, *, jalali: bool) -> tuple[int, int]:
    if jalali:
        local = jdatetime.date.fromgregorian(date=day)
        return (local.year, local.month)
    return (day.year, day.month)


def month_label(key: tuple[int, int], *, jalali: bool) -> str:
    from portal.i18n.digits import to_persian_digits
    from portal.templatetags.portal_tags import JALALI_MONTHS

    year, month = key
    if jalali:
        return to_persian_digits(f"{JALALI_MONTHS[month - 1]} {year}")
    return formats.date_format(dt.date(year, month, 1), "YEAR_MONTH_FORMAT")


# --- the funnel --------------------------------------------------------------------------------------
FUNNEL_STEPS = ("offers", "responses", "shortlisted", "accepted", "deals", "shipped", "paid")


def funnel(f: ResultsFilter) -> list[dict[str, Any]]:
    """The offers published in the period and what became of them, step by step (two queries)."""
    offers = Offer.objects.exclude(status=Offer.Status.DRAFT).filter(f.moment_range("published_at"))
    responses = OfferResponse.objects.all()
    if f.country_id:
        offers = offers.filter(country_id=f.country_id)
    if f.program_id:
        responses = responses.filter(company_id__in=supported_companies(f.program_id))
        offers = offers.filter(Exists(responses.filter(offer=OuterRef("pk"))))
    shipped = Exists(Shipment.objects.filter(deal=OuterRef("deal")))
    paid = Exists(Payment.objects.filter(deal=OuterRef("deal")))
    counts = responses.filter(offer__in=offers).aggregate(
        responses=Count("pk"),
        shortlisted=Count(
            "pk", filter=Q(status__in=[OfferResponse.Status.SHORTLISTED, OfferResponse.Status.ACCEPTED])
        ),
        accepted=Count("pk", filter=Q(status=OfferResponse.Status.ACCEPTED)),
        deals=Count("deal"),
        shipped=Count("deal", filter=Q(shipped)),
        paid=Count("deal", filter=Q(paid)),
    )
    counts["offers"] = offers.count()
    steps = []
    previous = None
    for step in FUNNEL_STEPS:
        count = counts[step]
        rate = None if not previous else (Decimal(count * 100) / previous).quantize(Decimal("0.1"))
        steps.append({"step": step, "count": count, "rate": rate})
        previous = count
    return steps


# --- lost deals ----------------------------------------------------------------------------------------
def lost_reasons(f: ResultsFilter) -> list[dict[str, Any]]:
    """Deals lost in the period, per reason: how many, and the value they would have had (one query)."""
    lost = DealEvent.objects.filter(f.moment_range("created_at"), deal=OuterRef("pk"), action=Action.LOSE)
    rows = (
        Deal.objects.filter(_deal_scope(f), Exists(lost), status=Status.LOST)
        .order_by()
        .values("lost_reason")
        .annotate(
            deals=Count("pk"),
            value=Sum(ExpressionWrapper(F("expected_value") * F("usd_rate"), output_field=MONEY)),
        )
        .order_by("-deals", "lost_reason")
    )
    return [
        {
            "reason": row["lost_reason"],
            "deals": row["deals"],
            "value_usd": (row["value"] or Decimal(0)).quantize(CENT),
        }
        for row in rows
    ]


# --- programmes ------------------------------------------------------------------------------------------
def _scalar_sum(queryset: QuerySet, expression: Any) -> Subquery:
    """SUM(expression) over `queryset` as a subquery (no GROUP BY: one row, NULL when empty)."""
    return Subquery(
        queryset.order_by()
        .annotate(total=Func(expression, function="SUM", output_field=MONEY))
        .values("total")[:1],
        output_field=MONEY,
    )


def programmes(f: ResultsFilter) -> list[dict[str, Any]]:
    """Per programme: support granted in the period (its currency), the supported companies' paid
    value in the period (USD) and the export per unit of support (one query)."""
    granted = Application.objects.filter(
        f.moment_range("decided_at"), program=OuterRef("pk"), status__in=GRANTED_STATES
    )
    exports = Payment.objects.filter(
        f.day_range("received_on"), deal__company_id__in=supported_companies(OuterRef(OuterRef("pk")))
    )
    if f.country_id:
        exports = exports.filter(deal__destination_id=f.country_id)
    programs = SupportProgram.objects.annotate(
        granted=Coalesce(_scalar_sum(granted, F("granted_amount")), Value(Decimal(0)), output_field=MONEY),
        exported=Coalesce(_scalar_sum(exports, _payment_usd()), Value(Decimal(0)), output_field=MONEY),
        companies=Subquery(
            Application.objects.filter(program=OuterRef("pk"), status__in=GRANTED_STATES)
            .order_by()
            .annotate(
                n=Func(
                    "company_id", function="COUNT", distinct=True, template="COUNT(DISTINCT %(expressions)s)"
                )
            )
            .values("n")[:1]
        ),
    ).order_by("-opens_on", "pk")
    if f.program_id:
        programs = programs.filter(pk=f.program_id)
    rows = []
    for program in programs:
        granted_amount = program.granted.quantize(CENT)
        exported = program.exported.quantize(CENT)
        rows.append(
            {
                "program": program,
                "currency": program.currency,
                "companies": program.companies or 0,
                "granted": granted_amount,
                "exported_usd": exported,
                "export_per_unit": (exported / granted_amount).quantize(CENT) if granted_amount else None,
            }
        )
    return rows


# --- all of it ---------------------------------------------------------------------------------------------
def results(f: ResultsFilter, *, jalali: bool) -> dict[str, Any]:
    """Every table of the dashboard, and the totals over the countries (each deal has one)."""
    tables: dict[str, Any] = {
        name: by_dimension(f, name) for name in ("country", "category", "company", "broker")
    }
    tables["month"] = by_month(f, jalali=jalali)
    tables["funnel"] = funnel(f)
    tables["lost"] = lost_reasons(f)
    tables["programmes"] = programmes(f)
    countries = tables["country"]
    tables["totals"] = {
        "contracted_usd": sum((r["contracted_usd"] for r in countries), Decimal(0)),
        "paid_usd": sum((r["paid_usd"] for r in countries), Decimal(0)),
        "contracted_deals": sum(r["contracted_deals"] for r in countries),
        "paid_deals": sum(r["paid_deals"] for r in countries),
    }
    return tables


# --- the public figures ----------------------------------------------------------------------------------


def public_figures(dimension: str) -> list[dict[str, Any]]:
    """The public page's figures per destination country or product category: `public_counts`
    with the cells of fewer than MIN_COMPANIES companies hidden (`suppress`)."""
    return suppress(public_counts(dimension))


def public_counts(dimension: str) -> list[dict[str, Any]]:
    """All-time figures per destination country or product category: deals shipped, deals paid,
    paid value, and how many companies are behind them (two queries)."""
    group, (name_fa, name_en) = _GROUPS[dimension]
    naming = (group, f"{group}__{name_fa}", f"{group}__{name_en}")
    shipped = Exists(Shipment.objects.filter(deal=OuterRef("deal")))
    paid = Exists(Payment.objects.filter(deal=OuterRef("deal")))
    deals = (
        DealLine.objects.filter(shipped)
        .order_by()
        .values(*naming)
        .annotate(
            shipped=Count("deal", distinct=True, filter=Q(shipped)),
            paid=Count("deal", distinct=True, filter=Q(paid)),
            companies=Count("deal__company", distinct=True),
        )
    )
    if dimension == "category":
        share = ExpressionWrapper(
            _payment_usd("deal__payments__")
            * F("unit_price")
            * F("quantity")
            / NullIf(F("deal__expected_value"), 0),
            output_field=MONEY,
        )
        values = (
            DealLine.objects.filter(deal__payments__isnull=False)
            .order_by()
            .values(group, "deal__company")
            .annotate(value=Sum(share))
        )
    else:
        values = Payment.objects.order_by().values(group, "deal__company").annotate(value=Sum(_payment_usd()))
    # Per cell, the paid value and the largest company's part of it (portal/disclosure.py may_show).
    value_of: dict[Any, Decimal] = defaultdict(Decimal)
    largest_of: dict[Any, Decimal] = defaultdict(Decimal)
    for item in values:
        part = item["value"] or Decimal(0)
        value_of[item[group]] += part
        largest_of[item[group]] = max(largest_of[item[group]], part)
    rows = [
        {
            "key": item[group],
            "names": (item[naming[1]], item[naming[2]]),
            "shipped": item["shipped"],
            "paid": item["paid"],
            "companies": item["companies"],
            "paid_usd": value_of.get(item[group], Decimal(0)),
            "largest_usd": largest_of.get(item[group], Decimal(0)),
        }
        for item in deals
    ]
    rows.sort(key=lambda r: (-r["paid_usd"], -r["shipped"], r["names"][1] or ""))
    return rows


def suppress(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mark `hidden` the rows whose value may not be shown (fewer than MIN_COMPANIES companies, or
    one of them dominating it: portal/disclosure.py); when exactly one row is hidden, hide the next
    smallest too, so the total cannot give it away."""
    for row in rows:
        row["hidden"] = not may_show(row["paid_usd"], row["companies"], row.get("largest_usd"))
    hidden = [row for row in rows if row["hidden"]]
    if len(hidden) == 1:
        shown = [row for row in rows if not row["hidden"]]
        if shown:
            min(shown, key=lambda r: (r["paid_usd"], r["shipped"]))["hidden"] = True
    for row in rows:
        if row["hidden"]:
            row.update(shipped=None, paid=None, paid_usd=None, companies=None, largest_usd=None)
    return rows


def public_totals() -> dict[str, Any]:
    """The national totals: deals shipped and paid, paid value, companies (one query each)."""
    shipped = Deal.objects.filter(Exists(Shipment.objects.filter(deal=OuterRef("pk"))))
    counts = shipped.aggregate(
        shipped=Count("pk"),
        paid=Count("pk", filter=Q(Exists(Payment.objects.filter(deal=OuterRef("pk"))))),
        companies=Count("company", distinct=True),
    )
    parts = Payment.objects.order_by().values("deal__company").annotate(value=Sum(_payment_usd()))
    values = [part["value"] or Decimal(0) for part in parts]
    counts["paid_usd"] = sum(values, Decimal(0))
    if not may_show(counts["paid_usd"], counts["companies"], max(values, default=Decimal(0))):
        return {"hidden": True}
    return {"hidden": False, **counts}
