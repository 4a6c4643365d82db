"""The Persian admin in a browser: what Django's own scripts write (the action bar's counter as rows
are ticked, the selection boxes of filter_horizontal) reads in Persian, with Persian digits."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.portal.factories import TargetCountryFactory
from tests.support.factories import ApplicationFactory
from tests.two_factor import admin_log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


def test_djangos_scripts_count_in_persian_digits(new_page, manager, password):
    for _ in range(3):
        ApplicationFactory()
    page = new_page("fa-IR")
    admin_log_in(page, manager, password, next_url="/admin/support/application/")
    counter = page.locator(".actions .action-counter")
    expect(counter).to_have_text("۰ از ۳ انتخاب شده‌اند")
    page.locator("input.action-select").first.check()
    expect(counter).to_have_text("۱ از ۳ انتخاب شده‌اند")
    page.locator("#action-toggle").check()
    expect(counter).to_have_text("۳ از ۳ انتخاب شده‌اند")

    # The selection boxes: their texts in Persian, the count of chosen rows a filter hides too.
    TargetCountryFactory(iso_code="IQ", name_fa="عراق", name_en="Iraq")
    TargetCountryFactory(iso_code="OM", name_fa="عمان", name_en="Oman")
    page.goto("/admin/support/supportprogram/add/")
    expect(page.locator("#id_eligible_countries_add_all")).to_contain_text("انتخاب همهٔ")
    page.locator("#id_eligible_countries_add_all").click()
    page.locator("#id_eligible_countries_selected_input").press_sequentially("xyz")  # filters on keyup
    expect(page.locator("#id_eligible_countries_list-footer-display-text")).to_have_text(
        "۲ گزینهٔ انتخاب‌شده دیده نمی‌شوند"
    )
