from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from support.models import Application, ApplicationDocument, Status
from tests.companies.factories import PDF_BYTES
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import ProductFactory
from tests.products.pages import card_names
from tests.support.factories import ApplicationFactory, DocumentTypeFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    program = ProgramFactory()
    program.required_documents.add(DocumentTypeFactory(slug="proforma", name_en="Proforma invoice"))
    return program


def apply_data(company, **overrides: object) -> dict[str, object]:
    data = {
        "products": [ProductFactory(company=company).pk],
        "countries": [TargetCountryFactory(iso_code="IQ").pk],
        "requested_amount": "۱۲٬۵۰۰",
        "justification": "Shipping two containers of masks to Basra",
    }
    data.update(overrides)
    return data


def test_programmes_list_only_open_ones(client):
    ProgramFactory(name_en="Open programme")
    ProgramFactory(name_en="Closed programme", closed=True)
    content = client.get("/en/support/programmes/").content.decode()
    assert "Open programme" in content
    assert "Closed programme" not in content


def test_company_member_applies_uploads_submits_and_sees_the_timeline(
    client_for, company_member, company, program, reviewer, django_capture_on_commit_callbacks
):
    client = client_for(company_member)
    response = client.post(f"/en/support/programmes/{program.pk}/apply/", apply_data(company))
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == Status.DRAFT
    assert str(application.requested_amount) == "12500.00"
    pdf = SimpleUploadedFile("proforma.pdf", PDF_BYTES, content_type="application/pdf")
    proforma = program.required_documents.get()
    client.post(
        f"/en/support/applications/{application.pk}/documents/", {"document_type": proforma.pk, "file": pdf}
    )
    assert ApplicationDocument.objects.filter(application=application).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/support/applications/{application.pk}/submit/")
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    page = client.get(f"/en/support/applications/{application.pk}/").content.decode()
    assert application.reference in page
    assert "Under review" in page
    assert "timeline" in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("requested_amount", "-5"),
        ("requested_amount", "lots"),
        ("products", []),
        ("countries", []),
        ("justification", ""),
    ],
)
def test_application_field_errors_keep_input(client_for, company_member, company, program, field, value):
    response = client_for(company_member).post(
        f"/en/support/programmes/{program.pk}/apply/", apply_data(company, **{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Application.objects.exists()


def test_another_companys_product_cannot_be_chosen(
    client_for, company_member, company, other_company, program
):
    theirs = ProductFactory(company=other_company)
    response = client_for(company_member).post(
        f"/en/support/programmes/{program.pk}/apply/", apply_data(company, products=[theirs.pk])
    )
    assert "products" in response.context["form"].errors


def test_closed_programme_cannot_be_applied_to(client_for, company_member, company):
    closed = ProgramFactory(closed=True)
    assert client_for(company_member).get(f"/en/support/programmes/{closed.pk}/apply/").status_code == 404


def test_a_document_must_be_a_pdf_or_image(client_for, company_member, company, program):
    application = ApplicationFactory(company=company, program=program)
    fake = SimpleUploadedFile("proforma.pdf", b"not a pdf", content_type="application/pdf")
    response = client_for(company_member).post(
        f"/en/support/applications/{application.pk}/documents/",
        {"document_type": program.required_documents.get().pk, "file": fake},
        follow=True,
    )
    assert "PDF" in response.content.decode()
    assert not ApplicationDocument.objects.exists()


@pytest.mark.parametrize("path", ["", "edit/"])
def test_another_companys_application_is_404(client_for, other_company_member, company, path):
    application = ApplicationFactory(company=company)
    assert (
        client_for(other_company_member).get(f"/en/support/applications/{application.pk}/{path}").status_code
        == 404
    )


@pytest.mark.parametrize("action", ["submit/", "withdraw/", "documents/"])
def test_another_company_cannot_act_on_it(client_for, other_company_member, company, action):
    application = ApplicationFactory(company=company)
    assert (
        client_for(other_company_member)
        .post(f"/en/support/applications/{application.pk}/{action}")
        .status_code
        == 404
    )
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_actions_need_post_and_login(client, client_for, company_member, company):
    application = ApplicationFactory(company=company)
    assert (
        client_for(company_member).get(f"/en/support/applications/{application.pk}/submit/").status_code
        == 405
    )
    assert client.post(f"/en/support/applications/{application.pk}/submit/")["Location"].startswith(
        "/en/accounts/login/"
    )


def test_withdraw_from_the_page(client_for, company_member, company):
    application = ApplicationFactory(company=company)
    client_for(company_member).post(f"/en/support/applications/{application.pk}/withdraw/")
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


def test_submitted_application_can_no_longer_be_edited(client_for, company_member, company):
    application = ApplicationFactory(company=company, under_review=True)
    response = client_for(company_member).get(f"/en/support/applications/{application.pk}/edit/")
    assert response.status_code == 302


def test_my_applications_lists_only_mine(client_for, company_member, company, other_company):
    mine = ApplicationFactory(company=company, justification="mine")
    ApplicationFactory(company=other_company)
    response = client_for(company_member).get("/en/support/applications/")
    assert list(response.context["applications"]) == [mine]


def test_joint_brand_page_lists_marked_products(client, company):
    ProductFactory(
        company=company,
        name_en="Branded mask",
        joint_brand=True,
        registered_in=[TargetCountryFactory(iso_code="IQ")],
    )
    ProductFactory(company=company, name_en="Plain mask")
    content = client.get("/en/joint-brand/").content.decode()
    assert "Branded mask" in content
    assert "Plain mask" not in content
    names = set(card_names(client.get("/en/products/?joint_brand=on")))
    assert names == {"Branded mask"}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("company_member", 200),
        ("reviewer", 404),  # a draft is nobody's to review yet (see tests/support/test_access_rules.py)
        ("manager", 200),
        ("other_company_member", 404),
        ("anonymous", 404),
    ],
)
def test_application_documents_are_private(request, client_for, company, program, persona, status):
    from django.core.files.base import ContentFile

    application = ApplicationFactory(company=company, program=program)
    document = ApplicationDocument.objects.create(
        application=application,
        document_type=program.required_documents.get(),
        file=ContentFile(PDF_BYTES, name="d.pdf"),
    )
    assert client_for(request.getfixturevalue(persona)).get(document.file.url).status_code == status


def test_a_draft_cannot_ask_for_more_than_the_cap_its_form_shows(
    client_for, company_member, company, program
):
    program.cap_per_application = Decimal("50000")
    program.save()
    client = client_for(company_member)
    form = client.get(f"/fa/support/programmes/{program.pk}/apply/").content.decode()
    assert "۵۰٬۰۰۰" in form  # the cap the form shows
    response = client.post(
        f"/fa/support/programmes/{program.pk}/apply/", apply_data(company, requested_amount="۶۰٬۰۰۰")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "حداکثر ۵۰٬۰۰۰" in page
    assert 'value="۶۰۰۰۰"' in page  # what was typed is kept, in the digits the reader reads
    assert not Application.objects.exists()
    response = client.post(
        f"/en/support/programmes/{program.pk}/apply/", apply_data(company, requested_amount="50000")
    )
    application = Application.objects.get()
    response = client.post(
        f"/en/support/applications/{application.pk}/edit/",
        {
            **apply_data(company, requested_amount="50000.01"),
            "products": list(application.products.values_list("pk", flat=True)),
        },
    )
    assert "At most 50,000" in response.content.decode()
    application.refresh_from_db()
    assert application.requested_amount == Decimal("50000")
