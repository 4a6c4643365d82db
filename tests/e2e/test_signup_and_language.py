from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.models import User
from tests.e2e.conftest import confirm_signup

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


def test_visitor_signs_up_logs_out_logs_in_and_switches_language(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/fa/$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    page.get_by_role("link", name="ثبت‌نام").first.click()
    page.get_by_label("نام و نام خانوادگی").fill("نرگس حسینی")
    page.get_by_label("نشانی ایمیل").fill("narges@example.com")
    page.get_by_label("تلفن همراه").fill("۰۹۱۲۳۴۵۶۷۸۹")
    page.get_by_label(re.compile("^گذرواژه")).fill("Sun-flower-1405")
    page.get_by_label("تکرار گذرواژه").fill("Sun-flower-1406")  # a typo first
    page.get_by_role("button", name="ثبت‌نام").click()
    expect(page.locator("#id_password2_error")).to_be_visible()
    expect(page.get_by_label("نام و نام خانوادگی")).to_have_value("نرگس حسینی")  # nothing lost
    page.get_by_label(re.compile("^گذرواژه")).fill("Sun-flower-1405")
    page.get_by_label("تکرار گذرواژه").fill("Sun-flower-1405")
    page.get_by_role("button", name="ثبت‌نام").click()
    expect(page).to_have_url(re.compile(r"/fa/accounts/signup/sent/$"))
    expect(page.get_by_text("narges@example.com")).to_be_visible()
    confirm_signup(page, "narges@example.com")

    expect(page).to_have_url(re.compile(r"/fa/$"))
    expect(page.get_by_role("button", name="نرگس")).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_text("۱")  # the welcome notification
    assert User.objects.get().phone == "09123456789"

    page.get_by_role("button", name="نرگس").click()
    page.get_by_role("button", name="خروج").click()
    expect(page.get_by_role("link", name="ورود").first).to_be_visible()

    page.get_by_role("link", name="ورود").first.click()
    page.get_by_label("نشانی ایمیل").fill("NARGES@example.com")
    page.get_by_label("گذرواژه").fill("Sun-flower-1405")
    page.locator("main").get_by_role("button", name="ورود").click()
    expect(page.get_by_role("button", name="نرگس")).to_be_visible()

    page.get_by_test_id("switch-language").click()
    expect(page).to_have_url(re.compile(r"/en/$"))
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("link", name="Target countries").first).to_be_visible()
    assert User.objects.get().preferred_language == "en"

    page.get_by_role("link", name=re.compile(r"^Notifications \(1 unread\)")).click()
    # Written in Persian at sign-up, shown in the reader's language now.
    expect(page.get_by_text("Welcome to the Export Support Portal")).to_be_visible()
