"""A grant is paid in instalments up to the granted amount, never beyond, and payments are final."""

from __future__ import annotations

import datetime as dt
import re
import threading
from datetime import timedelta
from decimal import Decimal

import jdatetime
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone, translation

from portal.models import Notification
from portal.permissions import Role
from support import workflow
from support.final import FinalRecordError
from support.models import Application, Payment, StaffTie, Status
from tests.conftest import skip_or_fail
from tests.portal.factories import UserFactory
from tests.support.factories import ApplicationFactory, ProgramFactory, approved_weeks_ago
from tests.support.test_admin_actions import CHANGELIST

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(company):
    return approved_weeks_ago(company=company, program=ProgramFactory(currency="EUR"))


def pay(application, by, amount, reference, **kwargs):
    return workflow.application_payment_record(
        application=application, by=by, amount=Decimal(amount), reference=reference, **kwargs
    )


def test_two_instalments_pay_the_grant_and_the_second_moves_it_to_paid(approved, manager, company_member):
    first = pay(approved, manager, "6000", "TR-1", paid_on=timezone.localdate() - timedelta(days=3))
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED  # partly paid: still approved
    assert (first.amount, first.currency, first.recorded_by) == (Decimal("6000"), "EUR", manager)
    assert approved.paid_total() == Decimal("6000")
    assert approved.left_to_pay() == Decimal("4000")
    partial = approved.events.last()
    assert (partial.action, partial.from_status, partial.to_status, partial.actor) == (
        "record_payment", "approved", "approved", manager,
    )  # fmt: skip
    assert "6,000.00 EUR · TR-1 · 6,000.00 / 10,000.00" in partial.note
    pay(approved, manager, "4000", "TR-2")
    approved.refresh_from_db()
    assert approved.status == Status.PAID
    assert approved.events.last().action == "mark_paid"
    assert list(approved.payments.values_list("reference", flat=True)) == ["TR-1", "TR-2"]


@pytest.mark.parametrize("amount", ["10000.01", "20000"])
def test_a_payment_beyond_the_grant_is_refused(approved, manager, amount):
    with pytest.raises(ValidationError) as refused:
        pay(approved, manager, amount, "TR-1")
    # In the language of the request (Persian by default): what is left, in its digits.
    assert "۱۰٬۰۰۰٫۰۰ EUR" in str(refused.value.message_dict["amount"])
    assert not Payment.objects.exists()


def test_an_instalment_beyond_what_is_left_is_refused(approved, manager):
    pay(approved, manager, "7000", "TR-1")
    with pytest.raises(ValidationError) as refused:
        pay(approved, manager, "3000.01", "TR-2")
    assert "۳٬۰۰۰٫۰۰" in str(refused.value.message_dict["amount"])
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    assert approved.paid_total() == Decimal("7000")


@pytest.mark.parametrize(
    ("amount", "reference", "days", "field"),
    [("0", "TR-1", 0, "amount"), ("-5", "TR-1", 0, "amount"), ("NaN", "TR-1", 0, "amount"),
     ("100", "  ", 0, "reference"), ("100", "R" * 101, 0, "reference"), ("100", "TR-1", -1, "paid_on")],
)  # fmt: skip
def test_odd_payments_are_refused_on_their_field(approved, manager, amount, reference, days, field):
    with pytest.raises(ValidationError) as refused:
        pay(approved, manager, amount, reference, paid_on=timezone.localdate() - timedelta(days=days))
    assert field in refused.value.message_dict
    assert not Payment.objects.exists()


def test_the_same_reference_is_not_recorded_twice(approved, manager):
    pay(approved, manager, "100", "TR-1")
    with pytest.raises(ValidationError) as refused:
        pay(approved, manager, "100", "TR-1")
    assert "reference" in refused.value.message_dict


def test_only_approved_applications_take_payments(company, manager):
    draft = ApplicationFactory(company=company)
    with pytest.raises(ValidationError):
        pay(draft, manager, "100", "TR-1")


def test_reviewers_and_staff_outside_the_managers_cannot_record_payments(approved, reviewer):
    from django.contrib.auth.models import Permission
    from django.core.exceptions import PermissionDenied

    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(
        Permission.objects.get(codename="add_payment", content_type__app_label="support")
    )
    for user in (reviewer, type(clerk).objects.get(pk=clerk.pk)):
        with pytest.raises(PermissionDenied):
            pay(approved, user, "100", "TR-1")
    assert not Payment.objects.exists()


def test_a_payment_cannot_be_edited_or_deleted_through_the_orm(approved, manager):
    payment = pay(approved, manager, "100", "TR-1")
    payment.amount = Decimal("1")
    with pytest.raises(FinalRecordError):
        payment.save()
    with pytest.raises(FinalRecordError):
        payment.delete()
    with pytest.raises(FinalRecordError):
        Payment.objects.filter(pk=payment.pk).update(amount=Decimal("1"))
    with pytest.raises(FinalRecordError):
        Payment.objects.all().delete()
    assert Payment.objects.get().amount == Decimal("100")


def test_the_database_refuses_changing_a_payment_or_paying_beyond_the_grant(approved, manager):
    if connection.vendor != "postgresql":
        skip_or_fail("the triggers exist on PostgreSQL (set DATABASE_URL)")
    payment = pay(approved, manager, "9000", "TR-1")
    for statement in (
        "UPDATE support_payment SET amount = 1 WHERE id = %s",
        "DELETE FROM support_payment WHERE id = %s",
    ):
        with (
            pytest.raises(IntegrityError, match="final"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [payment.pk])
    with pytest.raises(IntegrityError, match="paid"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO support_payment (application_id, amount, currency, paid_on, reference, created_at)"
            " VALUES (%s, 1000.01, 'EUR', CURRENT_DATE, 'RAW-1', now())",
            [approved.pk],
        )
    assert Payment.objects.get().amount == Decimal("9000")


def test_the_admin_payment_form_records_an_instalment_and_shows_the_payments(client_for, approved, manager):
    client = client_for(manager)
    url = f"/admin/support/application/{approved.pk}/payment/"
    page = client.get(url, headers={"accept-language": "en"})
    assert page.status_code == 200
    week_ago = timezone.localdate() - timedelta(days=7)
    response = client.post(url, {"amount": "۲٬۵۰۰", "paid_on": week_ago.isoformat(), "reference": "TR-77"})
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.reference, payment.paid_on) == (Decimal("2500"), "TR-77", week_ago)
    change = client.get(
        f"/admin/support/application/{approved.pk}/change/", headers={"accept-language": "en"}
    ).content.decode()
    assert "TR-77" in change
    assert "2,500\u00a0EUR of 10,000\u00a0EUR" in re.sub(r"<[^>]+>", "", change)
    assert 'name="_save"' not in change  # decided: read-only, no Save button


def test_the_admin_payment_form_refuses_more_than_the_grant_on_the_amount_field(
    client_for, approved, manager
):
    response = client_for(manager).post(
        f"/admin/support/application/{approved.pk}/payment/",
        {"amount": "10001", "paid_on": timezone.localdate().isoformat(), "reference": "TR-77"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "Only 10,000.00 EUR of the grant is left to pay" in response.content.decode()
    assert not Payment.objects.exists()
    persian = client_for(manager).post(
        f"/admin/support/application/{approved.pk}/payment/",
        {
            "amount": "۱۰٬۰۰۱",
            "paid_on": jdatetime.date.fromgregorian(date=timezone.localdate()).strftime("%Y/%m/%d"),
            "reference": "TR-77",
        },
        headers={"accept-language": "fa"},
    )
    assert "۱۰٬۰۰۰٫۰۰ EUR" in persian.content.decode()  # what is left, in the reader's digits


def test_the_payment_form_says_why_an_application_not_approved_takes_no_payment(client_for, company, manager):
    draft = ApplicationFactory(company=company)
    content = (
        client_for(manager)
        .get(f"/admin/support/application/{draft.pk}/payment/", headers={"accept-language": "en"})
        .content.decode()
    )
    assert "Only approved applications that are not fully paid take payments." in content
    assert 'name="amount"' not in content


def test_the_payment_form_is_refused_to_a_reviewer(client_for, approved, reviewer):
    Application.objects.filter(pk=approved.pk).update(assigned_reviewer=reviewer)
    response = client_for(reviewer).post(
        f"/admin/support/application/{approved.pk}/payment/",
        {"amount": "10", "paid_on": timezone.localdate().isoformat(), "reference": "TR-77"},
    )
    assert response.status_code == 403
    assert not Payment.objects.exists()


def test_the_admin_action_records_a_payment_of_today(client_for, approved, manager):
    from tests.support.test_admin_actions import act

    act(client_for(manager), "record_payment", approved, amount="10000", note="TR-9")
    approved.refresh_from_db()
    assert approved.status == Status.PAID
    assert Payment.objects.get().paid_on == timezone.localdate()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("role_groups")
def test_two_simultaneous_payments_never_pay_more_than_the_grant(company):
    if connection.vendor != "postgresql":
        skip_or_fail("the race needs PostgreSQL's row locks (set DATABASE_URL)")
    approved = approved_weeks_ago(company=company)
    managers = [UserFactory(is_staff=True, roles=[Role.PROGRAMME_MANAGER]) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def record(manager, reference) -> None:  # noqa: ANN001
        try:
            barrier.wait(timeout=10)
            pay(approved, manager, "6000", reference)
            outcomes.append("paid")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=(m, f"TR-{i}")) for i, m in enumerate(managers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["paid", "refused"]
    approved.refresh_from_db()
    assert approved.paid_total() == Decimal("6000")
    assert approved.status == Status.APPROVED


# --- a conflicted manager neither records payments nor closes ---------------------------------
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


# --- the payment action takes one application ---------------------------------------------------
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


# --- a payment notice, not a "new status" ------------------------------------------------------
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


# --- dates ------------------------------------------------------------------------------------
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
