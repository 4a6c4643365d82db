"""One claim per export, and a ceiling per company and year: the same company, programme, product
and country are supported once, whatever the order or timing of the submissions."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from support import workflow
from support.models import CLAIM_STATES, Application, Status
from tests.conftest import skip_or_fail
from tests.portal.factories import TargetCountryFactory
from tests.support.factories import ApplicationFactory, ProgramFactory, complete_reviews


@pytest.fixture(autouse=True)
def _in_english():
    """The messages checked here are read in English."""
    with translation.override("en"):
        yield


def _twin(application: Application, **fields: object) -> Application:
    """A second draft of the same company for the same programme, products and countries."""
    twin = ApplicationFactory(company=application.company, program=application.program, **fields)
    twin.products.set(application.products.all())
    twin.countries.set(application.countries.all())
    return twin


@pytest.mark.django_db
def test_a_second_claim_is_refused_at_submission_with_the_first_reference(
    company, company_member, reviewer, django_capture_on_commit_callbacks
):
    first = ApplicationFactory(company=company)
    with django_capture_on_commit_callbacks(execute=True):
        first = workflow.application_submit(application=first, by=company_member)
    second = _twin(first)
    with pytest.raises(ValidationError) as refused:
        workflow.application_submit(application=second, by=company_member)
    assert refused.value.code == "second_claim"
    assert first.reference in refused.value.messages[0]
    second.refresh_from_db()
    assert second.status == Status.DRAFT
    assert not second.reference

    # Another country for the same product is another export: welcome.
    second.countries.set([TargetCountryFactory(iso_code="OM")])
    workflow.application_submit(application=second, by=company_member)
    # Once the first is withdrawn, the claim is free again.
    third = _twin(first)
    workflow.application_withdraw(application=first, by=company_member)
    workflow.application_submit(application=third, by=company_member)


@pytest.mark.django_db
def test_the_claim_is_checked_again_at_approval(company, reviewer, manager):
    """Two claims that reached review together (say, before the rule): only one is granted."""
    first = ApplicationFactory(company=company)
    second = _twin(first)
    Application.objects.filter(pk__in=[first.pk, second.pk]).update(
        status=Status.UNDER_REVIEW, assigned_reviewer=reviewer
    )
    first.refresh_from_db()
    complete_reviews(first, reviewer)
    complete_reviews(second, reviewer)
    first.reference = "EXP-1405-000001"
    first.save(update_fields=["reference"])
    workflow.application_approve(application=first, by=manager, amount=Decimal("5000"))
    with pytest.raises(ValidationError, match="EXP-1405-000001"):
        workflow.application_approve(application=second, by=manager, amount=Decimal("5000"))


@pytest.mark.django_db
def test_a_company_ceiling_per_year_counts_what_it_was_granted(company, reviewer, manager):
    program = ProgramFactory(ceiling_per_company_year=Decimal("15000"), cap_per_application=Decimal("10000"))
    ApplicationFactory(company=company, program=program, approved=True, advance__amount="10000")
    application = ApplicationFactory(
        company=company, program=program, reviewed=True, advance__reviewer=reviewer
    )
    with pytest.raises(ValidationError) as refused:
        workflow.application_approve(application=application, by=manager, amount=Decimal("6000"))
    assert "5,000.00 USD more" in refused.value.message_dict["amount"][0]
    workflow.application_approve(application=application, by=manager, amount=Decimal("5000"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("role_groups")
def test_two_submissions_of_one_claim_at_once_leave_one(company, company_member):
    if connection.vendor != "postgresql":
        skip_or_fail("the race needs PostgreSQL's row locks (set DATABASE_URL)")
    first = ApplicationFactory(company=company)
    drafts = [first, _twin(first)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(application: Application) -> None:
        try:
            barrier.wait(timeout=10)
            workflow.application_submit(application=application, by=company_member)
            outcomes.append("submitted")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "submitted"]
    assert Application.objects.filter(status__in=CLAIM_STATES).count() == 1
