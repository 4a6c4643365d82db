"""Full history: each audited change leaves a row with who, when and what, shown in the admin to
the staff whose admin shows the object, and to nobody else."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone
from simple_history.models import HistoricalRecords

from brokers.models import Broker
from portal.permissions import Role
from support import workflow
from support.models import Application, ReviewScore, Status
from support.services import review_submit
from tests.brokers.factories import BrokerFactory, OfferFactory, OfferResponseFactory
from tests.companies.factories import CompanyFactory
from tests.portal.factories import UserFactory
from tests.products.factories import ProductCertificationFactory, ProductFactory
from tests.support.factories import ApplicationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@contextmanager
def request_by(user):
    """What HistoryRequestMiddleware does for a web request by `user`."""
    request = RequestFactory().get("/")
    request.user = user
    HistoricalRecords.context.request = request
    try:
        yield
    finally:
        del HistoricalRecords.context.request


def _change(obj, field: str, value: object) -> None:
    setattr(obj, field, value)
    obj.save()


AUDITED = {
    "company": (lambda: CompanyFactory(), "name_en", "Renamed Co"),
    "brokerage": (lambda: BrokerFactory(), "licence_number", "LIC-999"),
    "product": (lambda: ProductFactory(), "name_en", "Renamed mask"),
    "certificate": (lambda: ProductCertificationFactory(), "number", "CE-2026-77"),
    "programme": (lambda: ProgramFactory(), "budget", Decimal("250000.00")),
    "application": (lambda: ApplicationFactory(), "justification", "A better plan"),
    "offer": (lambda: OfferFactory(), "title_en", "Five million masks"),
    "offer response": (lambda: OfferResponseFactory(), "unit_price", Decimal("0.42")),
}


@pytest.mark.parametrize("kind", list(AUDITED))
def test_each_audited_change_is_recorded_with_who_when_and_what(kind):
    make, field, value = AUDITED[kind]
    editor = UserFactory(email=f"editor-{kind.replace(' ', '-')}@centre.example")
    obj = make()
    before = timezone.now()
    with request_by(editor):
        _change(obj, field, value)
    latest, previous = obj.history.all()[:2]
    assert latest.history_type == "~"
    assert latest.history_user == editor
    assert before <= latest.history_date <= timezone.now()
    delta = latest.diff_against(previous)
    assert delta.changed_fields == [field]
    assert delta.changes[0].new == value


def test_a_review_and_its_scores_are_recorded_when_submitted(company, reviewer):
    application = ApplicationFactory(company=company)
    Application.objects.filter(pk=application.pk).update(
        status=Status.UNDER_REVIEW, assigned_reviewer=reviewer
    )
    application.refresh_from_db()
    scores = {c.pk: 8 for c in application.program.criteria.all()}
    with request_by(reviewer):
        review = review_submit(
            application=application,
            reviewer=reviewer,
            scores=scores,
            recommendation="approve",
            no_conflict=True,
        )
    created = review.history.get()
    assert (created.history_type, created.history_user, created.recommendation) == ("+", reviewer, "approve")
    assert created.weighted_score == Decimal("8.00")
    scores_history = ReviewScore.history.filter(review_id=review.pk)
    assert (
        sorted((h.history_type, h.history_user, h.score) for h in scores_history) == [("+", reviewer, 8)] * 2
    )


def test_a_decision_through_the_workflow_is_in_the_applications_history(
    client_for, company, company_member, reviewer, manager, django_capture_on_commit_callbacks
):
    from tests.support.test_workflow import under_review

    application = under_review(
        ApplicationFactory(company=company), company_member, reviewer, django_capture_on_commit_callbacks
    )
    with request_by(manager):
        workflow.application_approve(application=application, by=manager, amount=Decimal("7000"))
    approval = application.history.first()
    assert approval.history_user == manager
    # The admin's history shows the workflow's fields too (status, decision), by their labels.
    content = (
        client_for(manager)
        .get(f"/admin/support/application/{application.pk}/history/", headers={"accept-language": "en"})
        .content.decode()
    )
    assert "History of EXP-" in content
    assert "Under review &rarr; Approved" in content
    assert "— &rarr; 7,000.00" in content  # grouped, as every number of the admin
    assert (approval.status, approval.granted_amount, approval.decided_by_id) == (
        "approved",
        Decimal("7000"),
        manager.pk,
    )


def test_a_web_request_records_the_signed_in_user(client_for, manager):
    """The middleware is wired: an admin action over the web leaves the manager as the author."""
    broker = BrokerFactory(status=Broker.Status.PENDING)
    staff = UserFactory(is_staff=True, is_superuser=True)
    response = client_for(staff).post(
        "/admin/brokers/broker/",
        {"action": "approve", "_selected_action": [broker.pk], "index": 0, "note": "Licence checked"},
    )
    assert response.status_code == 302
    latest = broker.history.first()
    assert (latest.status, latest.history_user) == ("approved", staff)


def test_the_admin_history_page_shows_who_changed_what(client_for, manager):
    program = ProgramFactory(name_en="Shipping subsidy")
    with request_by(manager):
        _change(program, "budget", Decimal("123456.00"))
    page = client_for(manager).get(
        f"/admin/support/supportprogram/{program.pk}/history/", headers={"accept-language": "en"}
    )
    assert page.status_code == 200
    content = page.content.decode()
    assert str(manager) in content
    assert "123,456.00" in content
    assert "Total budget" in content


def test_a_reviewer_cannot_read_the_history_of_an_application_the_admin_hides(client_for, reviewer, company):
    """Assigned to another reviewer: the change page says it does not exist, and so does its history."""
    other = UserFactory(is_staff=True, roles=[Role.REVIEWER])
    application = ApplicationFactory(company=company, justification="Secret plan for Basra")
    Application.objects.filter(pk=application.pk).update(status=Status.UNDER_REVIEW, assigned_reviewer=other)
    with request_by(other):
        _change(Application.objects.get(pk=application.pk), "justification", "Still secret")
    client = client_for(reviewer)
    response = client.get(f"/admin/support/application/{application.pk}/history/")
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert "secret" not in client.get(response.url).content.decode().lower()
    own = client_for(other).get(f"/admin/support/application/{application.pk}/history/")
    assert own.status_code == 200
    assert "Still secret" in own.content.decode()


def test_a_products_history_page_lists_its_certificates_changes(client_for, manager):
    certificate = ProductCertificationFactory(number="CE-1")
    with request_by(manager):
        _change(certificate, "number", "CE-2026-77")
    staff = UserFactory(is_staff=True, is_superuser=True)
    content = (
        client_for(staff)
        .get(f"/admin/products/product/{certificate.product_id}/history/", headers={"accept-language": "en"})
        .content.decode()
    )
    table = content.split('id="certificate-history"', 1)[1]
    assert "CE-2026-77" in table
    assert str(manager) in table
    assert "CE-1" in table  # the row as created


def test_the_history_page_refuses_odd_ids_without_an_error(client_for, manager):
    assert client_for(manager).get("/admin/support/application/abc/history/").status_code == 302


def test_the_library_revert_page_is_not_exposed(client_for, manager):
    program = ProgramFactory()
    history_id = program.history.first().history_id
    response = client_for(manager).post(
        f"/admin/support/supportprogram/{program.pk}/history/{history_id}/", {"budget": "1"}
    )
    assert response.status_code == 302  # the admin's "no such object" redirect, not a revert form
    program.refresh_from_db()
    assert program.budget == Decimal("100000")


def test_bulk_inserts_skip_history_as_the_benchmark_expects(company):
    programs = [
        ProgramFactory.build(
            opens_on=timezone.localdate(), closes_on=timezone.localdate() + timedelta(days=1)
        )
        for _ in range(3)
    ]
    from support.models import SupportProgram

    SupportProgram.objects.bulk_create(programs)
    assert SupportProgram.history.count() == 0
