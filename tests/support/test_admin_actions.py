from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import translation

from portal.templatetags.portal_admin import logged_change
from support.models import Application, Review, Status
from tests.conftest import admin_form_data
from tests.support.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/support/application/"


@pytest.fixture
def under_review(company, company_member, reviewer):
    return ApplicationFactory(company=company, under_review=True, advance__reviewer=reviewer)


@pytest.fixture
def reviewed(company, company_member, reviewer):
    """Under review and scored by its reviewer: ready for a manager's decision."""
    return ApplicationFactory(company=company, reviewed=True, advance__reviewer=reviewer)


def act(client, action, application, **extra):
    data = {"action": action, "_selected_action": [application.pk], "index": 0, "note": "", "amount": ""}
    data.update(extra)
    return client.post(CHANGELIST, data, follow=True, headers={"accept-language": "en"})


def test_reviewer_scores_in_the_admin(client_for, reviewer, under_review):
    client = client_for(reviewer)
    url = f"/admin/support/application/{under_review.pk}/review/"
    assert client.get(url).status_code == 200
    criteria = list(under_review.program.criteria.all())
    data = {"recommendation": "approve", "comment": "Solid export plan", "no_conflict": "on"}
    data.update({f"score_{c.pk}": "۸" if i == 0 else "7" for i, c in enumerate(criteria)})
    response = client.post(url, data)
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.reviewer == reviewer
    assert review.weighted_score == Decimal("7.60")  # (3*8 + 2*7) / 5


def test_review_form_rejects_scores_out_of_range(client_for, reviewer, under_review):
    criteria = list(under_review.program.criteria.all())
    data = {"recommendation": "approve", **{f"score_{c.pk}": "11" for c in criteria}}
    response = client_for(reviewer).post(f"/admin/support/application/{under_review.pk}/review/", data)
    assert response.status_code == 200
    assert not Review.objects.exists()


def test_manager_approves_with_an_amount_from_the_admin(client_for, manager, reviewed):
    response = act(client_for(manager), "approve", reviewed, amount="۸٬۰۰۰", note="OK")
    assert "1 application updated" in response.content.decode()
    reviewed.refresh_from_db()
    assert reviewed.status == Status.APPROVED
    assert reviewed.granted_amount == Decimal("8000")


def test_a_decision_before_the_review_is_refused_with_the_reason(client_for, manager, under_review):
    response = act(client_for(manager), "approve", under_review, amount="8000")
    assert "A decision needs 1 completed review of this round; it has 0." in response.content.decode()
    under_review.refresh_from_db()
    assert under_review.status == Status.UNDER_REVIEW


def test_approve_over_the_request_is_refused_with_a_message(client_for, manager, reviewed):
    response = act(client_for(manager), "approve", reviewed, amount="999999")
    assert "cannot exceed" in response.content.decode()
    reviewed.refresh_from_db()
    assert reviewed.status == Status.UNDER_REVIEW


def test_reviewer_cannot_approve_from_the_admin(client_for, reviewer, under_review):
    act(client_for(reviewer), "approve", under_review, amount="100")
    under_review.refresh_from_db()
    assert under_review.status == Status.UNDER_REVIEW


def test_a_reviewer_asks_for_a_revision_from_the_admin(client_for, reviewer, under_review):
    act(client_for(reviewer), "request_revision", under_review, note="Add the proforma")
    under_review.refresh_from_db()
    assert under_review.status == Status.REVISION_REQUESTED
    assert under_review.events.last().note == "Add the proforma"


def test_a_manager_rejects_from_the_admin_only_with_a_reason(client_for, reviewer, manager, company):
    other = ApplicationFactory(company=company, reviewed=True, advance__reviewer=reviewer)
    act(client_for(manager), "reject", other)  # no reason: refused
    other.refresh_from_db()
    assert other.status == Status.UNDER_REVIEW
    act(client_for(manager), "reject", other, note="Outside the programme's scope")
    other.refresh_from_db()
    assert other.status == Status.REJECTED
    assert other.decision_note == "Outside the programme's scope"


def test_recording_the_whole_grant_from_the_admin_marks_it_paid(client_for, reviewer, manager, company):
    approved = ApplicationFactory(company=company, approved=True, advance__amount="8000")
    client = client_for(manager)
    response = act(client, "record_payment", approved, amount="۵٬۰۰۰", note="TR-1")
    assert "1 application updated" in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED  # 5,000 of 8,000: still approved
    act(client, "record_payment", approved, amount="3000", note="TR-2")
    approved.refresh_from_db()
    assert approved.status == Status.PAID
    assert approved.paid_total() == Decimal("8000")
    assert list(approved.payments.values_list("reference", flat=True)) == ["TR-1", "TR-2"]
    assert approved.events.last().action == "mark_paid"


def test_status_is_read_only_in_the_change_form(client_for, manager, under_review):
    """The whole change form posted back with a new status saves, and the status stays: only
    the workflow moves it. (Made editable, the status would be saved as approved.)"""
    client = client_for(manager)
    url = f"{CHANGELIST}{under_review.pk}/change/"
    page = client.get(url)
    assert "status" not in page.context["adminform"].form.fields
    response = client.post(url, admin_form_data(page, status=Status.APPROVED, _save="Save"))
    assert response.status_code == 302  # saved: the form was valid, not refused for a missing field
    under_review.refresh_from_db()
    assert under_review.status == Status.UNDER_REVIEW
    assert not under_review.events.filter(to_status=Status.APPROVED).exists()


def test_assign_to_me_and_overdue_filter(client_for, reviewer, under_review):
    from django.utils import timezone

    from portal.permissions import Role
    from tests.portal.factories import UserFactory

    second = UserFactory(is_staff=True, roles=[Role.REVIEWER])
    act(client_for(second), "assign_to_me", under_review)  # it is the first reviewer's: refused
    under_review.refresh_from_db()
    assert under_review.assigned_reviewer == reviewer
    Application.objects.filter(pk=under_review.pk).update(assigned_reviewer=None)
    act(client_for(second), "assign_to_me", under_review)  # nobody's: theirs to take
    under_review.refresh_from_db()
    assert under_review.assigned_reviewer == second
    Application.objects.filter(pk=under_review.pk).update(
        review_due_at=timezone.now() - timezone.timedelta(days=1)
    )
    content = client_for(second).get(CHANGELIST + "?overdue=yes").content.decode()
    assert under_review.reference in content


@pytest.mark.parametrize("persona", ["company_member", "broker_member", "anonymous"])
def test_the_workplace_is_closed_to_non_staff(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get(CHANGELIST)
    assert response.status_code == 302


def test_csv_export(client_for, manager, under_review):
    response = act(client_for(manager), "export_csv", under_review)
    assert under_review.reference in response.content.decode("utf-8-sig")


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "0.004", "-5", "abc", ""])
def test_odd_grant_amounts_are_refused_without_an_error_page(client_for, manager, under_review, amount):
    response = act(client_for(manager), "approve", under_review, amount=amount)
    assert response.status_code == 200
    under_review.refresh_from_db()
    assert under_review.status == Status.UNDER_REVIEW


def test_a_long_payment_reference_is_refused(client_for, manager, company):
    approved = ApplicationFactory(company=company, approved=True, advance__amount="100")
    response = act(client_for(manager), "record_payment", approved, amount="100", note="P" * 150)
    assert "A payment reference has at most 100 characters." in response.content.decode()
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert not approved.payments.exists()


def test_reviewers_see_their_own_and_unassigned_applications_managers_see_all(
    client_for, reviewer, manager, under_review, company
):
    from portal.permissions import Role
    from tests.portal.factories import UserFactory

    someone_elses = ApplicationFactory(company=company, justification="other")
    other_reviewer = UserFactory(is_staff=True, roles=[Role.REVIEWER])
    Application.objects.filter(pk=someone_elses.pk).update(
        status=Status.UNDER_REVIEW, assigned_reviewer=other_reviewer, reference="EXP-1405-000777"
    )
    unassigned = ApplicationFactory(company=company)
    Application.objects.filter(pk=unassigned.pk).update(
        status=Status.UNDER_REVIEW, reference="EXP-1405-000778"
    )
    seen = lambda user: {a.pk for a in client_for(user).get(CHANGELIST).context["cl"].result_list}  # noqa: E731
    assert seen(reviewer) == {under_review.pk, unassigned.pk}
    assert seen(manager) >= {under_review.pk, unassigned.pk, someone_elses.pk}
    assert client_for(reviewer).get(f"{CHANGELIST}{someone_elses.pk}/change/").status_code == 302  # not found


def test_admin_action_history_names_the_step_in_the_readers_language(client_for, reviewed, manager):
    client_for(manager).post(
        CHANGELIST,
        {"action": "approve", "_selected_action": [reviewed.pk], "index": 0, "amount": "100", "note": "ok"},
        headers={"accept-language": "fa"},
    )
    entry = LogEntry.objects.get(object_id=str(reviewed.pk))
    with translation.override("fa"):
        assert logged_change(entry) == "تأییدشده: ok"
    with translation.override("en"):
        assert logged_change(entry) == "Approved: ok"


def menu(client, query: str = "") -> set[str]:
    """The actions offered in the changelist's menu."""
    response = client.get(f"{CHANGELIST}{query}")
    return {name for name, _label in response.context["action_form"].fields["action"].choices if name}


def test_the_menu_offers_only_the_steps_the_table_allows_on_the_rows_shown(
    client_for, reviewer, manager, under_review, company, settings
):
    """The workflow's table decides the menu: a reviewer is never offered a decision or a payment;
    a manager is offered payments only where an approved application is shown, closing only where
    a paid one is."""
    settings.PAGE_CACHE_SECONDS = 0
    assert menu(client_for(reviewer)) == {"assign_to_me", "request_revision", "export_csv"}
    assert menu(client_for(manager)) == {
        "assign_to_me", "request_revision", "approve", "reject", "export_csv",
    }  # fmt: skip

    ApplicationFactory(company=company, approved=True, advance__manager=manager)
    ApplicationFactory(company=company, paid=True, advance__manager=manager)
    assert menu(client_for(manager), "?status__exact=approved") == {"record_payment", "export_csv"}
    assert menu(client_for(manager), "?status__exact=paid") == {"close", "export_csv"}


def test_an_action_the_menu_does_not_offer_is_still_refused_when_posted(client_for, reviewer, under_review):
    response = act(client_for(reviewer), "approve", under_review, amount="100")
    assert response.status_code == 200
    under_review.refresh_from_db()
    assert under_review.status == Status.UNDER_REVIEW
    assert "No action selected" in response.content.decode()


def test_every_staff_role_the_table_names_can_reach_the_menu(reviewer, manager):
    """The role permissions the migrations grant and the workflow's table cannot disagree: whoever
    the table lets take a step in the admin can open the list where the menu is; the table, not a
    model permission, then says which steps they are offered."""
    from support import workflow
    from support.admin import ApplicationAdmin

    for name, action in ApplicationAdmin.WORKFLOW_ACTIONS.items():
        rule = workflow.TRANSITIONS[action]
        takers = [user for user in (reviewer, manager) if rule.role(user)]
        assert takers, name
        for user in takers:
            assert user.has_perm("support.view_application"), (name, user)
