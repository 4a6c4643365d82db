"""support.permissions, predicate by predicate, on applications the workflow put in each state:
the applicant, the staff who may open it, review (panel, conflicts), decide (four eyes), pay, close."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import translation

from portal.permissions import Role
from support.models import StaffTie
from support.permissions import (
    applications_for_staff,
    can_close,
    can_decide,
    can_record_payment,
    can_review,
    free_of_conflict,
    get_application_for_member,
    is_applicant,
    reviews_complete,
)
from tests.portal.factories import UserFactory
from tests.support.factories import ApplicationFactory, complete_reviews

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def fresh(user):
    """The user as a new request sees them (the predicates cache roles and company on the object)."""
    return type(user).objects.get(pk=user.pk) if user is not None else AnonymousUser()


@pytest.fixture
def other_reviewer(db):
    return UserFactory(is_staff=True, roles=[Role.REVIEWER])


@pytest.fixture
def under_review(company, company_member, reviewer, other_reviewer):
    """Led by `reviewer` (screening seated them: the least loaded); `other_reviewer` has no seat."""
    return ApplicationFactory(company=company, under_review=True, advance__reviewer=reviewer)


@pytest.mark.parametrize(
    ("persona", "applicant"),
    [("company_member", True), ("other_company_member", False), ("reviewer", False), ("anonymous", False)],
)
def test_the_applicant_is_any_member_of_the_applying_company(request, under_review, persona, applicant):
    user = fresh(request.getfixturevalue(persona))
    assert is_applicant(user, under_review) is applicant
    if applicant:
        assert get_application_for_member(user, under_review.pk) == under_review
    else:
        with pytest.raises(Http404):
            get_application_for_member(user, under_review.pk)


@pytest.mark.parametrize(
    ("persona", "opens"),
    [("reviewer", True), ("manager", True), ("other_reviewer", False), ("company_member", False),
     ("anonymous", False)],
)  # fmt: skip
def test_staff_open_what_they_lead_or_manage(request, under_review, persona, opens):
    user = fresh(request.getfixturevalue(persona))
    assert applications_for_staff(user).filter(pk=under_review.pk).exists() is opens


def test_an_unassigned_application_under_review_is_open_to_every_reviewer(company, other_reviewer):
    orphan = ApplicationFactory(company=company, under_review=True)  # no reviewer existed to seat
    orphan.assignments.all().delete()
    type(orphan).objects.filter(pk=orphan.pk).update(assigned_reviewer=None)
    assert applications_for_staff(fresh(other_reviewer)).filter(pk=orphan.pk).exists()


def test_a_seat_opens_the_application_only_while_it_is_open_and_of_the_current_round(
    under_review, other_reviewer
):
    from support.models import ReviewAssignment

    seat = ReviewAssignment.objects.create(
        application=under_review, reviewer=other_reviewer, review_round=under_review.review_round
    )
    opens = applications_for_staff(fresh(other_reviewer)).filter(pk=under_review.pk).exists
    assert opens()
    ReviewAssignment.objects.filter(pk=seat.pk).update(review_round=under_review.review_round + 1)
    assert not opens()  # a seat of another round
    ReviewAssignment.objects.filter(pk=seat.pk).update(
        review_round=under_review.review_round, ended_at=under_review.created_at
    )
    assert not opens()  # a seat given up


NOT_ON_PANEL = "Only the assigned reviewers or a programme manager can review this application."


@pytest.mark.parametrize(
    ("persona", "allowed", "why"),
    [("reviewer", True, ""), ("manager", True, ""),
     ("other_reviewer", False, NOT_ON_PANEL), ("company_member", False, NOT_ON_PANEL)],
)  # fmt: skip
def test_the_panel_and_the_managers_review(request, under_review, persona, allowed, why):
    access = can_review(fresh(request.getfixturevalue(persona)), under_review)
    assert (bool(access), str(access.reason)) == (allowed, why)


def test_a_declared_tie_is_a_conflict_that_stops_the_review(under_review, reviewer):
    assert free_of_conflict(fresh(reviewer), under_review)
    StaffTie.objects.create(user=reviewer, company=under_review.company, nature=StaffTie.Nature.SHAREHOLDER)
    access = can_review(fresh(reviewer), under_review)
    assert not access
    assert str(access.reason).startswith("Conflict of interest:")


def test_four_eyes_the_decider_is_a_manager_who_did_not_score(under_review, reviewer, manager):
    assert "Only programme managers" in str(can_decide(fresh(reviewer), under_review).reason)
    assert can_decide(fresh(manager), under_review)
    complete_reviews(under_review, manager)  # a manager may review, and then may not decide
    assert str(can_decide(fresh(manager), under_review).reason) == (
        "The person who scored an application cannot decide it."
    )


def test_a_decision_waits_for_the_rounds_reviews(under_review, reviewer, manager):
    waiting = reviews_complete(fresh(manager), under_review)
    assert str(waiting.reason) == "A decision needs 1 completed review of this round; it has 0."
    complete_reviews(under_review, reviewer)
    assert reviews_complete(fresh(manager), under_review)


@pytest.mark.parametrize(
    ("persona", "allowed"), [("manager", True), ("reviewer", False), ("company_member", False)]
)
def test_managers_record_payments_and_close(request, company, persona, allowed):
    paid = ApplicationFactory(company=company, paid=True)
    user = fresh(request.getfixturevalue(persona))
    assert bool(can_record_payment(user, paid)) is allowed
    assert bool(can_close(user, paid)) is allowed


def test_a_manager_without_the_payment_permission_records_none(company, manager):
    from django.contrib.auth.models import Group, Permission

    approved = ApplicationFactory(company=company, approved=True)
    assert can_record_payment(fresh(manager), approved)
    Group.objects.get(name=Role.PROGRAMME_MANAGER.value).permissions.remove(
        Permission.objects.get(codename="add_payment", content_type__app_label="support")
    )
    refused = can_record_payment(fresh(manager), approved)
    assert str(refused.reason) == "Only programme managers with the payment permission record payments."
    assert can_close(fresh(manager), approved)  # closing asks for the role only
