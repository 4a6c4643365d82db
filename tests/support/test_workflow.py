from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from portal.models import Notification
from portal.permissions import Role
from products.models import ProductReadiness
from support import workflow
from support.models import ApplicationDocument, ApplicationEvent, Status
from support.selectors import program_budget
from support.services import review_submit
from tests.companies.factories import PDF_BYTES, MembershipFactory
from tests.portal.factories import UserFactory
from tests.support.factories import (
    ApplicationFactory,
    DocumentTypeFactory,
    ProgramFactory,
    complete_reviews,
    make_ready,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def english():
    """For the tests that read a refusal's words."""
    with translation.override("en"):
        yield


@pytest.fixture
def application(company, company_member):
    return ApplicationFactory(company=company)


def submit(application, by, capture):
    with capture(execute=True):
        return workflow.application_submit(application=application, by=by)


def under_review(application, company_member, reviewer, capture, *, reviewed=True):
    """Submitted, screened and assigned, and scored by its reviewer unless `reviewed=False`."""
    application = submit(application, company_member, capture)
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW, application.events.last().note
    if reviewed:
        complete_reviews(application, application.assigned_reviewer)
    return application


def test_submit_gives_a_jalali_reference_and_screening_moves_it_to_review(
    application, company_member, reviewer, django_capture_on_commit_callbacks
):
    application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    assert re.fullmatch(r"EXP-14\d\d-\d{6}", application.reference)
    assert application.assigned_reviewer == reviewer
    assert [(e.from_status, e.to_status) for e in application.events.for_applicant()] == [
        ("draft", "submitted"), ("submitted", "screening"), ("screening", "under_review"),
        ("under_review", "under_review"),  # the panel: one reviewer, the least loaded
    ]  # fmt: skip
    assert Notification.objects.filter(recipient=reviewer, kind="application_assigned").exists()
    assert Notification.objects.filter(recipient=company_member, kind="application_status").count() == 2


def test_reference_numbers_count_up_within_the_year(
    company, company_member, reviewer, django_capture_on_commit_callbacks
):
    first = submit(ApplicationFactory(company=company), company_member, django_capture_on_commit_callbacks)
    second = submit(ApplicationFactory(company=company), company_member, django_capture_on_commit_callbacks)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


@pytest.mark.parametrize(
    ("break_it", "reason"),
    [
        ("expired_certificate", "certificate was not valid"),
        ("unverified", "not verified"),
        ("closed_programme", "not open"),
        ("missing_document", "required document is missing"),
        ("over_cap", "above the programme's cap"),
        ("over_budget", "left of the programme's budget"),
    ],
)
def test_screening_sends_ineligible_applications_back_with_the_reason(
    application, company, company_member, django_capture_on_commit_callbacks, break_it, reason
):
    program = application.program
    if break_it == "expired_certificate":
        company.certificate_expiry = timezone.localdate() - dt.timedelta(days=1)
        company.save()
    elif break_it == "unverified":
        company.status = "pending"
        company.save()
    elif break_it == "closed_programme":
        program.closes_on = timezone.localdate() - dt.timedelta(days=1)
        program.save()
    elif break_it == "missing_document":
        program.required_documents.add(DocumentTypeFactory(slug="proforma"))
    elif break_it == "over_cap":
        application.requested_amount = Decimal("25000")
        application.save()
    elif break_it == "over_budget":
        program.budget = Decimal("20000")
        program.save()
        application.requested_amount = Decimal("15000")
        application.save()
        ApplicationFactory(program=program, approved=True, requested_amount=Decimal("10000"))
    company_member.preferred_language = "en"  # the reasons are written in the preparer's language
    company_member.save()
    application.created_by = company_member
    application.save()
    submit(application, company_member, django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.status == Status.REVISION_REQUESTED
    assert reason in application.events.last().note


def test_required_documents_present_pass_screening(
    application, company_member, reviewer, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    proforma = DocumentTypeFactory(slug="proforma")
    application.program.required_documents.add(proforma)
    ApplicationDocument.objects.create(
        application=application, document_type=proforma, file=ContentFile(PDF_BYTES, name="p.pdf")
    )
    under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)


def test_revised_application_is_resubmitted_keeping_its_reference(
    application, company_member, reviewer, django_capture_on_commit_callbacks
):
    application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    reference = application.reference
    workflow.application_request_revision(application=application, by=reviewer, note="Add the proforma")
    application.refresh_from_db()
    assert application.status == Status.REVISION_REQUESTED
    application = submit(application, company_member, django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.reference == reference
    assert application.status == Status.UNDER_REVIEW


# --- who may do what, from which state ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("company_member", True), ("other_company_member", False), ("reviewer", False), ("manager", False)],
)
def test_only_the_applicant_submits(
    request, application, persona, allowed, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(persona)
    if allowed:
        submit(application, user, django_capture_on_commit_callbacks)
    else:
        with pytest.raises(PermissionDenied):
            submit(application, user, django_capture_on_commit_callbacks)
        application.refresh_from_db()
        assert application.status == Status.DRAFT


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [
        ("application_approve", {"amount": Decimal("100")}),
        ("application_reject", {"reason": "no"}),
        ("application_payment_record", {"amount": Decimal("100"), "reference": "PAY-1"}),
        ("application_close", {}),
        ("application_request_revision", {"note": "x"}),
    ],
)
def test_actions_refused_from_draft(application, manager, action, kwargs):
    with pytest.raises(ValidationError):
        getattr(workflow, action)(application=application, by=manager, **kwargs)
    application.refresh_from_db()
    assert application.status == Status.DRAFT
    assert not ApplicationEvent.objects.exists()


def test_another_reviewer_cannot_request_revision(
    application, company_member, reviewer, django_capture_on_commit_callbacks
):
    from portal.permissions import Role
    from tests.portal.factories import UserFactory

    application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    stranger = UserFactory(is_staff=True, roles=[Role.REVIEWER])
    with pytest.raises(PermissionDenied):
        workflow.application_request_revision(application=application, by=stranger, note="x")


def test_reviewer_cannot_approve_and_manager_who_scored_cannot_either(
    application, company_member, reviewer, manager, django_capture_on_commit_callbacks
):
    application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        workflow.application_approve(application=application, by=reviewer, amount=Decimal("5000"))
    scores = {c.pk: 8 for c in application.program.criteria.all()}
    review_submit(
        application=application, reviewer=manager, scores=scores, recommendation="approve", no_conflict=True
    )
    with pytest.raises(PermissionDenied):  # four eyes
        workflow.application_approve(application=application, by=manager, amount=Decimal("5000"))
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW


def test_full_path_to_closed(
    application, company_member, reviewer, manager, django_capture_on_commit_callbacks
):
    application = under_review(
        application, company_member, reviewer, django_capture_on_commit_callbacks, reviewed=False
    )
    scores = {c.pk: s for c, s in zip(application.program.criteria.all(), [9, 6], strict=True)}
    review = review_submit(
        application=application, reviewer=reviewer, scores=scores, recommendation="approve", no_conflict=True
    )
    assert review.weighted_score == Decimal("7.80")  # (3*9 + 2*6) / 5
    workflow.application_approve(
        application=application, by=manager, amount=Decimal("8000"), note="Good case"
    )
    workflow.application_payment_record(
        application=application, by=manager, amount=Decimal("8000"), reference="PAY-1405-77"
    )
    workflow.application_close(application=application, by=manager)
    application.refresh_from_db()
    assert application.status == Status.CLOSED
    assert application.granted_amount == Decimal("8000")
    assert [(p.amount, p.reference) for p in application.payments.all()] == [(Decimal("8000"), "PAY-1405-77")]
    statuses = [e.to_status for e in application.events.all()]
    assert statuses[-3:] == ["approved", "paid", "closed"]
    kinds = Notification.objects.filter(recipient=company_member, kind="application_status")
    assert kinds.count() == 5  # submitted, under review, approved, paid, closed


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1"), Decimal("10001"), Decimal("25000")])
def test_grant_must_be_positive_and_within_request_and_cap(
    application, company_member, reviewer, manager, django_capture_on_commit_callbacks, amount
):
    application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as excinfo:
        workflow.application_approve(application=application, by=manager, amount=amount)
    assert "amount" in excinfo.value.message_dict


def test_grant_never_exceeds_what_is_left(
    company, company_member, reviewer, manager, django_capture_on_commit_callbacks
):
    program = ProgramFactory(budget=Decimal("15000"), cap_per_application=Decimal("10000"))
    first = under_review(
        ApplicationFactory(company=company, program=program),
        company_member,
        reviewer,
        django_capture_on_commit_callbacks,
    )
    second = under_review(
        ApplicationFactory(company=company, program=program),
        company_member,
        reviewer,
        django_capture_on_commit_callbacks,
    )
    workflow.application_approve(application=first, by=manager, amount=Decimal("10000"))
    with pytest.raises(ValidationError) as excinfo:
        workflow.application_approve(application=second, by=manager, amount=Decimal("6000"))
    assert "۵٬۰۰۰٫۰۰" in excinfo.value.message_dict["amount"][0]  # what is left, in the reader's digits
    workflow.application_approve(application=second, by=manager, amount=Decimal("5000"))
    assert program_budget(program).remaining == Decimal("0")


@pytest.mark.parametrize("state", ["draft", "under_review"])
def test_withdraw_before_a_decision(
    application, company_member, reviewer, django_capture_on_commit_callbacks, state
):
    if state == "under_review":
        application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    workflow.application_withdraw(application=application, by=company_member)
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


def test_no_withdrawal_after_approval(
    application, company_member, reviewer, manager, django_capture_on_commit_callbacks
):
    application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    workflow.application_approve(application=application, by=manager, amount=Decimal("1000"))
    with pytest.raises(ValidationError):
        workflow.application_withdraw(application=application, by=company_member)


def test_joint_brand_approval_marks_the_products(
    company, company_member, reviewer, manager, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(company=company, program=ProgramFactory(joint_brand=True))
    make_ready(application)  # the joint brand takes products with verified certificates only
    application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    workflow.application_approve(application=application, by=manager, amount=Decimal("1000"))
    assert all(p.joint_brand for p in application.products.all())
    for product in application.products.all():  # its history says who granted the badge
        latest = product.history.first()
        assert (latest.joint_brand, latest.history_user, latest.history_type) == (True, manager, "~")


def test_least_loaded_reviewer_gets_the_next_application(
    company, company_member, reviewer, django_capture_on_commit_callbacks
):
    from portal.permissions import Role
    from tests.portal.factories import UserFactory

    second = UserFactory(is_staff=True, roles=[Role.REVIEWER])
    first_app, second_app = (
        under_review(
            ApplicationFactory(company=company), company_member, reviewer, django_capture_on_commit_callbacks,
            reviewed=False,
        )
        for _ in range(2)
    )  # fmt: skip
    assert {first_app.assigned_reviewer, second_app.assigned_reviewer} == {reviewer, second}


def test_a_redelivered_screening_task_does_nothing(
    application, company_member, reviewer, django_capture_on_commit_callbacks
):
    from support.tasks import application_screen

    application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    events = application.events.count()
    assert application_screen(application.pk) == "skipped"
    assert application.events.count() == events


def test_allowed_actions_follow_the_table(
    application, company_member, reviewer, manager, django_capture_on_commit_callbacks
):
    assert workflow.allowed_actions(company_member, application) == ["submit", "withdraw"]
    application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    assert set(workflow.allowed_actions(manager, application)) >= {"approve", "reject", "request_revision"}
    assert workflow.allowed_actions(company_member, application) == ["withdraw"]


def test_other_company_members_are_not_applicants(application, other_company_member):
    MembershipFactory()  # unrelated noise
    assert workflow.allowed_actions(other_company_member, application) == []


@pytest.mark.parametrize(
    ("english", "reason"),
    [
        (False, "شرکت از سوی مرکز احراز نشده است."),
        (True, "The company is not verified by the centre."),
    ],
)
def test_screening_reasons_are_written_in_the_preparers_language(
    application, company, english, reason, django_capture_on_commit_callbacks
):
    """Whatever language the request or the worker runs in (Persian here, the default)."""
    company.status = "pending"
    company.save()
    preparer = UserFactory(english=english, roles=[Role.COMPANY_MEMBER])
    MembershipFactory(company=company, user=preparer)
    application.created_by = preparer
    application.save()
    submit(application, preparer, django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.status == Status.REVISION_REQUESTED
    assert application.events.last().note == reason


def test_non_managers_are_told_why_they_cannot_decide(
    application, company_member, reviewer, django_capture_on_commit_callbacks
):
    from django.utils import translation

    application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    with translation.override("en"), pytest.raises(PermissionDenied, match="Only programme managers"):
        workflow.application_approve(application=application, by=reviewer, amount=Decimal("10"))


def test_assign_to_me_is_offered_only_while_nobody_leads_the_application(
    application, company_member, reviewer, django_capture_on_commit_callbacks
):
    """The table's rule is the one application_assign applies: another reviewer is not offered
    an application someone leads (the service would refuse it), and is once nobody does."""
    from portal.permissions import Role
    from tests.portal.factories import UserFactory

    application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    other = UserFactory(is_staff=True, roles=[Role.REVIEWER])
    assert application.assigned_reviewer == reviewer
    assert workflow.allowed_actions(other, application) == []
    with translation.override("en"), pytest.raises(PermissionDenied, match="assigned to another reviewer"):
        workflow.application_assign(application=application, by=other, reviewer=other)

    type(application).objects.filter(pk=application.pk).update(assigned_reviewer=None)
    application.refresh_from_db()
    assert workflow.allowed_actions(other, application) == ["assign"]
    workflow.application_assign(application=application, by=other, reviewer=other)
    application.refresh_from_db()
    assert application.assigned_reviewer == other
    assert application.events.last().note == f"- → {other}"


CALLS = {
    "submit": lambda a, u: workflow.application_submit(application=a, by=u["company_member"]),
    "request_revision": lambda a, u: workflow.application_request_revision(
        application=a, by=u["manager"], note="x"
    ),
    "approve": lambda a, u: workflow.application_approve(
        application=a, by=u["manager"], amount=Decimal("100")
    ),
    "reject": lambda a, u: workflow.application_reject(application=a, by=u["manager"], reason="x"),
    "mark_paid": lambda a, u: workflow.application_payment_record(
        application=a, by=u["manager"], amount=Decimal("100"), reference="P-1"
    ),
    "close": lambda a, u: workflow.application_close(application=a, by=u["manager"]),
    "withdraw": lambda a, u: workflow.application_withdraw(application=a, by=u["company_member"]),
}


@pytest.mark.parametrize(
    ("action", "state"),
    [(action, state) for action in CALLS for state in Status.values],
)
def test_every_action_from_every_state_follows_the_table(
    application, company_member, reviewer, manager, action, state, django_capture_on_commit_callbacks
):
    from support.models import Application

    # Granted (not decided) so that a payment has a grant to pay in the states that take one.
    Application.objects.filter(pk=application.pk).update(
        status=state, assigned_reviewer=reviewer, granted_amount=Decimal("100")
    )
    application.refresh_from_db()
    if state == Status.UNDER_REVIEW:
        complete_reviews(application, reviewer)  # a decision waits for it
    allowed = state in workflow.TRANSITIONS[action].sources
    people = {"company_member": company_member, "manager": manager}
    with django_capture_on_commit_callbacks(execute=False):
        if allowed:
            CALLS[action](application, people)
            application.refresh_from_db()
            assert application.status == workflow.TRANSITIONS[action].target
            assert application.events.last().action == action
        else:
            with pytest.raises(ValidationError):
                CALLS[action](application, people)
            application.refresh_from_db()
            assert application.status == state
            assert not application.events.exclude(action="review").exists()


def test_a_resubmitted_application_is_scored_again_by_its_reviewer(
    application, company_member, reviewer, django_capture_on_commit_callbacks
):
    application = under_review(
        application, company_member, reviewer, django_capture_on_commit_callbacks, reviewed=False
    )
    scores = {c.pk: 5 for c in application.program.criteria.all()}
    review_submit(
        application=application, reviewer=reviewer, scores=scores, recommendation="revise", no_conflict=True
    )
    with pytest.raises(ValidationError):  # once per round
        review_submit(
            application=application,
            reviewer=reviewer,
            scores=scores,
            recommendation="revise",
            no_conflict=True,
        )
    workflow.application_request_revision(application=application, by=reviewer, note="Fix the amounts")
    application = under_review(
        application, company_member, reviewer, django_capture_on_commit_callbacks, reviewed=False
    )
    review_submit(
        application=application, reviewer=reviewer, scores=scores, recommendation="approve", no_conflict=True
    )
    assert list(application.reviews.values_list("review_round", flat=True).order_by("review_round")) == [1, 2]


@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_no_decision_before_the_programmes_reviews_are_in(
    application, company_member, reviewer, manager, decide, django_capture_on_commit_callbacks, english
):
    """A manager approved an application nobody had reviewed: now the workflow waits, and says why."""
    application = under_review(
        application, company_member, reviewer, django_capture_on_commit_callbacks, reviewed=False
    )
    with pytest.raises(ValidationError) as refused:
        CALLS[decide](application, {"manager": manager})
    assert refused.value.code == "reviews_missing"
    assert "needs 1 completed review of this round; it has 0" in refused.value.messages[0]
    complete_reviews(application, reviewer)
    CALLS[decide](application, {"manager": manager})
    application.refresh_from_db()
    assert application.status == workflow.TRANSITIONS[decide].target


def test_a_large_request_waits_for_the_panels_reviews(
    company, company_member, reviewer, manager, django_capture_on_commit_callbacks, english
):
    from portal.permissions import Role
    from tests.portal.factories import UserFactory

    program = ProgramFactory(panel_from_amount=Decimal("5000"), panel_reviews_required=2)
    application = under_review(
        ApplicationFactory(company=company, program=program, requested_amount=Decimal("9000")),
        company_member, reviewer, django_capture_on_commit_callbacks,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="needs 2 completed reviews of this round; it has 1"):
        workflow.application_approve(application=application, by=manager, amount=Decimal("9000"))
    second_opinion = UserFactory(is_staff=True, roles=[Role.PROGRAMME_MANAGER])
    complete_reviews(application, second_opinion)  # a manager may score; then another one decides
    with pytest.raises(PermissionDenied):  # four eyes: who scored does not decide
        workflow.application_approve(application=application, by=second_opinion, amount=Decimal("9000"))
    workflow.application_approve(application=application, by=manager, amount=Decimal("9000"))
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    small = under_review(
        ApplicationFactory(company=company, program=program, requested_amount=Decimal("4000")),
        company_member, reviewer, django_capture_on_commit_callbacks,
    )  # fmt: skip
    workflow.application_approve(application=small, by=manager, amount=Decimal("4000"))  # one is enough


# --- the joint brand is checked again at approval ----------------------------------------------
def test_a_joint_brand_approval_is_refused_when_certificates_lapsed(
    company, company_member, reviewer, manager, english, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(company=company, program=ProgramFactory(joint_brand=True))
    make_ready(application)
    application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ProductReadiness.objects.filter(product__in=application.products.all()).update(valid_until=yesterday)
    with pytest.raises(ValidationError, match="does not hold verified, valid certificates"):
        workflow.application_approve(application=application, by=manager, amount=Decimal("1000"))
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert not any(p.joint_brand for p in application.products.all())


def test_a_manager_cannot_take_over_a_led_application_with_assign_to_me(
    application, company_member, reviewer, manager, django_capture_on_commit_callbacks
):
    """Moving the lead is a reassignment (with a reason, ending the old lead's seat), never
    "assign to me"; the manager is not even offered it."""
    application = under_review(application, company_member, reviewer, django_capture_on_commit_callbacks)
    assert application.assigned_reviewer == reviewer
    assert "assign" not in workflow.allowed_actions(manager, application)
    with translation.override("en"), pytest.raises(PermissionDenied, match="move it with Reassign"):
        workflow.application_assign(application=application, by=manager, reviewer=manager)
    application.refresh_from_db()
    assert application.assigned_reviewer == reviewer
    assert application.assignments.current().filter(reviewer=reviewer, ended_at__isnull=True).exists()
