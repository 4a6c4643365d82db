"""Who reviews an application: reassignment, resubmission routing, panels and conflicts of interest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jdatetime
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from portal.models import Notification
from portal.permissions import Role
from support import workflow
from support.admin_panel import ReviewerChoiceField
from support.models import ApplicationEvent, Review, ReviewAssignment, StaffTie, Status
from support.panel import panel_scores
from support.permissions import applications_for_staff, can_decide, can_review, reviews_complete
from support.services import review_submit
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory
from tests.companies.factories import MembershipFactory
from tests.portal.factories import UserFactory
from tests.support.factories import ApplicationFactory, ProgramFactory, complete_reviews

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/support/application/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def staff_reviewer(email: str, **extra):
    return UserFactory(
        email=email, full_name=email.split("@")[0].title(), is_staff=True, roles=[Role.REVIEWER], **extra
    )


@pytest.fixture
def second_reviewer(db):
    return staff_reviewer("zahra@centre.example")


def submit(application, by, capture):
    with capture(execute=True):
        workflow.application_submit(application=application, by=by)
    application.refresh_from_db()
    return application


def scores_of(application, value=7):
    return {c.pk: value for c in application.program.criteria.all()}


def seats(application):
    return set(
        ReviewAssignment.objects.current()
        .filter(application=application, review_round=application.review_round)
        .values_list("reviewer__email", flat=True)
    )


# --- panels ------------------------------------------------------------------------------------
@pytest.fixture
def panel_program(db):
    """Two reviews from 10,000 up."""
    return ProgramFactory(panel_from_amount=Decimal("10000"), panel_reviews_required=2)


def test_a_panel_programme_seats_two_distinct_least_loaded_reviewers(
    company, company_member, reviewer, second_reviewer, panel_program, django_capture_on_commit_callbacks
):
    busy = staff_reviewer("busy@centre.example")
    ReviewAssignment.objects.create(
        application=submit(
            ApplicationFactory(company=company, program=ProgramFactory(), requested_amount=Decimal("500")),
            company_member, django_capture_on_commit_callbacks,
        ),
        reviewer=busy, review_round=1,
    )  # fmt: skip
    application = submit(
        ApplicationFactory(company=company, program=panel_program, requested_amount=Decimal("15000")),
        company_member,
        django_capture_on_commit_callbacks,
    )
    assert application.status == Status.UNDER_REVIEW
    assert seats(application) == {reviewer.email, second_reviewer.email}
    assert application.assigned_reviewer in (reviewer, second_reviewer)
    for member in (reviewer, second_reviewer):
        assert Notification.objects.filter(recipient=member, kind="application_assigned").exists()
    assert "Panel:" in application.events.filter(action="assign").last().note


def test_below_the_panel_amount_one_reviewer_is_seated(
    company, company_member, reviewer, second_reviewer, panel_program, django_capture_on_commit_callbacks
):
    application = submit(
        ApplicationFactory(company=company, program=panel_program, requested_amount=Decimal("5000")),
        company_member,
        django_capture_on_commit_callbacks,
    )
    assert len(seats(application)) == 1


def test_each_panel_member_scores_and_the_combined_score_is_their_mean(
    company,
    company_member,
    reviewer,
    second_reviewer,
    manager,
    panel_program,
    django_capture_on_commit_callbacks,
):
    application = submit(
        ApplicationFactory(company=company, program=panel_program, requested_amount=Decimal("15000")),
        company_member,
        django_capture_on_commit_callbacks,
    )
    # Export potential ×3, quality ×2: 9 and 6 give 7.80; all 5 give 5.00.
    first = dict(zip(application.program.criteria.values_list("pk", flat=True), [9, 6], strict=True))
    review_submit(
        application=application, reviewer=reviewer, scores=first, recommendation="approve", no_conflict=True
    )
    with pytest.raises(ValidationError, match="2 completed reviews"):
        workflow.application_approve(application=application, by=manager, amount=Decimal("1000"))
    review_submit(
        application=application, reviewer=second_reviewer, scores=scores_of(application, 5),
        recommendation="revise", no_conflict=True,
    )  # fmt: skip
    combined = panel_scores(application)
    assert [r.weighted_score for r in combined.reviews] == [Decimal("7.80"), Decimal("5.00")]
    assert combined.combined == Decimal("6.40")
    workflow.application_approve(application=application, by=manager, amount=Decimal("1000"))
    application.refresh_from_db()
    assert application.status == Status.APPROVED


def test_the_admin_page_shows_each_panel_score_and_the_combined_one(
    client_for, company, company_member, reviewer, second_reviewer, manager, panel_program,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    application = submit(
        ApplicationFactory(company=company, program=panel_program, requested_amount=Decimal("15000")),
        company_member,
        django_capture_on_commit_callbacks,
    )
    complete_reviews(application, reviewer)
    review_submit(
        application=application, reviewer=second_reviewer, scores=scores_of(application, 9),
        recommendation="approve", no_conflict=True,
    )  # fmt: skip
    page = client_for(manager).get(f"{CHANGELIST}{application.pk}/change/").content.decode()
    assert "<td>۷٫۰۰</td>" in page  # in the Persian page's digits
    assert "<td>۹٫۰۰</td>" in page
    assert 'class="combined-score">۸٫۰۰<' in page
    review_page = client_for(reviewer).get(f"{CHANGELIST}{application.pk}/review/").content.decode()
    assert 'class="combined-score">۸٫۰۰<' in review_page


def test_a_panel_member_who_is_not_the_lead_sees_and_scores_the_application(
    client_for,
    company,
    company_member,
    reviewer,
    second_reviewer,
    panel_program,
    django_capture_on_commit_callbacks,
):
    application = submit(
        ApplicationFactory(company=company, program=panel_program, requested_amount=Decimal("15000")),
        company_member,
        django_capture_on_commit_callbacks,
    )
    member = second_reviewer if application.assigned_reviewer == reviewer else reviewer
    client = client_for(member)
    listed = client.get(CHANGELIST).context["cl"].result_list
    assert application in listed
    assert can_review(member, application)
    data = {
        "recommendation": "approve",
        "no_conflict": "on",
        **{f"score_{k}": "8" for k in scores_of(application)},
    }
    assert client.post(f"{CHANGELIST}{application.pk}/review/", data).status_code == 302
    assert Review.objects.filter(
        application=application, reviewer=member, no_conflict_confirmed=True
    ).exists()


def test_the_reviewer_list_stays_at_a_fixed_number_of_queries(
    client_for, company, company_member, reviewer, second_reviewer, panel_program,
    django_capture_on_commit_callbacks, django_assert_max_num_queries,
):  # fmt: skip
    for _ in range(3):
        submit(
            ApplicationFactory(company=company, program=panel_program, requested_amount=Decimal("15000")),
            company_member,
            django_capture_on_commit_callbacks,
        )
    client = client_for(reviewer)
    client.get(CHANGELIST)
    with django_assert_max_num_queries(20) as few:
        assert len(client.get(CHANGELIST).context["cl"].result_list) == 3
    for _ in range(5):
        submit(
            ApplicationFactory(company=company, program=panel_program, requested_amount=Decimal("15000")),
            company_member,
            django_capture_on_commit_callbacks,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(CHANGELIST).context["cl"].result_list) == 8


# --- reassignment --------------------------------------------------------------------------------
@pytest.fixture
def assigned(company, company_member, reviewer, django_capture_on_commit_callbacks):
    application = submit(
        ApplicationFactory(company=company), company_member, django_capture_on_commit_callbacks
    )
    assert application.assigned_reviewer == reviewer
    return application


def test_a_manager_reassigns_with_a_note_on_the_timeline_and_the_new_reviewer_is_told(
    assigned, reviewer, second_reviewer, manager, company_member
):
    workflow.application_reassign(
        application=assigned, by=manager, to=second_reviewer, note="Ali is on leave"
    )
    assigned.refresh_from_db()
    assert assigned.assigned_reviewer == second_reviewer
    assert seats(assigned) == {second_reviewer.email}
    event = assigned.events.last()
    assert (event.action, event.actor) == ("reassign", manager)
    assert str(reviewer) in event.note
    assert str(second_reviewer) in event.note
    assert "Ali is on leave" in event.note
    assert Notification.objects.filter(recipient=second_reviewer, kind="application_assigned").exists()
    assert not can_review(reviewer, assigned)
    assert can_review(second_reviewer, assigned)


def test_reassignment_needs_a_note(assigned, second_reviewer, manager):
    with pytest.raises(ValidationError) as error:
        workflow.application_reassign(application=assigned, by=manager, to=second_reviewer, note="  ")
    assert "note" in error.value.message_dict


@pytest.mark.parametrize("persona", ["reviewer", "second_reviewer", "company_member"])
def test_only_managers_reassign(request, assigned, second_reviewer, persona):
    with pytest.raises(PermissionDenied):
        workflow.application_reassign(
            application=assigned, by=request.getfixturevalue(persona), to=second_reviewer, note="mine now"
        )
    assigned.refresh_from_db()
    assert assigned.assigned_reviewer.email == "ali@centre.example"


def test_reassigning_to_a_non_reviewer_or_outside_review_is_refused(
    assigned, manager, company_member, reviewer
):
    with pytest.raises(ValidationError, match="Only reviewers"):
        workflow.application_reassign(application=assigned, by=manager, to=company_member, note="x")
    workflow.application_request_revision(application=assigned, by=reviewer, note="Fix it")
    with pytest.raises(ValidationError, match="under review"):
        workflow.application_reassign(
            application=assigned, by=manager, to=staff_reviewer("x@centre.example"), note="x"
        )


def test_a_reviewer_who_already_scored_keeps_the_seat(assigned, reviewer, second_reviewer, manager):
    complete_reviews(assigned, reviewer)
    with pytest.raises(ValidationError) as error:
        workflow.application_reassign(application=assigned, by=manager, to=second_reviewer, note="x")
    assert "already scored" in str(error.value.message_dict["replacing"])


def test_reassign_from_the_admin_form(client_for, assigned, second_reviewer, manager, reviewer):
    url = f"{CHANGELIST}{assigned.pk}/reassign/"
    assert f'href="{url}"' in client_for(manager).get(f"{CHANGELIST}{assigned.pk}/change/").content.decode()
    assert (
        f'href="{url}"' not in client_for(reviewer).get(f"{CHANGELIST}{assigned.pk}/change/").content.decode()
    )
    client = client_for(manager)
    missing_note = client.post(url, {"reviewer": second_reviewer.pk, "note": ""})
    assert missing_note.status_code == 200
    assert missing_note.context["form"].errors["note"]
    bad = client.post(url, {"reviewer": "abc", "note": "x"})
    assert bad.status_code == 200
    assert bad.context["form"].errors["reviewer"]
    response = client.post(url, {"reviewer": second_reviewer.pk, "note": "Ali is on leave"})
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.assigned_reviewer == second_reviewer
    assert client_for(reviewer).get(url).status_code == 403


def test_the_company_sees_a_reviewer_change_but_not_who_or_why(
    client_for, assigned, second_reviewer, manager, company_member
):
    workflow.application_reassign(
        application=assigned, by=manager, to=second_reviewer, note="Ali is on leave"
    )
    page = client_for(company_member).get(f"/en/support/applications/{assigned.pk}/").content.decode()
    assert "Ali is on leave" not in page
    assert str(second_reviewer) not in page
    api = client_for(company_member).get(f"/api/v1/applications/{assigned.pk}/timeline/").json()
    assert api[-1]["action"] == "reassign"
    assert api[-1]["note"] == ""


# --- resubmission routing ---------------------------------------------------------------------------
def test_a_resubmission_returns_to_the_reviewer_who_asked_for_the_changes(
    assigned, reviewer, second_reviewer, company_member, django_capture_on_commit_callbacks
):
    workflow.application_request_revision(application=assigned, by=reviewer, note="Attach the proforma")
    # Meanwhile Ali takes another application (both idle, he comes first): Zahra is now less loaded.
    other = submit(
        ApplicationFactory(company=assigned.company), company_member, django_capture_on_commit_callbacks
    )
    assert other.assigned_reviewer == reviewer
    assigned = submit(assigned, company_member, django_capture_on_commit_callbacks)
    assert assigned.review_round == 2
    assert assigned.assigned_reviewer == reviewer
    assert seats(assigned) == {reviewer.email}
    assert "Returned to" in assigned.events.filter(action="assign").last().note


def test_a_resubmission_goes_to_the_least_loaded_when_the_asker_is_away(
    assigned, reviewer, second_reviewer, company_member, django_capture_on_commit_callbacks
):
    workflow.application_request_revision(application=assigned, by=reviewer, note="Attach the proforma")
    reviewer.away_until = timezone.localdate() + dt.timedelta(days=7)
    reviewer.save()
    assigned = submit(assigned, company_member, django_capture_on_commit_callbacks)
    assert assigned.assigned_reviewer == second_reviewer
    note = assigned.events.filter(action="assign").last().note
    assert "is away until" in note
    assert "least loaded" in note


def test_a_reviewer_back_from_leave_is_available_again(
    assigned, reviewer, second_reviewer, company_member, django_capture_on_commit_callbacks
):
    workflow.application_request_revision(application=assigned, by=reviewer, note="Attach the proforma")
    reviewer.away_until = timezone.localdate() - dt.timedelta(days=1)
    reviewer.save()
    assert submit(assigned, company_member, django_capture_on_commit_callbacks).assigned_reviewer == reviewer


def test_an_inactive_asker_is_replaced(
    assigned, reviewer, second_reviewer, company_member, django_capture_on_commit_callbacks
):
    workflow.application_request_revision(application=assigned, by=reviewer, note="Attach the proforma")
    reviewer.is_active = False
    reviewer.save()
    assert (
        submit(assigned, company_member, django_capture_on_commit_callbacks).assigned_reviewer
        == second_reviewer
    )


def test_away_reviewers_get_no_new_applications(
    company, company_member, reviewer, second_reviewer, django_capture_on_commit_callbacks
):
    reviewer.away_until = timezone.localdate()  # the last day away is today
    reviewer.save()
    for _ in range(2):
        application = submit(
            ApplicationFactory(company=company), company_member, django_capture_on_commit_callbacks
        )
        assert application.assigned_reviewer == second_reviewer


def test_staff_set_their_own_away_date_on_their_profile(client_for, reviewer, company_member):
    data = {"full_name": "Ali", "phone": "", "preferred_language": "en", "email_notifications": "on"}
    client_for(reviewer).post("/en/accounts/profile/", {**data, "away_until": "1405/10/01"})
    reviewer.refresh_from_db()
    assert reviewer.away_until == jdatetime.date(1405, 10, 1).togregorian()
    assert "away_until" not in client_for(company_member).get("/en/accounts/profile/").context["form"].fields


def test_managers_set_a_reviewers_away_date_and_reviewers_cannot(
    client_for, reviewer, second_reviewer, manager
):
    url = f"/admin/support/reviewer/{second_reviewer.pk}/change/"
    assert client_for(reviewer).post(url, {"away_until": "2099-01-31"}).status_code == 403
    assert client_for(manager).post(url, {"away_until": "2099-01-31"}).status_code == 302
    second_reviewer.refresh_from_db()
    assert second_reviewer.away_until == dt.date(2099, 1, 31)
    bad = client_for(manager).post(url, {"away_until": "31/31/2099"})
    assert bad.status_code == 200
    assert bad.context["adminform"].form.errors["away_until"]


# --- conflicts of interest -----------------------------------------------------------------------------
def test_automatic_assignment_skips_a_reviewer_who_is_a_member_of_the_company(
    client_for,
    company,
    company_member,
    reviewer,
    second_reviewer,
    manager,
    django_capture_on_commit_callbacks,
):
    MembershipFactory(company=company, user=reviewer)
    application = submit(
        ApplicationFactory(company=company), company_member, django_capture_on_commit_callbacks
    )
    assert application.assigned_reviewer == second_reviewer
    skip = application.events.get(action="conflict_skip")
    assert skip.internal
    assert str(reviewer) in skip.note
    assert "conflict" in skip.note
    # Managers read it on the admin timeline; the company does not see it.
    assert skip.note in client_for(manager).get(f"{CHANGELIST}{application.pk}/change/").content.decode()
    page = client_for(company_member).get(f"/en/support/applications/{application.pk}/").content.decode()
    assert "conflict" not in page.lower()
    api = client_for(company_member).get(f"/api/v1/applications/{application.pk}/timeline/").json()
    assert "conflict_skip" not in [e["action"] for e in api]


def test_a_declared_tie_to_the_brokerage_is_skipped_and_a_rejected_one_is_not(
    company, company_member, reviewer, second_reviewer, manager, django_capture_on_commit_callbacks
):
    broker = BrokerFactory()
    tie = StaffTie.objects.create(user=reviewer, broker=broker, nature=StaffTie.Nature.FAMILY, note="Brother")
    first = submit(
        ApplicationFactory(company=company, broker=broker), company_member, django_capture_on_commit_callbacks
    )
    assert first.assigned_reviewer == second_reviewer
    assert first.events.filter(action="conflict_skip").exists()
    StaffTie.objects.filter(pk=tie.pk).update(status=StaffTie.Status.REJECTED)
    ReviewAssignment.objects.all().delete()  # equal loads again
    second = submit(
        ApplicationFactory(company=company, broker=broker), company_member, django_capture_on_commit_callbacks
    )
    assert second.assigned_reviewer == reviewer


def test_a_broker_member_on_the_staff_is_conflicted(company, reviewer):
    broker = BrokerFactory()
    BrokerMembershipFactory(broker=broker, user=reviewer)
    application = ApplicationFactory(company=company, broker=broker)
    type(application).objects.filter(pk=application.pk).update(
        status=Status.UNDER_REVIEW, assigned_reviewer=reviewer
    )
    application.refresh_from_db()
    assert "brokerage" in can_review(reviewer, application).reason


@pytest.mark.parametrize("how", ["assign", "reassign"])
def test_manual_assignment_to_a_conflicted_reviewer_is_refused_with_the_reason(
    how, company, company_member, second_reviewer, manager, django_capture_on_commit_callbacks
):
    conflicted = staff_reviewer("cousin@centre.example")
    StaffTie.objects.create(user=conflicted, company=company, nature=StaffTie.Nature.FAMILY)
    application = submit(
        ApplicationFactory(company=company), company_member, django_capture_on_commit_callbacks
    )
    if how == "assign":
        type(application).objects.filter(pk=application.pk).update(assigned_reviewer=None)
        call = lambda: workflow.application_assign(  # noqa: E731
            application=application, by=conflicted, reviewer=conflicted
        )
    else:
        call = lambda: workflow.application_reassign(  # noqa: E731
            application=application, by=manager, to=conflicted, note="x"
        )
    # Picking it up oneself is not permitted (can_assign); a manager's choice is an invalid one.
    refusal = PermissionDenied if how == "assign" else ValidationError
    with pytest.raises(refusal, match="declared a tie to the applying company"):
        call()
    assert not ReviewAssignment.objects.filter(reviewer=conflicted).exists()


def test_a_conflicted_reviewer_can_neither_score_nor_see_the_review_form(
    client_for, company, assigned, reviewer
):
    StaffTie.objects.create(user=reviewer, company=company, nature=StaffTie.Nature.SHAREHOLDER)
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # a fresh request's user
    with pytest.raises(PermissionDenied, match="Conflict of interest"):
        review_submit(
            application=assigned, reviewer=reviewer, scores=scores_of(assigned), recommendation="approve",
            no_conflict=True,
        )  # fmt: skip
    assert client_for(reviewer).get(f"{CHANGELIST}{assigned.pk}/review/").status_code == 403


def test_a_conflicted_manager_can_neither_score_nor_decide(client_for, company, assigned, reviewer, manager):
    complete_reviews(assigned, reviewer)
    MembershipFactory(company=company, user=manager)
    manager = type(manager).objects.get(pk=manager.pk)
    assert "member of the applying company" in can_decide(manager, assigned).reason
    assert not can_review(manager, assigned)
    with pytest.raises(PermissionDenied):
        workflow.application_approve(application=assigned, by=manager, amount=Decimal("1000"))
    with pytest.raises(PermissionDenied):
        workflow.application_reject(application=assigned, by=manager, reason="no")
    client = client_for(manager)
    client.post(
        CHANGELIST, {"action": "approve", "_selected_action": [assigned.pk], "amount": "1000", "index": "0"}
    )
    assigned.refresh_from_db()
    assert assigned.status == Status.UNDER_REVIEW
    assert client.get(f"{CHANGELIST}{assigned.pk}/review/").status_code == 403


def test_scoring_needs_the_no_conflict_confirmation(client_for, assigned, reviewer):
    with pytest.raises(ValidationError) as error:
        review_submit(
            application=assigned, reviewer=reviewer, scores=scores_of(assigned), recommendation="approve",
            no_conflict=False,
        )  # fmt: skip
    assert "no_conflict" in error.value.message_dict
    client = client_for(reviewer)
    data = {"recommendation": "approve", **{f"score_{k}": "8" for k in scores_of(assigned)}}
    response = client.post(f"{CHANGELIST}{assigned.pk}/review/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["no_conflict"]
    assert not Review.objects.exists()
    assert client.post(f"{CHANGELIST}{assigned.pk}/review/", {**data, "no_conflict": "on"}).status_code == 302
    review = Review.objects.get()
    assert review.no_conflict_confirmed
    event = assigned.events.get(action="review")
    assert event.internal
    assert "8.00" in event.note  # the score, with the confirmation
    assert event.actor == reviewer


def test_staff_declare_their_own_ties_and_managers_approve_them(
    client_for, company, reviewer, second_reviewer, manager
):
    client = client_for(reviewer)
    response = client.post(
        "/admin/support/stafftie/add/",
        {"user": reviewer.pk, "company": company.pk, "nature": "former_employee", "note": "Until 1402"},
    )
    assert response.status_code == 302
    tie = StaffTie.objects.get()
    assert (tie.user, tie.status) == (reviewer, StaffTie.Status.PENDING)
    # Not in someone else's name.
    refused = client.post(
        "/admin/support/stafftie/add/", {"user": second_reviewer.pk, "company": company.pk, "nature": "other"}
    )
    assert refused.status_code == 200
    assert StaffTie.objects.count() == 1
    # Neither company nor brokerage, or both: a form error, not a server error.
    neither = client.post("/admin/support/stafftie/add/", {"user": reviewer.pk, "nature": "other"})
    assert neither.status_code == 200
    assert StaffTie.objects.count() == 1
    assert list(client_for(second_reviewer).get("/admin/support/stafftie/").context["cl"].result_list) == []
    assert list(client_for(manager).get("/admin/support/stafftie/").context["cl"].result_list) == [tie]
    action = {"action": "approve", "_selected_action": [tie.pk], "index": "0"}
    client.post("/admin/support/stafftie/", action)
    tie.refresh_from_db()
    assert tie.status == StaffTie.Status.PENDING  # a reviewer cannot approve
    client_for(manager).post("/admin/support/stafftie/", action)
    tie.refresh_from_db()
    assert (tie.status, tie.decided_by) == (StaffTie.Status.APPROVED, manager)


def test_a_pending_declaration_already_counts(company, assigned, reviewer):
    StaffTie.objects.create(user=reviewer, company=company, nature=StaffTie.Nature.OTHER)
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)
    assert not can_review(reviewer, assigned)


def test_skips_are_recorded_but_the_panel_is_still_filled(
    company, company_member, reviewer, second_reviewer, django_capture_on_commit_callbacks
):
    program = ProgramFactory(reviews_required=2)
    third = staff_reviewer("third@centre.example")
    MembershipFactory(company=company, user=reviewer)
    application = submit(
        ApplicationFactory(company=company, program=program),
        company_member,
        django_capture_on_commit_callbacks,
    )
    assert seats(application) == {second_reviewer.email, third.email}
    assert ApplicationEvent.objects.filter(application=application, action="conflict_skip").count() == 1


def test_the_review_page_says_so_once_the_reviewer_has_scored_this_round(client_for, assigned, reviewer):
    url = f"{CHANGELIST}{assigned.pk}/review/"
    assert "no_conflict" in client_for(reviewer).get(url).content.decode()
    complete_reviews(assigned, reviewer)
    page = client_for(reviewer).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "already reviewed this application in this round" in page
    assert "no_conflict" not in page


def test_a_manager_completes_a_panel_that_was_short_of_reviewers(
    company, company_member, reviewer, manager, panel_program, django_capture_on_commit_callbacks
):
    application = submit(
        ApplicationFactory(company=company, program=panel_program, requested_amount=Decimal("15000")),
        company_member,
        django_capture_on_commit_callbacks,
    )
    assert seats(application) == {reviewer.email}  # the only reviewer there was
    newcomer = staff_reviewer("newcomer@centre.example")
    workflow.application_reassign(application=application, by=manager, to=newcomer, note="Second opinion")
    application.refresh_from_db()
    assert seats(application) == {reviewer.email, newcomer.email}
    assert application.assigned_reviewer == reviewer  # still the lead
    # Now full: without `replacing`, the lead hands over.
    third = staff_reviewer("third@centre.example")
    workflow.application_reassign(application=application, by=manager, to=third, note="Ali is on leave")
    application.refresh_from_db()
    assert seats(application) == {newcomer.email, third.email}
    assert application.assigned_reviewer == third


# --- resubmission after a failed screening ---------------------------------------------------------
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
def panel(
    company, company_member, reviewer, second_reviewer, panel_program, django_capture_on_commit_callbacks
):
    """Under review by a panel of two: Ali (lead) and Zahra."""
    application = submit(
        ApplicationFactory(company=company, program=panel_program, requested_amount=Decimal("15000")),
        company_member,
        django_capture_on_commit_callbacks,
    )
    assert seats(application) == {reviewer.email, second_reviewer.email}
    return application


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


# --- reassignment: a seat to replace, ended not deleted ---------------------------------------
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
            application=assigned, reviewer=reviewer, scores=scores_of(assigned), recommendation="approve",
            no_conflict=True,
        )  # fmt: skip
    # Back again later: a fresh seat beside the ended one.
    workflow.application_reassign(application=assigned, by=manager, to=reviewer, note="Back from leave")
    assert seats(assigned) == {reviewer.email}
    assert ReviewAssignment.objects.filter(application=assigned, reviewer=reviewer).count() == 2


# --- independent reviews ------------------------------------------------------------------------
def test_a_reviewer_sees_the_others_scores_only_after_scoring(
    client_for, panel, reviewer, second_reviewer, manager
):
    review_submit(
        application=panel, reviewer=reviewer, scores=scores_of(panel, 9), recommendation="approve",
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
        application=panel, reviewer=second_reviewer, scores=scores_of(panel), recommendation="approve",
        no_conflict=True,
    )  # fmt: skip
    for url in pages:
        content = zahra.get(url, headers={"accept-language": "en"}).content.decode()
        assert "Combined score of 2 reviews" in content
    assert "ALI-SECRET-COMMENT" in zahra.get(pages[1]).content.decode()  # the reviews on the change page


# --- which reviews count --------------------------------------------------------------------------
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


def test_away_dates_read_in_the_jalali_calendar(reviewer):
    # Away from today for a month (a fixed date turned into the past and the label lost its date).
    reviewer.away_until = timezone.localdate() + dt.timedelta(days=30)
    jalali_year = jdatetime.date.fromgregorian(date=reviewer.away_until).year
    with translation.override("fa"):
        label = ReviewerChoiceField(queryset=None).label_from_instance(reviewer)
    assert str(jalali_year).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) in label
    assert str(reviewer.away_until.year) not in label
