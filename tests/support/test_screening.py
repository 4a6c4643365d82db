"""The eligibility rules of screening (support.screening.screen), one by one, without the workflow
or Celery: a draft that breaks exactly one rule gets exactly that reason, in the active language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from support.models import Application, ApplicationDocument
from support.screening import joint_brand_not_ready, screen
from tests.companies.factories import PDF_BYTES, CompanyFactory
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import CategoryFactory, ProductFactory
from tests.support.factories import ApplicationFactory, DocumentTypeFactory, ProgramFactory, make_ready

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def today():
    return timezone.localdate()


def stored_draft(company) -> Application:
    application = ApplicationFactory(company=company, program=ProgramFactory())
    return Application.objects.select_related("program", "company").get(pk=application.pk)  # as stored


@pytest.fixture
def draft(company):
    """Alpha's draft: one published product of its own, to Iraq, 10,000 of a 20,000 cap."""
    return stored_draft(company)


@pytest.fixture
def pending_draft(db):
    """The same draft from a company the centre has not verified yet."""
    return stored_draft(CompanyFactory(pending=True))


def test_an_eligible_application_has_no_reasons(draft, today):
    assert screen(draft, on=today) == []


def test_the_company_must_be_verified(pending_draft, today):
    assert screen(pending_draft, on=today) == ["The company is not verified by the centre."]


def test_the_certificate_must_be_valid_on_the_submission_date(draft, today):
    draft.company.certificate_expiry = today - dt.timedelta(days=1)
    assert screen(draft, on=today) == [
        "The knowledge-based certificate was not valid on the submission date."
    ]
    assert screen(draft, on=today - dt.timedelta(days=1)) == []  # valid through its last day


@pytest.mark.parametrize("days", [-31, 61])
def test_the_programme_must_be_open_on_the_submission_date(draft, today, days):
    assert screen(draft, on=today + dt.timedelta(days=days)) == [
        "The programme was not open on the submission date."
    ]


def test_every_required_document_must_be_uploaded(draft, today):
    proforma = DocumentTypeFactory(slug="proforma", name_en="Proforma invoice")
    draft.program.required_documents.add(proforma)
    assert screen(draft, on=today) == ["A required document is missing: Proforma invoice."]
    ApplicationDocument.objects.create(
        application=draft, document_type=proforma, file=ContentFile(PDF_BYTES, name="p.pdf")
    )
    assert screen(draft, on=today) == []


def test_the_request_may_not_exceed_the_cap(draft, today):
    draft.requested_amount = Decimal("20000.01")
    assert screen(draft, on=today) == ["The requested amount is above the programme's cap of 20000.00 USD."]
    draft.requested_amount = Decimal("20000")
    assert screen(draft, on=today) == []


def test_the_request_may_not_exceed_what_is_left_of_the_budget(draft, today):
    ApplicationFactory(program=draft.program, approved=True, requested_amount=Decimal("15000"))
    draft.program.budget = Decimal("24999.99")  # 9,999.99 left for a request of 10,000
    draft.program.save()
    assert screen(draft, on=today) == [
        "The requested amount is above what is left of the programme's budget."
    ]


def test_at_least_one_product_and_one_country(draft, today):
    draft.products.clear()
    draft.countries.clear()
    assert screen(draft, on=today) == [
        "Choose at least one product.",
        "Choose at least one target country.",
    ]


@pytest.mark.parametrize("whose", ["another company's", "a draft"])
def test_only_the_companys_own_published_products(draft, today, whose):
    other = (
        ProductFactory()
        if whose == "another company's"
        else ProductFactory(company=draft.company, draft=True)
    )
    draft.products.add(other)
    assert screen(draft, on=today) == ["Only the company's own published products can be included."]


def test_products_must_be_in_the_eligible_categories(draft, today):
    elsewhere = CategoryFactory(slug="dental-chairs")  # a slug the factory's own cycle never gives
    assert elsewhere != draft.products.get().category
    draft.program.eligible_categories.add(elsewhere)
    assert screen(draft, on=today) == ["A product is outside the programme's eligible categories."]
    draft.program.eligible_categories.add(draft.products.get().category)
    assert screen(draft, on=today) == []


def test_countries_must_be_eligible(draft, today):
    draft.program.eligible_countries.add(TargetCountryFactory(iso_code="OM"))
    assert screen(draft, on=today) == ["A target country is outside the programme's eligible countries."]
    draft.program.eligible_countries.add(draft.countries.get())
    assert screen(draft, on=today) == []


def test_a_joint_brand_needs_verified_certificates_for_each_country(company, today):
    draft = ApplicationFactory(company=company, program=ProgramFactory(joint_brand=True))
    product = draft.products.get()
    reason = f"{product.name} does not hold verified, valid certificates for every requirement of a target country."  # noqa: E501
    assert screen(draft, on=today) == [reason]
    assert joint_brand_not_ready(draft, on=today) == [reason]
    make_ready(draft)
    assert screen(draft, on=today) == []


def test_the_reasons_are_in_the_active_language(pending_draft, today):
    with translation.override("fa"):
        assert screen(pending_draft, on=today) == ["شرکت از سوی مرکز احراز نشده است."]


def test_several_broken_rules_give_every_reason(draft, today):
    draft.company.certificate_expiry = today - dt.timedelta(days=1)
    draft.requested_amount = Decimal("50000")
    assert screen(draft, on=today) == [
        "The knowledge-based certificate was not valid on the submission date.",
        "The requested amount is above the programme's cap of 20000.00 USD.",
    ]
