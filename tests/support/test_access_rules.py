"""One statement per access rule: the admin, media serving and the review page agree on which
applications a member of staff may open, and refusals tell the user why."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from brokers.models import Broker
from portal.access import ALLOWED, Refused, refuse
from portal.permissions import Role
from support import workflow
from support.models import Application, ApplicationDocument, Status
from support.permissions import applications_for_staff, can_review
from tests.companies.factories import PDF_BYTES
from tests.portal.factories import UserFactory
from tests.support.factories import ApplicationFactory, DocumentTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_reviewer(db):
    return UserFactory(email="hadi@centre.example", is_staff=True, roles=[Role.REVIEWER])


@pytest.fixture
def under_review(company, company_member, reviewer, other_reviewer, django_capture_on_commit_callbacks):
    """Alpha's application, assigned to `reviewer` by screening, with one document."""
    application = ApplicationFactory(company=company)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_submit(application=application, by=company_member)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    if application.assigned_reviewer != reviewer:
        Application.objects.filter(pk=application.pk).update(assigned_reviewer=reviewer)
        application.refresh_from_db()
    ApplicationDocument.objects.create(
        application=application,
        document_type=DocumentTypeFactory(),
        file=SimpleUploadedFile("invoice.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    return application


def _document_url(application: Application) -> str:
    return application.documents.get().file.url


@pytest.mark.parametrize(
    ("persona", "listed", "document", "review_page"),
    [
        ("reviewer", True, 200, 200),
        ("other_reviewer", False, 404, 404),
        ("manager", True, 200, 200),
        ("company_member", False, 200, 302),  # the admin sends non-staff to its login page
        ("other_company_member", False, 404, 302),
    ],
)
def test_staff_open_exactly_the_applications_their_admin_list_shows(
    request, client_for, under_review, persona, listed, document, review_page
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    assert applications_for_staff(user).filter(pk=under_review.pk).exists() is listed
    if user.is_staff:
        changelist = client.get("/admin/support/application/", headers={"accept-language": "en"})
        assert (under_review.reference in changelist.content.decode()) is listed
    assert client.get(_document_url(under_review)).status_code == document
    assert client.get(f"/admin/support/application/{under_review.pk}/review/").status_code == review_page


def test_an_unassigned_application_under_review_is_open_to_every_reviewer(
    client_for, under_review, other_reviewer
):
    Application.objects.filter(pk=under_review.pk).update(assigned_reviewer=None)
    client = client_for(other_reviewer)
    assert client.get(_document_url(under_review)).status_code == 200
    # It may be opened (and picked up), but scoring waits until it is assigned to them.
    response = client.get(f"/admin/support/application/{under_review.pk}/review/")
    assert response.status_code == 403
    assert "assigned reviewer" in response.content.decode()


def test_a_pending_brokerage_is_told_why_it_cannot_write_offers(client_for, broker_member, brokerage):
    brokerage.status = Broker.Status.PENDING
    brokerage.save()
    response = client_for(broker_member).get("/en/offers/new/")
    assert response.status_code == 403
    assert "awaits the centre&#x27;s approval" in response.content.decode()


def test_a_suspended_company_is_told_why_it_cannot_add_products(client_for, company, company_member):
    company.status = company.Status.SUSPENDED
    company.save()
    response = client_for(company_member).get("/en/products/new/")
    assert response.status_code == 403
    assert "Your company is suspended by the centre" in response.content.decode()


def test_a_refusal_is_falsy_unpacks_and_raises_with_its_reason(reviewer, under_review, other_reviewer):
    assert ALLOWED
    assert tuple(ALLOWED) == (True, "")
    refusal = refuse("not yours")
    assert not refusal
    assert tuple(refusal) == (False, "not yours")
    with pytest.raises(Refused, match="not yours"):
        refusal.require()
    assert can_review(reviewer, under_review)
    allowed, reason = can_review(other_reviewer, under_review)
    assert not allowed
    assert "assigned reviewer" in reason
