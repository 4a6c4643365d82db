"""A broker signs up and is approved, publishes an offer; a company member answers it; the
broker accepts; each side sees its notification."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from brokers.models import Broker, OfferResponse
from tests.brokers.factories import ServiceTypeFactory
from tests.companies.factories import PDF_BYTES
from tests.e2e.conftest import confirm_signup
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import CategoryFactory, ProductFactory
from tests.two_factor import admin_log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


def test_broker_publishes_company_responds_broker_accepts(
    new_page, manager, company, company_member, password, tmp_path
):
    TargetCountryFactory(iso_code="IQ", name_fa="عراق", name_en="Iraq")
    ServiceTypeFactory(slug="logistics", name_en="Logistics")
    masks = CategoryFactory(slug="masks", name_fa="ماسک و رسپیراتور", name_en="Masks and respirators")
    ProductFactory(company=company, category=masks, name_en="Alpha N95", name_fa="ماسک N95 آلفا")
    licence = tmp_path / "licence.pdf"
    licence.write_bytes(PDF_BYTES)

    broker = new_page("en-US")
    broker.goto("/en/accounts/signup/")
    broker.get_by_label("Full name").fill("Reza Moradi")
    broker.get_by_label("E-mail address").fill("reza@tigris.example")
    broker.get_by_label("Preferred language").select_option("en")
    broker.get_by_label(re.compile("^Password")).first.fill("Sun-flower-1405")
    broker.get_by_label("Password confirmation").fill("Sun-flower-1405")
    broker.locator("main form button[type=submit]").click()
    expect(broker).to_have_url(re.compile(r"/en/accounts/signup/sent/$"))
    confirm_signup(broker, "reza@tigris.example")
    expect(broker).to_have_url(re.compile(r"/en/$"))
    broker.goto("/en/brokers/register/")
    broker.get_by_label("Name (Persian)").fill("کارگزاری دجله")
    broker.get_by_label("Name (English)").fill("Tigris Brokers")
    broker.get_by_label("Export broker licence number").fill("EB-1404-99")
    broker.get_by_label("Licence (PDF or image)").set_input_files(str(licence))
    broker.get_by_label("Licence valid until").fill("2030-06-30")
    broker.get_by_label("Logistics").check()
    broker.get_by_label("Iraq").check()
    broker.get_by_label("Arabic").check()
    broker.get_by_label(re.compile(r"^Phone")).fill("021 8800 0000")
    broker.get_by_label("Public e-mail address").fill("desk@tigris.example")
    broker.get_by_role("button", name="Register the brokerage").click()
    expect(broker.locator(".status-badge")).to_have_text("Pending approval")
    expect(broker.get_by_role("link", name="New offer")).to_have_count(0)

    admin = new_page("en-US")
    admin_log_in(admin, manager, password, next_url="/admin/brokers/broker/")
    admin.locator("input.action-select").first.check()
    admin.select_option("select[name=action]", "approve")
    admin.locator("button[name=index]").click()
    expect(admin.locator(".messagelist")).to_contain_text("1 brokerage updated")
    assert Broker.objects.get().status == Broker.Status.APPROVED

    broker.reload()
    broker.get_by_role("link", name="New offer").click()
    broker.get_by_label("Buyer demand").check()
    broker.get_by_label("Target country").select_option(label="Iraq")
    broker.get_by_label("Deadline").fill("2030-06-30")
    broker.get_by_label("Masks and respirators").check()
    broker.get_by_label("Title (Persian)").fill("نیاز بیمارستان بصره به ماسک N95")
    broker.get_by_label("Title (English)").fill("Basra hospital needs N95 masks")
    broker.get_by_label("Description (Persian)").fill("۲۰۰ هزار ماسک N95")
    broker.get_by_label("Description (English)").fill("200,000 N95 masks")
    broker.get_by_label("Quantity", exact=True).fill("200000")
    broker.get_by_label("Unit", exact=True).select_option("piece")
    broker.get_by_role("button", name="Publish offer").click()
    expect(broker.locator("h1")).to_have_text("Basra hospital needs N95 masks")

    member = new_page("fa-IR")
    member.goto("/fa/accounts/login/")
    member.fill("#id_username", company_member.email)
    member.fill("#id_password", password)
    member.locator("main form button[type=submit]").click()
    member.goto("/fa/notifications/")
    expect(member.locator(".list-group")).to_contain_text("نیاز بیمارستان بصره")
    member.locator(".list-group form button").first.click()
    expect(member.locator("h1")).to_have_text("نیاز بیمارستان بصره به ماسک N95")
    member.get_by_label("ماسک N95 آلفا").check()
    member.fill("#id_unit_price", "۰٫۴۵")
    member.fill("#id_quantity", "۲۰۰۰۰۰")
    member.fill("#id_lead_time_days", "۳۰")
    member.locator("form[action$='/respond/'] button[type=submit]").click()
    expect(member.locator(".alert-success")).to_be_visible()

    broker.goto("/en/notifications/")
    expect(broker.locator(".list-group")).to_contain_text("New response from")
    broker.goto(f"/en/offers/{OfferResponse.objects.get().offer_id}/")
    broker.get_by_role("button", name="Accept").click()
    expect(broker.locator(".response-item .status-badge")).to_have_text("Accepted")

    member.goto("/fa/responses/mine/")
    expect(member.locator("tbody .status-badge")).to_have_text("پذیرفته‌شده")
    member.goto("/fa/notifications/")
    expect(member.locator(".list-group")).to_contain_text("پذیرفته")
