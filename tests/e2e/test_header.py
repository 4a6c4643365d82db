"""The header's menu stays one row on a laptop screen, in Persian and in English, for a company
member (who sees the most items); below 1200px it folds behind the toggler."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


def _spread_of_menu(page) -> float:
    """How far apart (in pixels) the vertical centres of the header's menu items and controls are:
    a few pixels on one row, a row's height or more when they wrap."""
    centres = page.evaluate(
        """() => [...document.querySelectorAll('#mainNav .nav-link, #mainNav .btn')]
              .filter(e => e.offsetParent !== null)
              .map(e => { const r = e.getBoundingClientRect(); return (r.top + r.bottom) / 2; })"""
    )
    return max(centres) - min(centres)


@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("width", [1280, 1366, 1920])
def test_the_menu_is_one_row_on_a_laptop(new_page, company_member, password, language, width, tmp_path):
    page = new_page("fa-IR" if language == "fa" else "en-US")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/{language}/accounts/login/")
    page.fill("#id_username", company_member.email)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.goto(f"/{language}/products/")
    page.screenshot(path=tmp_path / f"header-{language}-{width}.png")
    labels = page.locator("#mainNav .nav-link").all_inner_texts()
    assert len(labels) >= 7  # catalog, companies, brokers, offers, countries, support, inbox
    assert all("\n" not in label.strip() for label in labels), labels  # no item breaks over lines
    assert _spread_of_menu(page) < 12
    assert page.locator(".site-header").bounding_box()["height"] < 90


def test_below_1200px_the_menu_folds(new_page):
    page = new_page("fa-IR")
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto("/fa/")
    assert page.locator(".navbar-toggler").is_visible()
    assert not page.locator("#mainNav .nav-link").first.is_visible()
