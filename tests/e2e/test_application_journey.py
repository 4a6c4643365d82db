"""A company member applies and submits; a reviewer scores the application in the admin; a
manager approves it; the company sees the approval in its timeline and its notifications."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from support.models import Application, Status
from tests.companies.factories import PDF_BYTES
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import ProductFactory
from tests.support.factories import DocumentTypeFactory, ProgramFactory
from tests.two_factor import admin_log_in, totp_device

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


def test_application_from_draft_to_approval(
    new_page, company, company_member, reviewer, manager, password, tmp_path
):
    TargetCountryFactory(iso_code="IQ", name_fa="عراق", name_en="Iraq")
    ProductFactory(company=company, name_fa="ماسک N95 آلفا", name_en="Alpha N95")
    program = ProgramFactory(name_fa="یارانه حمل", name_en="Shipping subsidy")
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
    expect(member.locator(".application-draft")).to_be_visible()
    member.select_option("#id_document_type", label="پیش‌فاکتور")
    member.set_input_files("#id_file", str(proforma))
    member.locator("form[action$='/documents/'] button").click()
    member.locator("form[action$='/submit/'] button").click()
    expect(member.locator(".page-head .status-badge")).to_have_class(re.compile("application-under_review"))
    application = Application.objects.get()
    assert re.fullmatch(r"EXP-14\d\d-\d{6}", application.reference)
    assert application.assigned_reviewer == reviewer

    desk = new_page("en-US")
    admin_log_in(desk, reviewer, password)
    desk.goto(f"/admin/support/application/{application.pk}/change/")
    desk.get_by_role("link", name="Score this application").click()
    for field in desk.locator("input[name^=score_]").all():
        field.fill("8")
    desk.select_option("#id_recommendation", "approve")
    desk.fill("#id_comment", "Credible buyer and broker")
    desk.locator("input[type=submit]").click()
    expect(desk.locator(".messagelist")).to_contain_text("Your review is recorded")

    boss = new_page("en-US")
    totp_device(manager)  # the manager set up an authenticator app on an earlier day
    admin_log_in(boss, manager, password)
    boss.goto("/admin/support/application/?status__exact=under_review")
    boss.locator("input.action-select").first.check()
    boss.select_option("select[name=action]", "approve")
    boss.fill("input[name=amount]", "12000")
    boss.fill("input[name=note]", "Approved at 80%")
    boss.locator("button[name=index]").click()
    expect(boss.locator(".messagelist")).to_contain_text("1 applications updated")
    application.refresh_from_db()
    assert application.status == Status.APPROVED

    member.goto(f"/fa/support/applications/{application.pk}/")
    expect(member.locator(".timeline")).to_contain_text("Approved at 80%")
    expect(member.locator(".alert-success")).to_contain_text("۱۲٬۰۰۰")
    member.goto("/fa/notifications/")
    expect(member.locator(".list-group-item").first).to_contain_text(application.reference)
