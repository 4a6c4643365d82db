"""Deleting users, brokerages, companies and products leaves the final records whole: the timeline
keeps every step (its actor's account may go), a decided grant keeps its broker and products,
declared ties stay, and the history of reviews and applications cannot be rewritten."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from support.final import FinalRecordError
from support.models import Action, Application, ApplicationEvent, Review, StaffTie, Status
from tests.brokers.factories import BrokerFactory
from tests.conftest import skip_or_fail
from tests.portal.factories import UserFactory
from tests.products.factories import ProductFactory
from tests.support.factories import ApplicationFactory
from tests.support.test_workflow import under_review

pytestmark = pytest.mark.django_db


def _postgresql() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("the triggers exist on PostgreSQL (set DATABASE_URL)")


def _refused(statement: str, params: list) -> None:
    with pytest.raises(IntegrityError, match="final"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def _run(statement: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


@pytest.fixture
def brokerage(db):
    return BrokerFactory(name_en="Gulf Freight")


@pytest.fixture
def approved(company, company_member, reviewer, manager, brokerage):
    return ApplicationFactory(
        company=company, broker=brokerage, approved=True, advance__reviewer=reviewer,
        advance__manager=manager, advance__amount="8000", advance__note="Sound",
    )  # fmt: skip


@pytest.fixture
def superuser_client(client_for):
    return client_for(UserFactory(is_staff=True, is_superuser=True))


# --- the timeline -----------------------------------------------------------------------------
def test_deleting_the_user_who_submitted_keeps_the_timeline_without_their_account(approved, company_member):
    submitted = approved.events.get(action="submit")
    assert submitted.actor == company_member
    company_member.delete()  # refused by the trigger before: a 500 on PostgreSQL
    submitted = ApplicationEvent.objects.get(pk=submitted.pk)
    assert (submitted.actor, submitted.action, submitted.to_status) == (None, "submit", "submitted")
    assert Application.objects.get(pk=approved.pk).granted_amount == Decimal("8000")


def test_the_database_lets_a_timeline_rows_actor_go_and_nothing_else(approved):
    _postgresql()
    event = approved.events.get(action="submit")
    _refused("UPDATE support_applicationevent SET actor_id = NULL, note = 'x' WHERE id = %s", [event.pk])
    _refused(
        "UPDATE support_applicationevent SET actor_id = %s WHERE id = %s", [approved.decided_by_id, event.pk]
    )
    assert _run("UPDATE support_applicationevent SET actor_id = NULL WHERE id = %s", [event.pk]) == 1
    _refused("UPDATE support_applicationevent SET note = 'x' WHERE id = %s", [event.pk])


def test_the_orm_lets_a_timeline_rows_actor_go_and_nothing_else(approved):
    events = ApplicationEvent.objects.filter(application=approved)
    with pytest.raises(FinalRecordError):
        events.update(note="Rewritten")
    with pytest.raises(FinalRecordError):
        events.update(actor=None, note="Rewritten")
    assert events.update(actor=None) == events.count()


@pytest.mark.parametrize("action", ["review", "submit", "approve"])
def test_no_step_of_a_submitted_applications_timeline_can_be_deleted(approved, action):
    event = approved.events.filter(action=action).first()
    assert event is not None
    with pytest.raises(FinalRecordError):
        event.delete()
    with pytest.raises(FinalRecordError):
        ApplicationEvent.objects.filter(pk=event.pk).delete()
    if connection.vendor == "postgresql":
        _refused("DELETE FROM support_applicationevent WHERE id = %s", [event.pk])
    assert ApplicationEvent.objects.filter(pk=event.pk).exists()


def test_a_conflict_skip_on_the_timeline_cannot_be_deleted_in_the_database(approved):
    _postgresql()
    skip = ApplicationEvent.objects.create(
        application=approved, from_status=approved.status, to_status=approved.status,
        action="conflict_skip", internal=True, note="Skipped: conflict of interest.",
    )  # fmt: skip
    _refused("DELETE FROM support_applicationevent WHERE id = %s", [skip.pk])


def test_a_submitted_undecided_application_is_not_deleted_with_its_timeline(
    company, company_member, reviewer, django_capture_on_commit_callbacks
):
    application = under_review(
        ApplicationFactory(company=company), company_member, reviewer, django_capture_on_commit_callbacks
    )
    with pytest.raises(FinalRecordError):
        application.delete()
    with pytest.raises(FinalRecordError):
        Application.objects.filter(pk=application.pk).delete()
    if connection.vendor == "postgresql":
        _refused("DELETE FROM support_applicationevent WHERE application_id = %s", [application.pk])
    assert application.events.exists()


def test_a_draft_application_can_still_be_deleted_whole(company, company_member):
    draft = ApplicationFactory(company=company)
    assert draft.status == Status.DRAFT
    ApplicationEvent.objects.create(
        application=draft, to_status=Status.DRAFT, action=Action.SUBMIT, actor=company_member
    )
    draft.delete()
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not ApplicationEvent.objects.filter(application_id=draft.pk).exists()


# --- the broker and the products of a grant ----------------------------------------------------
def test_a_brokerage_named_on_a_decided_application_cannot_be_deleted(approved, brokerage, superuser_client):
    with pytest.raises(ProtectedError), transaction.atomic():
        brokerage.delete()
    page = superuser_client.get(f"/admin/brokers/broker/{brokerage.pk}/delete/")
    assert page.status_code == 200
    # The applications are named as the reason, not a permission the superuser would lack.
    assert approved.reference in page.content.decode()
    assert not page.context["perms_lacking"]
    superuser_client.post(f"/admin/brokers/broker/{brokerage.pk}/delete/", {"post": "yes"})
    approved.refresh_from_db()
    assert approved.broker == brokerage


def test_a_product_named_on_an_application_cannot_be_deleted(approved, superuser_client):
    product = approved.products.first()
    with pytest.raises(ProtectedError), transaction.atomic():
        product.delete()
    url = f"/admin/products/product/{product.pk}/delete/"
    page = superuser_client.get(url)
    assert page.status_code == 200
    assert approved.reference in page.content.decode()  # named as what protects it
    assert superuser_client.post(url, {"post": "yes"}).status_code == 200  # the refusal again, no 500
    response = superuser_client.post(
        "/admin/products/product/",
        {"action": "delete_selected", "_selected_action": [product.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert list(approved.products.all()) == [product]


def test_a_product_on_no_application_can_still_be_deleted(company):
    product = ProductFactory(company=company)
    product.delete()
    assert not type(product).objects.filter(pk=product.pk).exists()


# --- declared ties ---------------------------------------------------------------------------
def test_a_declared_tie_keeps_its_person_company_and_brokerage(company, reviewer, brokerage):
    StaffTie.objects.create(user=reviewer, company=company, nature=StaffTie.Nature.FAMILY)
    StaffTie.objects.create(user=reviewer, broker=brokerage, nature=StaffTie.Nature.CONSULTANT)
    for protected in (reviewer, company, brokerage):
        with pytest.raises(ProtectedError), transaction.atomic():
            protected.delete()
    assert StaffTie.objects.filter(user=reviewer).count() == 2


def test_the_admin_names_the_declared_tie_that_keeps_a_staff_member(reviewer, company, superuser_client):
    StaffTie.objects.create(user=reviewer, company=company, nature=StaffTie.Nature.FAMILY)
    url = f"/admin/portal/user/{reviewer.pk}/delete/"
    page = superuser_client.get(url)
    assert page.status_code == 200
    assert page.context["protected"]
    assert superuser_client.post(url, {"post": "yes"}).status_code == 200
    assert StaffTie.objects.filter(user=reviewer).exists()


# --- the history of final records ----------------------------------------------------------------
def test_the_history_of_reviews_and_applications_cannot_be_rewritten(approved):
    _postgresql()
    review = Review.objects.get(application=approved)
    review_row = review.history.latest()
    score_row = review.scores.first().history.latest()
    application_row = approved.history.latest()
    for table, row in [
        ("support_historicalreview", review_row),
        ("support_historicalreviewscore", score_row),
        ("support_historicalapplication", application_row),
    ]:
        _refused(f"UPDATE {table} SET history_change_reason = 'x' WHERE history_id = %s", [row.history_id])  # noqa: S608
        _refused(f"DELETE FROM {table} WHERE history_id = %s", [row.history_id])  # noqa: S608


def test_deleting_a_user_keeps_the_history_they_wrote_without_their_account(approved):
    # A reviewer's reviews protect the account; a user who only changed an application goes.
    clerk = UserFactory(is_staff=True)
    approved.escalated_at = approved.decided_at
    approved._history_user = clerk
    approved.save(update_fields=["escalated_at", "updated_at"])
    row = approved.history.latest()
    assert row.history_user == clerk
    clerk.delete()
    row.refresh_from_db()
    assert (row.history_user, row.escalated_at) == (None, approved.decided_at)
