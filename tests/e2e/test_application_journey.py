"""A company member applies and submits to a programme that asks two reviews at this amount; a
panel of two reviewers is seated; the manager moves one seat to a third reviewer with a note; both
panel members score the application in the admin (confirming no conflict of interest); the manager
sees the combined score and approves; the company sees the approval in its timeline and its
notifications, but not who reviewed it."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from portal.permissions import Role
from support.models import Application, Status
from tests.companies.factories import PDF_BYTES
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import ProductFactory
from tests.support.factories import DocumentTypeFactory, ProgramFactory
from tests.two_factor import admin_log_in, totp_device

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


def test_application_from_draft_to_approval(
    new_page, company, company_member, reviewer, manager, password, tmp_path
):
    TargetCountryFactory(iso_code="IQ", name_fa="عراق", name_en="Iraq")
    ProductFactory(company=company, name_fa="ماسک N95 آلفا", name_en="Alpha N95")
    program = ProgramFactory(
        name_fa="یارانه حمل",
        name_en="Shipping subsidy",
        panel_from_amount=Decimal("10000"),
        panel_reviews_required=2,
    )
    zahra = UserFactory(
        email="zahra@centre.example", full_name="Zahra Mousavi", is_staff=True, roles=[Role.REVIEWER]
    )
    hamid = UserFactory(
        email="hamid@centre.example", full_name="Hamid Sadeghi", is_staff=True, roles=[Role.REVIEWER]
    )
    program.required_documents.add(
        DocumentTypeFactory(slug="proforma", name_fa="پیش‌فاکتور", name_en="Proforma")
    )
    proforma = tmp_path / "proforma.pdf"
    proforma.write_bytes(PDF_BYTES)

    member = new_page("fa-IR")
    member.goto("/fa/accounts/login/")
    member.fill("#id_username", company_member.email)
    member.fill("#id_password", password)
    member.locator("main form button[type=submit]").click()
    member.goto("/fa/support/programmes/")
    member.get_by_role("link", name=re.compile("یارانه حمل")).click()
    member.locator("a[href$='/apply/']").click()
    member.get_by_label("ماسک N95 آلفا").check()
    member.get_by_label("عراق").check()
    member.fill("#id_requested_amount", "۱۵٬۰۰۰")
    member.fill("#id_justification", "حمل ۵۰۰ هزار ماسک به بصره")
    member.locator("main form button[type=submit]").click()
    expect(member.locator(".page-head .status-badge.status-draft")).to_be_visible()
    member.select_option("#id_document_type", label="پیش‌فاکتور")
    member.set_input_files("#id_file", str(proforma))
    member.locator("form[action$='/documents/'] button").click()
    member.locator("form[action$='/submit/'] button").click()
    expect(member.locator(".page-head .status-badge")).to_have_class(re.compile("status-under_review"))
    application = Application.objects.get()
    assert re.fullmatch(r"EXP-14\d\d-\d{6}", application.reference)
    assert application.assigned_reviewer == reviewer
    assert set(application.assignments.values_list("reviewer__email", flat=True)) == {
        reviewer.email,
        zahra.email,
    }

    # The manager moves Zahra's seat to Hamid, with the reason.
    boss = new_page("en-US")
    totp_device(manager)  # the manager set up an authenticator app on an earlier day
    admin_log_in(boss, manager, password)
    boss.goto(f"/admin/support/application/{application.pk}/change/")
    boss.locator("a.reassign-link").click()
    boss.select_option("#id_replacing", label="Zahra Mousavi")
    boss.select_option("#id_reviewer", label="Hamid Sadeghi")
    boss.fill("#id_note", "Zahra is at the Baghdad fair this week")
    boss.locator("form.reassign-form input[type=submit]").click()
    expect(boss.locator(".messagelist")).to_contain_text("The application is reassigned")
    expect(boss.locator("#events-group")).to_contain_text("Zahra is at the Baghdad fair this week")

    # Both panel members score it, each confirming they have no conflict of interest.
    for person, score in ((reviewer, "8"), (hamid, "6")):
        desk = new_page("en-US")
        admin_log_in(desk, person, password)
        desk.goto(f"/admin/support/application/{application.pk}/change/")
        desk.get_by_role("link", name="Score this application").click()
        for field in desk.locator("input[name^=score_]").all():
            field.fill(score)
        desk.select_option("#id_recommendation", "approve")
        desk.fill("#id_comment", "Credible buyer and broker")
        desk.locator("input[type=submit]").click()
        expect(desk.locator(".errorlist")).to_contain_text("no conflict of interest")  # not confirmed yet
        for field in desk.locator("input[name^=score_]").all():
            field.fill(score)
        desk.get_by_label("I have no conflict of interest").check()
        desk.locator("input[type=submit]").click()
        expect(desk.locator(".messagelist")).to_contain_text("Your review is recorded")

    boss.goto(f"/admin/support/application/{application.pk}/change/")
    expect(boss.locator(".combined-score")).to_have_text("7.00")
    boss.goto("/admin/support/application/?status__exact=under_review")
    boss.locator("input.action-select").first.check()
    boss.select_option("select[name=action]", "approve")
    boss.fill("input[name=amount]", "12000")
    boss.fill("input[name=note]", "Approved at 80%")
    boss.locator("button[name=index]").click()
    expect(boss.locator(".messagelist")).to_contain_text("1 application updated")
    application.refresh_from_db()
    assert application.status == Status.APPROVED

    member.goto(f"/fa/support/applications/{application.pk}/")
    # The manager's note as written, its figures in the reader's digits.
    expect(member.locator(".timeline")).to_contain_text("Approved at ۸۰%")
    expect(member.locator(".timeline")).not_to_contain_text(
        "Baghdad fair"
    )  # who reviews, and why, is internal
    expect(member.locator(".timeline")).not_to_contain_text("conflict")
    expect(member.locator(".alert-success")).to_contain_text("۱۲٬۰۰۰")
    member.goto("/fa/notifications/")
    expect(member.locator(".list-group-item").first).to_contain_text(application.reference)
