"""The application factory's traits reach each status through the workflow, with its timeline:
a test that starts from `approved=True` starts where a real approved application is."""

from __future__ import annotations

from decimal import Decimal

import pytest

from support.models import Status
from tests.support.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

SCREENED = ["submit", "screen_start", "screen_pass", "assign"]


@pytest.mark.parametrize(
    ("trait", "status", "actions"),
    [
        ("submitted", Status.SUBMITTED, ["submit"]),
        ("under_review", Status.UNDER_REVIEW, SCREENED),
        ("reviewed", Status.UNDER_REVIEW, [*SCREENED, "review"]),
        ("approved", Status.APPROVED, [*SCREENED, "review", "approve"]),
        ("rejected", Status.REJECTED, [*SCREENED, "review", "reject"]),
        ("paid", Status.PAID, [*SCREENED, "review", "approve", "mark_paid"]),
        ("revision_requested", Status.REVISION_REQUESTED, [*SCREENED, "request_revision"]),
        ("withdrawn", Status.WITHDRAWN, ["submit", "withdraw"]),
    ],
)
def test_each_trait_walks_the_workflow(company, company_member, reviewer, trait, status, actions):
    application = ApplicationFactory(company=company, **{trait: True})
    assert application.status == status
    assert list(application.events.order_by("pk").values_list("action", flat=True)) == actions
    assert application.reference.startswith("EXP-")
    assert application.events.first().actor == company_member  # the applicant submitted it


def test_the_people_and_the_amount_can_be_named(company, company_member, reviewer, manager):
    application = ApplicationFactory(
        company=company,
        approved=True,
        advance__reviewer=reviewer,
        advance__manager=manager,
        advance__amount="8000",
    )
    assert application.assigned_reviewer == reviewer
    assert application.decided_by == manager
    assert application.granted_amount == Decimal("8000")
    assert application.reviews.get().reviewer == reviewer


def test_with_nobody_on_staff_the_trait_makes_the_reviewer_and_the_manager(company):
    application = ApplicationFactory(company=company, approved=True)
    assert application.status == Status.APPROVED
    assert application.decided_by != application.assigned_reviewer  # four eyes kept


def test_a_backdated_story_happened_then(company, company_member, reviewer):
    from datetime import timedelta

    from django.utils import timezone

    then = timezone.now() - timedelta(days=21)
    application = ApplicationFactory(company=company, approved=True, advance__at=then)
    assert then <= application.submitted_at < then + timedelta(minutes=1)
    assert then <= application.decided_at < then + timedelta(minutes=1)
    assert all(then <= e.created_at < then + timedelta(minutes=1) for e in application.events.all())
    assert timezone.now() - application.decided_at > timedelta(days=20)  # the clock is back afterwards
