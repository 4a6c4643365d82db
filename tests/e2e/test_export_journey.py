"""From an accepted response to an export the centre counts: Reza (Pars, English) opens the deal
his offer's accepted response became, records the contract, the shipment with its papers and the
buyer's payment; Sara (Alpha Medical, Persian) cites that shipment in her application to a
programme that asks for a first shipment to a new country; the programme manager approves it in
the admin and finds the deal's value on the export results dashboard."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brokers.services import response_decide
from deals.models import Deal, Status
from support.models import Application
from support.models import Status as ApplicationStatus
from tests.brokers.factories import OfferFactory, OfferResponseFactory
from tests.companies.factories import PDF_BYTES
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import ProductFactory
from tests.support.factories import ProgramFactory, complete_reviews
from tests.two_factor import admin_log_in, totp_device

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


def log_in(page, user, password, language: str) -> None:
    page.goto(f"/{language}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()


def test_a_broker_takes_an_accepted_response_to_a_paid_deal_that_backs_an_approved_grant(
    new_page, brokerage, broker_member, company, company_member, reviewer, manager, password, tmp_path
):
    iraq = TargetCountryFactory(iso_code="IQ", name_fa="عراق", name_en="Iraq")
    mask = ProductFactory(company=company, name_fa="ماسک سه‌لایه", name_en="Three-ply mask")
    offer = OfferFactory(broker=brokerage, country=iraq, title_en="Basra hospital needs masks")
    response = OfferResponseFactory(
        offer=offer, company=company, created_by=company_member, unit_price=Decimal("0.40"), quantity=50000
    )
    response.products.set([mask])
    response_decide(response=response, status="accepted", by=broker_member)
    program = ProgramFactory(
        name_fa="یارانه نخستین صادرات", name_en="First export grant", evidence_rule="new_country"
    )
    papers = tmp_path / "invoice.pdf"
    papers.write_bytes(PDF_BYTES)

    # Reza opens the deal from the accepted response on his offer's page.
    broker = new_page("en-US")
    log_in(broker, broker_member, password, "en")
    broker.goto(f"/en/offers/{offer.pk}/")
    broker.locator(".response-item a[href*='/deals/new/from-response/']").click()
    broker.fill("#id_buyer_name", "Basra Teaching Hospital")
    broker.select_option("#id_buyer_type", "hospital")
    broker.select_option("#id_incoterm", "CIF")
    expect(broker.locator("#id_lines-0-quantity")).to_have_value("50000")
    broker.locator("main form button[type=submit]").click()
    expect(broker.locator("h1")).to_have_text(re.compile(r"DL-14\d\d-\d{6}"))
    deal = Deal.objects.get()
    assert (deal.broker, deal.company, deal.expected_value) == (brokerage, company, Decimal("20000.00"))

    # Contract, shipment with its papers, payment: each through the deal's page.
    broker.get_by_role("button", name="Contract signed").click()
    expect(broker.locator(".page-head .status-badge")).to_have_text("Contracted")
    broker.fill("#id_shipped_on", timezone.localdate().isoformat())
    broker.fill("#id_quantity", "50000")
    broker.fill("#id_declaration_number", "EXP-1405-7781")
    broker.set_input_files("#id_invoice", str(papers))
    broker.set_input_files("#id_transport_document", str(papers))
    broker.get_by_role("button", name="Record the shipment").click()
    expect(broker.locator(".page-head .status-badge")).to_have_text("Shipped")
    broker.fill("#id_amount", "20000")
    broker.fill("#id_received_on", timezone.localdate().isoformat())
    broker.get_by_role("button", name="Record the payment").click()
    expect(broker.locator(".page-head .status-badge")).to_have_text("Paid")
    expect(broker.locator(".timeline")).to_contain_text("50,000 units")
    deal.refresh_from_db()
    assert deal.status == Status.PAID

    # Sara sees the deal in Persian and cites its shipment in her application.
    member = new_page("fa-IR")
    log_in(member, company_member, password, "fa")
    member.goto(f"/fa/deals/{deal.pk}/")
    expect(member.locator(".page-head .status-badge")).to_have_text("پرداخت‌شده")
    expect(member.locator(".timeline")).to_contain_text("۵۰٬۰۰۰")
    member.goto(f"/fa/support/programmes/{program.pk}/apply/")
    member.get_by_label("ماسک سه‌لایه").check()
    member.locator(f"input[name=countries][value='{iraq.pk}']").check()
    member.fill("#id_requested_amount", "۵٬۰۰۰")
    member.fill("#id_justification", "نخستین محموله ماسک به بصره")
    member.locator("input[name=evidence][value^='s']").check()
    member.locator("main form button[type=submit]").click()
    expect(member.locator(".page-head .status-badge.status-draft")).to_be_visible()
    expect(member.locator("main")).to_contain_text("EXP-1405-7781")
    member.locator("form[action$='/submit/'] button").click()
    expect(member.locator(".page-head .status-badge")).to_have_class(re.compile("status-under_review"))
    application = Application.objects.get()
    cited = application.evidence.values_list("shipment__declaration_number", flat=True)
    assert list(cited) == ["EXP-1405-7781"]

    # Its reviewer scores it (the review pages have their own journey), then the programme manager
    # approves it in the admin and reads the export on the results dashboard.
    application.refresh_from_db()
    assert (application.status, application.assigned_reviewer) == (ApplicationStatus.UNDER_REVIEW, reviewer)
    complete_reviews(application, reviewer)
    boss = new_page("en-US")
    totp_device(manager)
    admin_log_in(boss, manager, password)
    boss.goto(f"/admin/support/application/{application.pk}/change/")
    expect(boss.locator("body")).to_contain_text("EXP-1405-7781")
    boss.goto("/admin/support/application/?status__exact=under_review")
    boss.locator("input.action-select").first.check()
    boss.select_option("select[name=action]", "approve")
    boss.fill("input[name=amount]", "5000")
    boss.fill("input[name=note]", "First shipment to Iraq")
    boss.locator("button[name=index]").click()
    expect(boss.locator(".messagelist")).to_contain_text("1 application updated")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED

    boss.goto("/admin/results/")
    countries = boss.locator("#results-country")
    expect(countries).to_contain_text(iraq.name_en)
    expect(countries).to_contain_text("20,000")
    expect(boss.locator("#results-broker")).to_contain_text(brokerage.name_en)
