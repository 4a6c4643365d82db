"""The review's findings on the grant workflow (issue 10): resubmission routing, escalation per
round, conflicts on payments and closing, the payment action, ended seats, independent reviews,
the joint brand at approval, payment notices, the escalation's note, counting reviews, dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from portal.models import Notification
from portal.permissions import Role
from products.models import ProductReadiness
from support import standing, workflow
from support.admin_panel import ReviewerChoiceField
from support.models import Application, ApplicationEvent, Payment, Review, ReviewAssignment, StaffTie, Status
from support.panel import panel_of
from support.permissions import applications_for_staff, reviews_complete
from support.services import review_submit
from support.tasks import applications_overdue_escalate
from tests.portal.factories import UserFactory
from tests.support.factories import ApplicationFactory, ProgramFactory, approved_weeks_ago, complete_reviews

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/support/application/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def staff_reviewer(email: str):
    return UserFactory(
        email=email, full_name=email.split("@")[0].title(), is_staff=True, roles=[Role.REVIEWER]
    )


@pytest.fixture
def second_reviewer(db):
    return staff_reviewer("zahra@centre.example")


def submit(application, by, capture):
    with capture(execute=True):
        workflow.application_submit(application=application, by=by)
    application.refresh_from_db()
    return application


def seats(application):
    return {seat.reviewer.email for seat in panel_of(application)}


def fail_screening_once(application, by, capture):
    """Resubmit while the request is above the programme's cap: screening sends it back."""
    program = application.program
    cap = program.cap_per_application
    type(program).objects.filter(pk=program.pk).update(cap_per_application=Decimal("1"))
    application = submit(application, by, capture)
    assert application.status == Status.REVISION_REQUESTED
    assert application.events.last().action == "screen_fail"
    type(program).objects.filter(pk=program.pk).update(cap_per_application=cap)
    return application


@pytest.fixture
def assigned(company, company_member, reviewer, django_capture_on_commit_callbacks):
    application = submit(
        ApplicationFactory(company=company), company_member, django_capture_on_commit_callbacks
    )
    assert application.assigned_reviewer == reviewer
    return application


@pytest.fixture
def panel(company, company_member, reviewer, second_reviewer, django_capture_on_commit_callbacks):
    """Under review by a panel of two: Ali (lead) and Zahra."""
    program = ProgramFactory(panel_from_amount=Decimal("10000"), panel_reviews_required=2)
    application = submit(
        ApplicationFactory(company=company, program=program, requested_amount=Decimal("15000")),
        company_member,
        django_capture_on_commit_callbacks,
    )
    assert seats(application) == {reviewer.email, second_reviewer.email}
    return application


def scores(application, value=7):
    return {c.pk: value for c in application.program.criteria.all()}


# --- 1. a resubmission keeps the reviewer who asked for the changes ------------------------------
def test_after_a_failed_screening_the_resubmission_still_returns_to_who_asked(
    assigned, reviewer, second_reviewer, company_member, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    workflow.application_request_revision(application=assigned, by=reviewer, note="Attach the proforma")
    other = submit(ApplicationFactory(company=assigned.company), company_member, capture)
    assert other.assigned_reviewer == reviewer  # Ali is now the more loaded one
    assigned = fail_screening_once(assigned, company_member, capture)
    assigned = submit(assigned, company_member, capture)
    assert assigned.status == Status.UNDER_REVIEW
    assert assigned.assigned_reviewer == reviewer
    assert "Returned to" in assigned.events.filter(action="assign").last().note


def test_after_a_failed_screening_the_previous_panel_is_seated_again(
    panel, reviewer, second_reviewer, company_member, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    staff_reviewer("third@centre.example")  # idle: the least loaded after Zahra
    workflow.application_request_revision(application=panel, by=second_reviewer, note="More detail")
    busy = submit(ApplicationFactory(company=panel.company), company_member, capture)
    assert busy.assigned_reviewer == reviewer  # Ali now carries one more than the third reviewer
    panel = fail_screening_once(panel, company_member, capture)
    panel = submit(panel, company_member, capture)
    assert panel.review_round == 3
    assert panel.assigned_reviewer == second_reviewer  # who asked leads
    assert seats(panel) == {reviewer.email, second_reviewer.email}  # with the panel of round 1


# --- 2. escalation per round ----------------------------------------------------------------------
def overdue(application):
    Application.objects.filter(pk=application.pk).update(review_due_at=timezone.now() - dt.timedelta(hours=1))


def test_a_resubmitted_application_overdue_again_is_escalated_again(
    assigned, reviewer, company_member, django_capture_on_commit_callbacks
):
    overdue(assigned)
    assert applications_overdue_escalate() == 1
    workflow.application_request_revision(application=assigned, by=reviewer, note="Attach the proforma")
    assigned = submit(assigned, company_member, django_capture_on_commit_callbacks)
    assert assigned.escalated_at is None
    events = list(assigned.events.for_applicant())
    assert standing.escalation(assigned, events) is None  # the last round's escalation is not this one's
    overdue(assigned)
    assert applications_overdue_escalate() == 1
    assert assigned.events.filter(action="escalate").count() == 2
    assigned.refresh_from_db()
    assert standing.escalation(assigned, list(assigned.events.for_applicant())) is not None


def test_the_escalation_no_longer_shows_once_decided(assigned, reviewer, manager):
    overdue(assigned)
    applications_overdue_escalate()
    complete_reviews(assigned, reviewer)
    workflow.application_approve(application=assigned, by=manager, amount=Decimal("1000"))
    assigned.refresh_from_db()
    assert standing.escalation(assigned, list(assigned.events.for_applicant())) is None


# --- 3. a conflicted manager neither records payments nor closes ---------------------------------
def test_a_conflicted_manager_records_no_payment_and_does_not_close(company, manager):
    other = UserFactory(is_staff=True, roles=[Role.PROGRAMME_MANAGER])
    application = ApplicationFactory(company=company, approved=True, advance__manager=other)
    StaffTie.objects.create(user=manager, company=company, nature=StaffTie.Nature.SHAREHOLDER)
    with pytest.raises(PermissionDenied):
        workflow.application_payment_record(
            application=application, by=manager, amount=Decimal("100"), reference="TR-1"
        )
    assert not Payment.objects.exists()
    assert "record_payment" not in workflow.allowed_actions(manager, application)
    workflow.application_payment_record(
        application=application, by=other, amount=application.granted_amount, reference="TR-1"
    )
    application.refresh_from_db()
    assert application.status == Status.PAID
    assert "close" not in workflow.allowed_actions(manager, application)
    with pytest.raises(PermissionDenied):
        workflow.application_close(application=application, by=manager)
    workflow.application_close(application=application, by=other)
    application.refresh_from_db()
    assert application.status == Status.CLOSED


# --- 4. the payment action takes one application ---------------------------------------------------
def test_the_payment_action_refuses_several_applications(client_for, company, manager):
    first, second = ApplicationFactory.create_batch(2, company=company, approved=True)
    response = client_for(manager).post(
        CHANGELIST,
        {"action": "record_payment", "_selected_action": [first.pk, second.pk], "index": 0,
         "amount": "100", "note": "TR-1"},
        follow=True, headers={"accept-language": "en"},
    )  # fmt: skip
    assert "one application at a time" in response.content.decode()
    assert not Payment.objects.exists()


# --- 5. reassignment: a seat to replace, ended not deleted ---------------------------------------
def test_replacing_someone_without_a_seat_is_refused(assigned, reviewer, second_reviewer, manager):
    outsider = staff_reviewer("outsider@centre.example")
    with pytest.raises(ValidationError) as error:
        workflow.application_reassign(
            application=assigned, by=manager, to=second_reviewer, replacing=outsider, note="Swap"
        )
    assert "replacing" in error.value.message_dict
    assert seats(assigned) == {reviewer.email}


def test_a_replaced_seat_is_ended_and_kept(assigned, reviewer, second_reviewer, manager):
    workflow.application_reassign(application=assigned, by=manager, to=second_reviewer, note="On leave")
    assigned.refresh_from_db()
    old = ReviewAssignment.objects.get(application=assigned, reviewer=reviewer)  # still on record
    assert old.ended_at is not None
    assert old.replaced_by == second_reviewer
    assert seats(assigned) == {second_reviewer.email}
    # Ali no longer opens it (it is led by Zahra) nor may score it.
    assert not applications_for_staff(reviewer).filter(pk=assigned.pk).exists()
    with pytest.raises(PermissionDenied):
        review_submit(
            application=assigned, reviewer=reviewer, scores=scores(assigned), recommendation="approve",
            no_conflict=True,
        )  # fmt: skip
    # Back again later: a fresh seat beside the ended one.
    workflow.application_reassign(application=assigned, by=manager, to=reviewer, note="Back from leave")
    assert seats(assigned) == {reviewer.email}
    assert ReviewAssignment.objects.filter(application=assigned, reviewer=reviewer).count() == 2


# --- 6. independent reviews ------------------------------------------------------------------------
def test_a_reviewer_sees_the_others_scores_only_after_scoring(
    client_for, panel, reviewer, second_reviewer, manager
):
    review_submit(
        application=panel, reviewer=reviewer, scores=scores(panel, 9), recommendation="approve",
        no_conflict=True, comment="ALI-SECRET-COMMENT",
    )  # fmt: skip
    ali_score = panel.reviews.get(reviewer=reviewer).weighted_score
    assert f"{ali_score}" in panel.events.get(action="review").note  # the staff timeline's row says it
    zahra = client_for(second_reviewer)
    pages = [f"{CHANGELIST}{panel.pk}/review/", f"{CHANGELIST}{panel.pk}/change/"]
    for url in pages:
        content = zahra.get(url, headers={"accept-language": "en"}).content.decode()
        assert "Combined score" not in content
        assert "ALI-SECRET-COMMENT" not in content
        assert f"{ali_score}" not in content
        assert "scores show once you have submitted yours" in content
    boss = client_for(manager).get(pages[1], headers={"accept-language": "en"}).content.decode()
    assert "Combined score of 1 review" in boss
    assert "ALI-SECRET-COMMENT" in boss
    assert f"{ali_score}" in boss
    review_submit(
        application=panel, reviewer=second_reviewer, scores=scores(panel), recommendation="approve",
        no_conflict=True,
    )  # fmt: skip
    for url in pages:
        content = zahra.get(url, headers={"accept-language": "en"}).content.decode()
        assert "Combined score of 2 reviews" in content
    assert "ALI-SECRET-COMMENT" in zahra.get(pages[1]).content.decode()  # the reviews on the change page


# --- 7. the joint brand is checked again at approval ----------------------------------------------
def test_a_joint_brand_approval_is_refused_when_certificates_lapsed(
    company, company_member, reviewer, manager, django_capture_on_commit_callbacks
):
    from tests.support.test_workflow import make_ready

    application = ApplicationFactory(company=company, program=ProgramFactory(joint_brand=True))
    make_ready(application)
    application = submit(application, company_member, django_capture_on_commit_callbacks)
    assert application.status == Status.UNDER_REVIEW
    complete_reviews(application, reviewer)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ProductReadiness.objects.filter(product__in=application.products.all()).update(valid_until=yesterday)
    with pytest.raises(ValidationError, match="does not hold verified, valid certificates"):
        workflow.application_approve(application=application, by=manager, amount=Decimal("1000"))
    application.refresh_from_db()
    assert application.status == Status.UNDER_REVIEW
    assert not any(p.joint_brand for p in application.products.all())


# --- 8. a payment notice, not a "new status" ------------------------------------------------------
def test_an_instalment_sends_a_payment_notice_and_the_last_one_the_new_status(
    company, company_member, manager, mailoutbox, django_capture_on_commit_callbacks
):
    application = approved_weeks_ago(company=company, program=ProgramFactory(currency="EUR"))
    told_before = list(Notification.objects.values_list("pk", flat=True))  # of the approval
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_payment_record(
            application=application, by=manager, amount=Decimal("6000"), reference="TR-1"
        )
    mine = Notification.objects.filter(recipient=company_member).exclude(pk__in=told_before)
    assert not mine.filter(kind="application_status").exists()
    assert mine.filter(kind="application_payment").count() == 1
    mail = next(m for m in mailoutbox if m.to == [company_member.email])
    assert application.reference in mail.subject
    assert "6,000.00" in mail.body
    assert "10,000.00 EUR" in mail.body
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_payment_record(
            application=application, by=manager, amount=Decimal("4000"), reference="TR-2"
        )
    assert mine.filter(kind="application_status").count() == 1  # paid in full
    assert mine.filter(kind="application_payment").count() == 1


def test_the_payment_notice_reads_in_persian(company, company_member, manager):
    application = approved_weeks_ago(company=company)
    workflow.application_payment_record(
        application=application, by=manager, amount=Decimal("10"), reference="R"
    )
    from django.template.loader import render_to_string

    notice = Notification.objects.filter(kind="application_payment").first()
    with translation.override("fa"):
        body = render_to_string("emails/application_payment_body.txt", notice.context)
    assert "پرداخت" in body


# --- 9. the escalation's note -----------------------------------------------------------------------
def test_the_api_timeline_shows_no_escalation_note(client_for, assigned, company_member):
    overdue(assigned)
    applications_overdue_escalate()
    assert assigned.events.get(action="escalate").note == ""
    ApplicationEvent.objects.create(  # as older escalations were written
        application=assigned,
        from_status=assigned.status,
        to_status=assigned.status,
        action="escalate",
        note="Past the review period of 14 days.",
    )
    events = client_for(company_member).get(f"/api/v1/applications/{assigned.pk}/timeline/").json()
    assert [e["note"] for e in events if e["action"] == "escalate"] == ["", ""]


# --- 10. which reviews count --------------------------------------------------------------------------
def test_reviews_by_no_current_seat_holder_or_a_conflicted_one_do_not_count(
    panel, reviewer, second_reviewer, manager
):
    outsider = staff_reviewer("outsider@centre.example")
    Review.objects.create(
        application=panel, reviewer=outsider, recommendation="approve", weighted_score=Decimal("7"),
        review_round=panel.review_round,
    )  # fmt: skip
    complete_reviews(panel, reviewer)
    assert not reviews_complete(manager, panel)  # the outsider holds no seat
    complete_reviews(panel, second_reviewer)
    assert reviews_complete(manager, panel)
    StaffTie.objects.create(user=second_reviewer, company=panel.company, nature=StaffTie.Nature.FAMILY)
    refused = reviews_complete(manager, panel)
    assert not refused
    assert "it has 1" in str(refused.reason)


# --- 11. the small ones -----------------------------------------------------------------------------
def test_a_payment_before_the_decision_is_refused_on_the_date(client_for, company, manager):
    application = approved_weeks_ago(company=company)
    before = timezone.localdate(application.decided_at) - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        workflow.application_payment_record(
            application=application, by=manager, amount=Decimal("10"), reference="R", paid_on=before
        )
    assert "paid_on" in error.value.message_dict
    url = f"{CHANGELIST}{application.pk}/payment/"
    response = client_for(manager).post(
        url,
        {"amount": "10", "paid_on": before.isoformat(), "reference": "R"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "before the grant was decided" in response.content.decode()
    assert not Payment.objects.exists()


def test_the_payment_form_takes_a_jalali_date(client_for, company, manager):
    import jdatetime

    application = approved_weeks_ago(company=company)
    day = timezone.localdate() - dt.timedelta(days=2)
    jalali = jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d")
    response = client_for(manager).post(
        f"{CHANGELIST}{application.pk}/payment/", {"amount": "10", "paid_on": jalali, "reference": "R"}
    )
    assert response.status_code == 302
    assert Payment.objects.get().paid_on == day


def test_away_dates_read_in_the_jalali_calendar(reviewer):
    reviewer.away_until = dt.date(2026, 12, 1)
    with translation.override("fa"):
        label = ReviewerChoiceField(queryset=None).label_from_instance(reviewer)
    assert "۱۴۰۵" in label
    assert "2026" not in label


def test_admin_action_history_is_in_the_managers_language(client_for, assigned, reviewer, manager):
    complete_reviews(assigned, reviewer)
    client_for(manager).post(
        CHANGELIST,
        {"action": "approve", "_selected_action": [assigned.pk], "index": 0, "amount": "100", "note": ""},
        headers={"accept-language": "fa"},
    )
    entry = LogEntry.objects.get(object_id=str(assigned.pk))
    assert entry.change_message == "تأیید شد"
