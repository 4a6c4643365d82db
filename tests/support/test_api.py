from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from support import services, workflow
from support.models import Application, ApplicationEvent, Status
from tests.brokers.factories import BrokerFactory
from tests.companies.factories import PDF_BYTES, company_suspend_now
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import CategoryFactory, ProductFactory
from tests.support.factories import ApplicationFactory, DocumentTypeFactory, ProgramFactory

pytestmark = pytest.mark.django_db

PROGRAMMES = "/api/v1/programmes/"
APPLICATIONS = "/api/v1/applications/"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def pdf(name: str = "proforma.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def program(db):
    return ProgramFactory(name_fa="یارانه حمل ۱۴۰۵", name_en="Shipping subsidy 1405")


@pytest.fixture
def own_product(company):
    return ProductFactory(company=company)


@pytest.fixture
def payload(program, own_product):
    TargetCountryFactory(iso_code="IQ")
    return {
        "program": program.pk,
        "products": [own_product.pk],
        "countries": ["IQ"],
        "requested_amount": "12000",
        "justification": "Shipping 200,000 masks to Basra",
    }


@pytest.fixture
def draft(company, company_member, program):
    return ApplicationFactory(company=company, program=program)


def timeline(client, application) -> list[dict]:
    response = client.get(f"{APPLICATIONS}{application.pk}/timeline/")
    assert response.status_code == 200, response.content
    return response.json()


# --- programmes -------------------------------------------------------------------------------
def test_programme_list_shows_published_programmes_with_their_rules(client_for, program):
    proforma = DocumentTypeFactory(slug="proforma", name_en="Proforma invoice")
    program.required_documents.add(proforma)
    program.eligible_categories.add(CategoryFactory(slug="masks"))
    program.eligible_countries.add(TargetCountryFactory(iso_code="IQ"))
    ProgramFactory(is_published=False)

    response = client_for(None).get(PROGRAMMES, HTTP_ACCEPT_LANGUAGE="en")

    assert ids(response) == {program.pk}
    data = response.json()["results"][0]
    assert data["name"] == "Shipping subsidy 1405"
    assert data["name_fa"] == "یارانه حمل ۱۴۰۵"
    assert data["support_type"] == "shipping"
    assert data["budget"] == "100000.00"
    assert data["cap_per_application"] == "20000.00"
    assert data["currency"] == "USD"
    assert data["is_open"] is True
    assert data["eligible_categories"] == ["masks"]
    assert data["eligible_countries"] == ["IQ"]
    assert data["required_documents"] == [{"slug": "proforma", "name": "Proforma invoice"}]
    assert data["criteria"] == [{"name": "Export potential", "weight": 3}, {"name": "Quality", "weight": 2}]
    assert data["review_period_days"] == 14


@pytest.mark.parametrize(("query", "expected"), [("true", {"open"}), ("false", {"closed", "not_yet_open"})])
def test_programmes_filter_by_being_open_today(client_for, query, expected):
    today = timezone.localdate()
    programmes = {
        "open": ProgramFactory(),
        "closed": ProgramFactory(closed=True),
        "not_yet_open": ProgramFactory(
            opens_on=today + dt.timedelta(days=5), closes_on=today + dt.timedelta(days=30)
        ),
    }
    response = client_for(None).get(PROGRAMMES, {"open": query})
    assert ids(response) == {programmes[key].pk for key in expected}


def test_programmes_filter_by_support_type(client_for):
    shipping = ProgramFactory()
    ProgramFactory(joint_brand=True)
    assert ids(client_for(None).get(PROGRAMMES, {"support_type": "shipping"})) == {shipping.pk}


def test_programmes_are_read_only(client_for, manager, program):
    response = client_for(manager).post(PROGRAMMES, {"name_en": "New"}, content_type="application/json")
    assert response.status_code == 405


# --- drafting ---------------------------------------------------------------------------------
def test_company_member_creates_a_draft_typing_the_amount_in_persian_digits(
    client_for, company, company_member, payload, own_product
):
    payload["requested_amount"] = "۱۲٬۵۰۰٫۵۰"

    response = client_for(company_member).post(APPLICATIONS, payload, content_type="application/json")

    assert response.status_code == 201, response.content
    data = response.json()
    application = Application.objects.get()
    assert data["id"] == application.pk
    assert data["status"] == "draft"
    assert data["reference"] is None
    assert data["requested_amount"] == "12500.50"
    assert data["products"] == [own_product.pk]
    assert data["countries"] == ["IQ"]
    assert data["broker"] is None
    assert data["program"] == {"id": payload["program"], "name": "یارانه حمل ۱۴۰۵"}
    assert data["documents"] == []
    assert application.company == company
    assert application.created_by == company_member


def test_a_draft_can_name_an_approved_broker(client_for, company_member, payload, brokerage):
    payload["broker"] = brokerage.pk
    response = client_for(company_member).post(APPLICATIONS, payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["broker"] == brokerage.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("no_products", "products"),
        ("another_companys_product", "products"),
        ("zero_amount", "requested_amount"),
        ("negative_amount", "requested_amount"),
        ("closed_programme", "non_field_errors"),
        ("unpublished_programme", "program"),
        ("pending_broker", "broker"),
    ],
)
def test_invalid_drafts_are_refused_with_the_field_and_nothing_is_saved(
    client_for, company_member, other_company, payload, change, field
):
    if change == "no_products":
        payload["products"] = []
    elif change == "another_companys_product":
        payload["products"] = [ProductFactory(company=other_company).pk]
    elif change == "zero_amount":
        payload["requested_amount"] = "۰"
    elif change == "negative_amount":
        payload["requested_amount"] = "-5"
    elif change == "closed_programme":
        payload["program"] = ProgramFactory(closed=True).pk
    elif change == "unpublished_programme":
        payload["program"] = ProgramFactory(is_published=False).pk
    elif change == "pending_broker":
        payload["broker"] = BrokerFactory(pending=True).pk

    response = client_for(company_member).post(APPLICATIONS, payload, content_type="application/json")

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert not Application.objects.exists()


@pytest.mark.parametrize("persona", ["signed_up_user", "broker_member"])
def test_only_company_members_can_start_a_draft(request, client_for, payload, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(APPLICATIONS, payload, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Application.objects.exists()


def test_a_suspended_companys_member_cannot_start_a_draft(client_for, company, company_member, payload):
    company_suspend_now(company)
    response = client_for(company_member).post(APPLICATIONS, payload, content_type="application/json")
    assert response.status_code == 403
    assert not Application.objects.exists()


def test_company_member_changes_a_draft(client_for, company_member, draft):
    response = client_for(company_member).patch(
        f"{APPLICATIONS}{draft.pk}/",
        {"requested_amount": "۱۵۰۰۰", "justification": "More masks"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.requested_amount == Decimal("15000")
    assert draft.justification == "More masks"
    assert draft.products.count() == 1  # untouched by a PATCH that does not name them


def test_an_application_sent_back_for_revision_can_be_changed(client_for, company, company_member, program):
    application = ApplicationFactory(company=company, program=program, revision_requested=True)
    response = client_for(company_member).put(
        f"{APPLICATIONS}{application.pk}/",
        {
            "products": [application.products.get().pk],
            "countries": ["IQ"],
            "requested_amount": "9000",
            "justification": "Revised",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["requested_amount"] == "9000.00"


def test_a_submitted_application_cannot_be_changed(client_for, company, company_member, program):
    application = ApplicationFactory(company=company, program=program, submitted=True)
    response = client_for(company_member).patch(
        f"{APPLICATIONS}{application.pk}/", {"requested_amount": "1"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"]
    application.refresh_from_db()
    assert application.requested_amount == Decimal("10000")


def test_applications_cannot_be_deleted(client_for, company_member, draft):
    response = client_for(company_member).delete(f"{APPLICATIONS}{draft.pk}/")
    assert response.status_code == 405
    assert Application.objects.filter(pk=draft.pk).exists()


def test_a_documents_url_opens_for_its_company_only(client_for, company_member, other_company_member, draft):
    proforma = DocumentTypeFactory(slug="proforma")
    services.application_document_add(application=draft, document_type=proforma, file=pdf())
    url = client_for(company_member).get(f"{APPLICATIONS}{draft.pk}/").json()["documents"][0]["url"]

    assert client_for(company_member).get(url).status_code == 200
    assert client_for(other_company_member).get(url).status_code == 404


# --- submitting and screening -----------------------------------------------------------------
def test_submit_sends_an_eligible_application_through_screening_to_review(
    client_for, company_member, reviewer, draft, django_capture_on_commit_callbacks
):
    proforma = DocumentTypeFactory(slug="proforma")
    draft.program.required_documents.add(proforma)
    services.application_document_add(application=draft, document_type=proforma, file=pdf())
    client = client_for(company_member)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{APPLICATIONS}{draft.pk}/submit/")

    assert response.status_code == 200, response.content
    data = response.json()
    assert "error" not in data
    assert data["status"] == "submitted"  # screening runs after commit
    assert data["reference"].startswith("EXP-")
    assert data["submitted_at"]
    draft.refresh_from_db()
    assert draft.status == Status.UNDER_REVIEW
    assert draft.assigned_reviewer == reviewer
    detail = client.get(f"{APPLICATIONS}{draft.pk}/").json()
    assert detail["status"] == "under_review"
    assert detail["documents"][0]["document_type"] == "proforma"
    assert detail["documents"][0]["url"].startswith("http://testserver/media/support/documents/")
    assert [(e["from_status"], e["to_status"], e["action"]) for e in timeline(client, draft)] == [
        ("draft", "submitted", "submit"),
        ("submitted", "screening", "screen_start"),
        ("screening", "under_review", "screen_pass"),
        ("under_review", "under_review", "assign"),
    ]
    assert timeline(client, draft)[-1]["note"] == ""  # the company is not told who reviews it


def test_submit_without_a_required_document_comes_back_for_revision_with_the_reason(
    client_for, company_member, draft, django_capture_on_commit_callbacks
):
    draft.program.required_documents.add(
        DocumentTypeFactory(slug="proforma", name_fa="پیش‌فاکتور", name_en="Proforma invoice")
    )
    draft.created_by = company_member  # Sara prepared it, in Persian
    draft.save(update_fields=["created_by"])
    client = client_for(company_member)

    with django_capture_on_commit_callbacks(execute=True):
        # Submitted from an English page: the reason is still written in the preparer's Persian.
        response = client.post(f"{APPLICATIONS}{draft.pk}/submit/", headers={"accept-language": "en"})

    assert response.status_code == 200, response.content
    assert "error" not in response.json()
    assert client.get(f"{APPLICATIONS}{draft.pk}/").json()["status"] == "revision_requested"
    events = timeline(client, draft)
    assert [e["action"] for e in events] == ["submit", "screen_start", "screen_fail"]
    assert events[-1]["to_status"] == "revision_requested"
    assert events[-1]["note"] == "یکی از مدارک لازم موجود نیست: پیش‌فاکتور."


def test_submitting_twice_is_refused(client_for, company, company_member, program):
    application = ApplicationFactory(company=company, program=program, submitted=True)
    response = client_for(company_member).post(f"{APPLICATIONS}{application.pk}/submit/")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert list(application.events.values_list("action", flat=True)) == ["submit"]  # nothing new


def test_a_refusal_from_the_workflow_is_a_403_in_the_error_shape(
    client_for, company_member, draft, monkeypatch
):
    def refuse(**kwargs: object) -> None:
        raise PermissionDenied("You may not do this with this application.")

    monkeypatch.setattr(workflow, "application_submit", refuse)
    response = client_for(company_member).post(f"{APPLICATIONS}{draft.pk}/submit/")
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "permission_denied",
            "message": "You may not do this with this application.",
            "fields": {},
        }
    }


# --- withdrawing ------------------------------------------------------------------------------
@pytest.mark.parametrize("state", [Status.DRAFT, Status.UNDER_REVIEW, Status.REVISION_REQUESTED])
def test_withdraw_before_a_decision_takes_the_application_back(
    client_for, company, company_member, program, state
):
    application = ApplicationFactory(company=company, program=program, status=state)
    client = client_for(company_member)

    response = client.post(
        f"{APPLICATIONS}{application.pk}/withdraw/",
        {"note": "Buyer cancelled"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "withdrawn"
    last = timeline(client, application)[-1]
    assert last["created_at"]
    assert (last["from_status"], last["to_status"], last["action"], last["note"]) == (
        state, "withdrawn", "withdraw", "Buyer cancelled",
    )  # fmt: skip


@pytest.mark.parametrize("state", [Status.APPROVED, Status.REJECTED, Status.WITHDRAWN])
def test_withdraw_after_a_decision_is_refused(client_for, company, company_member, program, state):
    application = ApplicationFactory(company=company, program=program, status=state)
    response = client_for(company_member).post(f"{APPLICATIONS}{application.pk}/withdraw/")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"]
    application.refresh_from_db()
    assert application.status == state


# --- who sees what ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "sees_alphas"),
    [
        ("company_member", True),
        ("other_company_member", False),
        ("broker_member", False),
        ("signed_up_user", False),
        ("reviewer", False),
        ("manager", False),
    ],
)
def test_application_list_shows_only_the_callers_own_companys_applications(
    request, client_for, draft, other_company, persona, sees_alphas
):
    others = ApplicationFactory(company=other_company)
    user = request.getfixturevalue(persona)
    expected = {draft.pk} if sees_alphas else ({others.pk} if persona == "other_company_member" else set())
    assert ids(client_for(user).get(APPLICATIONS)) == expected


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("patch", ""),
        ("put", ""),
        ("delete", ""),
        ("post", "submit/"),
        ("post", "withdraw/"),
        ("get", "timeline/"),
    ],
)
def test_anonymous_callers_are_refused(client_for, draft, method, path):
    response = getattr(client_for(None), method)(f"{APPLICATIONS}{draft.pk}/{path}")
    assert response.status_code == 403


def test_anonymous_callers_cannot_list_or_create(client_for, payload):
    client = client_for(None)
    assert client.get(APPLICATIONS).status_code == 403
    assert client.post(APPLICATIONS, payload, content_type="application/json").status_code == 403


@pytest.mark.parametrize(
    ("persona", "method", "path"),
    [
        ("other_company_member", "get", ""),
        ("other_company_member", "patch", ""),
        ("other_company_member", "post", "submit/"),
        ("other_company_member", "post", "withdraw/"),
        ("other_company_member", "get", "timeline/"),
        ("signed_up_user", "get", ""),
        ("signed_up_user", "post", "withdraw/"),
        ("broker_member", "get", "timeline/"),
    ],
)
def test_another_companys_application_is_a_404(request, client_for, draft, persona, method, path):
    client = client_for(request.getfixturevalue(persona))
    response = getattr(client, method)(
        f"{APPLICATIONS}{draft.pk}/{path}", {"requested_amount": "1"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.requested_amount == Decimal("10000")
    assert not draft.events.exists()


def test_the_timeline_names_no_one(client_for, company_member, reviewer, draft):
    ApplicationEvent.objects.create(
        application=draft, from_status="draft", to_status="submitted", action="submit", actor=company_member
    )
    ApplicationEvent.objects.create(
        application=draft, from_status="under_review", to_status="under_review", action="assign",
        actor=reviewer, note=f"- → {reviewer}",
    )  # fmt: skip

    events = timeline(client_for(company_member), draft)

    assert [set(e) for e in events] == [{"from_status", "to_status", "action", "note", "created_at"}] * 2
    assert events[1]["action"] == "assign"
    assert events[1]["note"] == ""


def test_applications_filter_by_status_and_search_by_reference(client_for, company, company_member, program):
    draft = ApplicationFactory(company=company, program=program)
    submitted = ApplicationFactory(company=company, program=program, submitted=True)
    client = client_for(company_member)
    assert ids(client.get(APPLICATIONS, {"status": "draft"})) == {draft.pk}
    assert ids(client.get(APPLICATIONS, {"status": "submitted"})) == {submitted.pk}
    assert ids(client.get(APPLICATIONS, {"search": submitted.reference[-6:]})) == {submitted.pk}


# --- queries ----------------------------------------------------------------------------------
def test_application_list_runs_the_same_queries_for_3_or_15_applications(
    client_for, company, company_member, program
):
    client = client_for(company_member)
    proforma = DocumentTypeFactory(slug="proforma")

    def count_queries(n: int) -> int:
        Application.objects.all().delete()
        for application in ApplicationFactory.create_batch(n, company=company, program=program):
            services.application_document_add(application=application, document_type=proforma, file=pdf())
        with CaptureQueriesContext(connection) as queries:
            response = client.get(APPLICATIONS, {"page_size": 20})
        assert response.json()["count"] == n
        return len(queries)

    assert count_queries(3) == count_queries(15)
