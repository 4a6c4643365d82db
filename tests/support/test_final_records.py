"""A decision and a submitted review (with its scores) are final: nobody edits or deletes them,
superusers included, in the admin, the ORM, or (on PostgreSQL) the database itself."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from support import workflow
from support.final import FinalRecordError
from support.models import Application, ApplicationEvent, Review, ReviewScore, Status
from tests.conftest import skip_or_fail
from tests.portal.factories import UserFactory
from tests.support.factories import ApplicationFactory
from tests.support.test_workflow import under_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(company, company_member, reviewer, manager):
    return ApplicationFactory(
        company=company, approved=True, advance__reviewer=reviewer, advance__manager=manager,
        advance__amount="8000", advance__note="Sound",
    )  # fmt: skip


def test_the_decision_fields_cannot_be_changed_through_the_orm(approved):
    approved.granted_amount = Decimal("9000")
    with pytest.raises(FinalRecordError):
        approved.save()
    fresh = Application.objects.get(pk=approved.pk)
    fresh.decision_note = "Rewritten"
    with pytest.raises(FinalRecordError):
        fresh.save()
    with pytest.raises(FinalRecordError):
        Application.objects.filter(pk=approved.pk).update(granted_amount=Decimal("1"))
    with pytest.raises(FinalRecordError):
        fresh.delete()
    approved.refresh_from_db()
    assert (approved.granted_amount, approved.decision_note) == (Decimal("8000"), "Sound")


def test_a_copy_read_before_the_decision_cannot_rewrite_it_after_a_refresh(
    company, company_member, reviewer, manager, django_capture_on_commit_callbacks
):
    application = under_review(
        ApplicationFactory(company=company), company_member, reviewer, django_capture_on_commit_callbacks
    )
    stale = Application.objects.get(pk=application.pk)  # read while under review
    workflow.application_approve(application=application, by=manager, amount=Decimal("8000"))
    stale.refresh_from_db()
    stale.granted_amount = Decimal("1")
    with pytest.raises(FinalRecordError):
        stale.save()


def test_a_decided_application_still_moves_on_through_the_workflow(approved, manager):
    workflow.application_payment_record(
        application=approved, by=manager, amount=Decimal("8000"), reference="T"
    )
    workflow.application_close(application=approved, by=manager)
    approved.refresh_from_db()
    assert approved.status == Status.CLOSED
    assert approved.granted_amount == Decimal("8000")


def test_the_decision_event_cannot_be_changed_or_deleted(approved):
    event = approved.events.get(action="approve")
    event.note = "Something else"
    with pytest.raises(FinalRecordError):
        event.save()
    with pytest.raises(FinalRecordError):
        event.delete()
    with pytest.raises(FinalRecordError):
        ApplicationEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(FinalRecordError):
        approved.events.all().delete()
    assert approved.events.get(action="approve").note == "Sound"


def test_a_rejection_is_final_too(
    company, company_member, reviewer, manager, django_capture_on_commit_callbacks
):
    application = under_review(
        ApplicationFactory(company=company), company_member, reviewer, django_capture_on_commit_callbacks
    )
    workflow.application_reject(application=application, by=manager, reason="Out of scope")
    application = Application.objects.get(pk=application.pk)
    application.decision_note = "In scope after all"
    with pytest.raises(FinalRecordError):
        application.save()
    with pytest.raises(FinalRecordError):
        application.events.get(action="reject").delete()


def test_a_submitted_review_and_its_scores_cannot_be_changed_or_deleted(approved):
    review = Review.objects.get(application=approved)
    review.comment = "Changed my mind"
    with pytest.raises(FinalRecordError):
        review.save()
    with pytest.raises(FinalRecordError):
        review.delete()
    with pytest.raises(FinalRecordError):
        Review.objects.filter(pk=review.pk).update(recommendation="reject")
    score = review.scores.first()
    score.score = 0
    with pytest.raises(FinalRecordError):
        score.save()
    with pytest.raises(FinalRecordError):
        ReviewScore.objects.filter(review=review).delete()
    assert Review.objects.get(pk=review.pk).recommendation == "approve"


@pytest.mark.parametrize("who", ["manager", "superuser"])
def test_the_admin_shows_a_decided_application_read_only_and_refuses_to_save_or_delete_it(
    client_for, approved, manager, who
):
    user = manager if who == "manager" else UserFactory(is_staff=True, is_superuser=True)
    client = client_for(user)
    url = f"/admin/support/application/{approved.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"decision_note": "x"}).status_code == 403
    assert (
        client.post(f"/admin/support/application/{approved.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    approved.refresh_from_db()
    assert approved.decision_note == "Sound"


def test_the_admin_does_not_take_a_second_review_of_the_same_round(client_for, company, reviewer):
    reviewed = ApplicationFactory(company=company, reviewed=True, advance__reviewer=reviewer)
    criteria = list(reviewed.program.criteria.all())
    data = {"recommendation": "reject", **{f"score_{c.pk}": "1" for c in criteria}}
    response = client_for(reviewer).post(f"/admin/support/application/{reviewed.pk}/review/", data)
    assert response.status_code == 200  # the form again, with the refusal
    assert Review.objects.get(application=reviewed).recommendation == "approve"


def _refused(statement: str, params: list) -> None:
    with pytest.raises(IntegrityError, match="final"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_database_refuses_raw_sql_against_decisions_and_reviews(approved):
    if connection.vendor != "postgresql":
        skip_or_fail("the triggers exist on PostgreSQL (set DATABASE_URL)")
    review = Review.objects.get(application=approved)
    event = approved.events.get(action="approve")
    _refused("UPDATE support_application SET granted_amount = 1 WHERE id = %s", [approved.pk])
    _refused("UPDATE support_application SET decision_note = 'x' WHERE id = %s", [approved.pk])
    _refused("DELETE FROM support_application WHERE id = %s", [approved.pk])
    _refused("UPDATE support_applicationevent SET note = 'x' WHERE id = %s", [event.pk])
    _refused("DELETE FROM support_applicationevent WHERE id = %s", [event.pk])
    _refused("UPDATE support_review SET recommendation = 'reject' WHERE id = %s", [review.pk])
    _refused("DELETE FROM support_review WHERE id = %s", [review.pk])
    _refused("UPDATE support_reviewscore SET score = 0 WHERE review_id = %s", [review.pk])
    # What is not part of the decision still moves (the workflow's status, the timestamps).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE support_application SET status = 'paid' WHERE id = %s", [approved.pk])
    approved.refresh_from_db()
    assert (approved.status, approved.granted_amount) == (Status.PAID, Decimal("8000"))
