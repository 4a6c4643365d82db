"""Reads that several pages and tasks share: a programme's budget and the managers' weekly figures.

`programs_with_budget` is the one statement of what a programme has granted and has left: the
dashboard, the programme admin, the applicant's page, screening, approval and the weekly summary
all read it, so the figure is the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.models import bilingual, bilingual_text

from .models import CENTS, GRANTED_STATES, Application, Status, SupportProgram

MONEY = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class Budget:
    total: Decimal
    granted: Decimal
    remaining: Decimal


def programs_with_budget(programs: QuerySet[SupportProgram] | None = None) -> QuerySet[SupportProgram]:
    """`programs` (all by default) with `granted` and `remaining` annotated.

    Granted is what approved, paid and closed applications were granted (a rejected or withdrawn
    application holds nothing); remaining is the budget less that.
    """
    granted = (
        Application.objects.filter(program=OuterRef("pk"), status__in=GRANTED_STATES)
        .order_by()
        .values("program")
        .annotate(total=Sum("granted_amount"))
        .values("total")
    )
    programs = SupportProgram.objects.all() if programs is None else programs
    return programs.annotate(
        granted=Coalesce(Subquery(granted, output_field=MONEY), Value(Decimal("0"), output_field=MONEY)),
        remaining=F("budget") - F("granted"),
    )


def program_budget(program: SupportProgram) -> Budget:
    """The programme's budget, what it has granted and what is left, as the database has it now."""
    row = (
        programs_with_budget(SupportProgram.objects.filter(pk=program.pk))
        .values("budget", "granted", "remaining")
        .get()
    )
    # SQLite's sum drops the scale: every figure to the cent.
    return Budget(*(Decimal(row[key]).quantize(CENTS) for key in ("budget", "granted", "remaining")))


def _money(amount: Decimal | None, currency: str) -> str:
    return f"{Decimal(amount or 0):,.2f} {currency}"


def weekly_summary_figures(*, now: datetime | None = None) -> dict[str, Any]:
    """The programme managers' weekly figures, JSON-safe (they are stored with the notification)."""
    now = now or timezone.now()
    week_ago = now - timedelta(days=7)
    by_status = dict(Application.objects.values_list("status").annotate(n=Count("pk")).order_by())
    # Programmes may use different currencies: one sum per currency, never added together.
    granted_this_week = (
        Application.objects.filter(decided_at__gte=week_ago, status__in=GRANTED_STATES)
        .values_list("program__currency")
        .annotate(total=Sum("granted_amount"))
        .order_by("program__currency")
    )
    open_programs = programs_with_budget(SupportProgram.objects.open_on(timezone.localdate(now)))
    return {
        # Each status with its label in both languages: the e-mail shows the reader's, never the code.
        "by_status": [
            {"status": status.value, "label": bilingual_text(status.label), "count": by_status.get(status, 0)}
            for status in Status
        ],
        "submitted_this_week": Application.objects.filter(submitted_at__gte=week_ago).count(),
        "granted_this_week": ", ".join(_money(total, currency) for currency, total in granted_this_week)
        or "0",
        "budgets": [
            {
                "program": bilingual(program, "name"),
                "granted": _money(program.granted, program.currency),
                "remaining": _money(program.remaining, program.currency),
            }
            for program in open_programs.order_by("closes_on", "pk")
        ],
        "overdue": Application.objects.overdue(now=now).count(),
        "week": timezone.localdate(now).isoformat(),
    }
