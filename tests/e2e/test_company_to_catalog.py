"""A company member goes from sign-up to a published product; a manager verifies the company in
the admin; a visitor finds the product in the catalog by a Persian word."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from companies.models import Company
from products.models import Product
from tests.companies.factories import PDF_BYTES
from tests.e2e.conftest import confirm_signup
from tests.products.factories import CategoryFactory, png_bytes
from tests.two_factor import admin_log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


def test_company_member_publishes_manager_verifies_visitor_finds(new_page, manager, password, tmp_path):
    CategoryFactory(slug="masks", name_fa="ماسک و رسپیراتور", name_en="Masks and respirators")
    certificate = tmp_path / "kb-certificate.pdf"
    certificate.write_bytes(PDF_BYTES)
    photo = tmp_path / "mask.png"
    photo.write_bytes(png_bytes((640, 480)))

    member = new_page("fa-IR")
    member.goto("/fa/accounts/signup/")
    member.fill("#id_full_name", "نرگس حسینی")
    member.fill("#id_email", "narges@breath.example")
    member.fill("#id_password1", "Sun-flower-1405")
    member.fill("#id_password2", "Sun-flower-1405")
    member.locator("main form button[type=submit]").click()
    expect(member).to_have_url(re.compile(r"/fa/accounts/signup/sent/$"))
    confirm_signup(member, "narges@breath.example")
    expect(member).to_have_url(re.compile(r"/fa/$"))

    member.goto("/fa/companies/register/")
    member.fill("#id_name_fa", "شرکت نوآوران تنفس")
    member.fill("#id_name_en", "Breath Innovators")
    member.fill("#id_national_id", "۱۰۱۰۰۳۸۷۴۴۵")
    member.select_option("#id_company_type", "private_joint_stock")
    member.fill("#id_certificate_number", "KB-1404-77")
    member.fill("#id_certificate_expiry", "۱۴۰۸/۱۲/۲۹")  # Jalali, Persian digits
    member.set_input_files("#id_certificate_file", str(certificate))
    member.select_option("#id_province", "tehran")
    member.fill("#id_city", "تهران")
    member.fill("#id_address", "خیابان انقلاب، پلاک ۱۰")
    member.fill("#id_phone", "۰۲۱۶۶۰۰۰۰۰۰")
    member.locator("main form button[type=submit]").click()
    expect(member).to_have_url(re.compile(r"/fa/companies/mine/$"))
    expect(member.locator(".status-badge")).to_have_class(re.compile("status-pending"))

    member.goto("/fa/products/new/")
    member.fill("#id_name_fa", "ماسک سه‌لایه تنفس‌یار")
    member.fill("#id_name_en", "Tanafos-Yar three-ply mask")
    member.select_option("#id_category", label="ماسک و رسپیراتور")
    member.fill("#id_hs_code", "۶۳۰۷۹۰")
    member.fill("#id_description_fa", "ماسک پزشکی سه‌لایه با فیلتر ملت‌بلون")
    member.fill("#id_description_en", "Three-ply medical mask")
    member.fill("#id_monthly_capacity", "۵۰۰۰۰۰")
    member.fill("#id_minimum_order", "۱۰۰۰۰")
    member.fill("#id_fob_price", "۰٫۰۶")
    member.fill("#id_lead_time_days", "۱۴")
    member.set_input_files("#id_image", str(photo))
    member.locator("main form[enctype] button[type=submit]").first.click()
    expect(member).to_have_url(re.compile(r"/fa/products/\d+/edit/$"))
    member.locator("form[action$='/publish/'] button").click()
    expect(member.locator(".alert")).to_contain_text("احراز")  # public once the company is verified
    product = Product.objects.get()
    assert product.status == Product.Status.PUBLISHED
    assert product.thumbnail

    visitor = new_page("fa-IR")
    visitor.goto("/fa/products/?q=تنفس‌یار")
    expect(visitor.locator(".product-card")).to_have_count(0)  # not public before verification

    admin = new_page("en-US")
    admin_log_in(admin, manager, password, next_url="/admin/companies/company/")
    admin.get_by_role("link", name="Pending verification").click()
    admin.locator("input.action-select").first.check()
    admin.select_option("select[name=action]", "verify")
    admin.fill("input[name=note]", "Certificate checked with the registry")
    admin.locator("button[name=index]").click()
    expect(admin.locator(".messagelist")).to_contain_text("1 company updated")
    assert Company.objects.get().status == Company.Status.VERIFIED

    visitor.goto("/fa/products/")
    visitor.fill("input[name=q]", "تنفس‌یار")
    visitor.locator("form[role=search] button[type=submit]").click()
    expect(visitor.locator(".product-card")).to_have_count(1)
    visitor.locator(".product-card a.stretched-link").click()
    expect(visitor.locator("h1")).to_have_text("ماسک سه‌لایه تنفس‌یار")
    expect(visitor.locator("body")).to_contain_text("شرکت نوآوران تنفس")

    member.goto("/fa/notifications/")
    expect(member.locator(".list-group")).to_contain_text("شرکت نوآوران تنفس")
