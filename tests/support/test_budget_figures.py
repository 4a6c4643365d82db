"""A programme's granted and remaining budget is one figure (support.selectors), the same on every
surface that shows or uses it: the dashboard, the programme admin, the applicant's page, the
managers' weekly summary, screening and approval."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone, translation

from portal.models import Notification
from support.models import Application, Status
from support.screening import screen
from support.selectors import Budget, program_budget, weekly_summary_figures
from support.tasks import managers_weekly_summary
from tests.support.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

BUDGET_LEFT = "the programme's budget"  # in the screening reason for an amount above what is left


def in_state(application: Application, status: str, granted: str | None = None) -> Application:
    Application.objects.filter(pk=application.pk).update(
        status=status, granted_amount=Decimal(granted) if granted else None, decided_at=timezone.now()
    )
    application.refresh_from_db()
    return application


@pytest.fixture
def program():
    return ProgramFactory(
        name_en="Freight", budget=Decimal("100000"), cap_per_application=Decimal("100000"), currency="EUR"
    )


@pytest.fixture
def mine(program, company):
    """The applicant's own application, under review for 65,000.01: a cent above what is left."""
    return in_state(
        ApplicationFactory(program=program, company=company, requested_amount=Decimal("65000.01")),
        Status.UNDER_REVIEW,
    )


@pytest.fixture
def decided(program):
    """Approved 20,000 and paid 15,000 count; a rejected row never does, whatever amount it holds."""
    return [
        in_state(
            ApplicationFactory(program=program, requested_amount=Decimal("20000")), Status.APPROVED, "20000"
        ),
        in_state(
            ApplicationFactory(program=program, requested_amount=Decimal("15000")), Status.PAID, "15000"
        ),
        in_state(
            ApplicationFactory(program=program, requested_amount=Decimal("9000")), Status.REJECTED, "9000"
        ),
    ]


EXPECTED = Budget(total=Decimal("100000.00"), granted=Decimal("35000.00"), remaining=Decimal("65000.00"))


@pytest.mark.usefixtures("decided")
def test_the_selector_counts_approved_and_paid_grants_only(program):
    assert program_budget(program) == EXPECTED


@pytest.mark.usefixtures("decided")
def test_the_dashboard_shows_the_same_figure(client_for, manager, program):
    response = client_for(manager).get("/admin/support/application/dashboard/")
    (row,) = [p for p in response.context["programs"] if p.pk == program.pk]
    assert (row.budget, row.granted, row.remaining) == (EXPECTED.total, EXPECTED.granted, EXPECTED.remaining)
    assert row.used_percent == Decimal("35.0")


@pytest.mark.usefixtures("decided")
def test_the_programme_admin_shows_the_same_figure(client_for, manager, program):
    response = client_for(manager).get("/admin/support/supportprogram/")
    assert response.status_code == 200
    assert "۳۵٬۰۰۰\u00a0EUR" in response.content.decode()  # in the Persian page's digits
    (listed,) = [p for p in response.context["cl"].result_list if p.pk == program.pk]
    assert (listed.granted, listed.remaining) == (EXPECTED.granted, EXPECTED.remaining)


@pytest.mark.usefixtures("decided")
def test_the_applicants_page_shows_the_same_figure(client_for, company_member, mine):
    response = client_for(company_member).get(f"/en/support/applications/{mine.pk}/")
    assert response.context["budget"] == EXPECTED
    block = response.content.decode().split('id="programme-budget"', 1)[1].split("</dl>", 1)[0]
    assert "35,000.00 EUR" in block
    assert "65,000.00 EUR" in block


@pytest.mark.usefixtures("decided")
def test_the_weekly_summary_shows_the_same_figure(manager, program):
    (row,) = [r for r in weekly_summary_figures()["budgets"] if r["program"]["en"] == "Freight"]
    assert row == {"program": {"fa": program.name_fa, "en": "Freight"}, "granted": "35,000.00 EUR",
                   "remaining": "65,000.00 EUR"}  # fmt: skip
    assert managers_weekly_summary() == 1
    body = Notification.objects.get(kind="managers_weekly_summary", recipient=manager).body
    assert "35,000.00 EUR" in body
    assert "65,000.00 EUR" in body


@pytest.mark.usefixtures("decided")
def test_screening_refuses_a_cent_more_than_the_same_figure(mine):
    today = timezone.localdate()
    with translation.override("en"):
        assert any(BUDGET_LEFT in reason for reason in screen(mine, on=today))
        Application.objects.filter(pk=mine.pk).update(requested_amount=EXPECTED.remaining)
        mine.refresh_from_db()
        assert not any(BUDGET_LEFT in reason for reason in screen(mine, on=today))
