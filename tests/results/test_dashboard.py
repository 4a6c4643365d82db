"""The export results in the admin: who opens the page and its downloads, what they show in
both languages, the filters, and what they cost."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from portal.permissions import Role
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/admin/results/"
CSV = "/admin/results/download/country.csv"
XLSX = "/admin/results/download/results.xlsx"


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@centre.example", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("url", [PAGE, CSV, XLSX])
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 302), ("company_member", 302), ("broker_member", 302), ("reviewer", 403),
        ("manager", 200), ("superuser", 200),
    ],
)  # fmt: skip
def test_only_programme_managers_open_the_results_and_their_downloads(
    request, client_for, url, persona, expected
):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/admin/login/")


def test_staff_without_the_second_factor_are_sent_to_it(client_for, manager):
    response = client_for(manager, verified=False).get(PAGE)
    assert response.status_code == 302
    assert "two-factor" in response["Location"] or "/admin/login/" in response["Location"]


def test_the_results_are_never_written_to(client_for, manager):
    assert client_for(manager).post(PAGE).status_code == 405


def test_the_dashboard_shows_the_figures_in_persian(world, client_for, manager):
    response = client_for(manager).get(PAGE, HTTP_ACCEPT_LANGUAGE="fa")
    page = response.content.decode()
    assert response.status_code == 200
    assert "۷٬۰۰۰٫۰۰" in page  # 7,000.00 contracted in Persian digits
    assert "۱٬۸۰۰٫۰۰" in page  # 1,800.00 paid
    assert "ارزش صادرات بر حسب کشور مقصد" in page
    assert world.alpha.name_fa in page
    assert world.pars.name_fa in page
    assert 'id="results-data"' in page
    assert "<script>" not in page


def test_the_dashboard_is_fully_english_in_english(world, client_for, manager):
    client = client_for(manager)
    client.cookies["portal_language"] = "en"
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Export value by destination country" in page
    assert "7,000.00" in page
    assert "1,800.00" in page
    assert world.alpha.name_en in page
    assert "ارزش" not in page


def test_the_filters_narrow_the_page_and_take_persian_digits(world, client_for, manager):
    client = client_for(manager)
    page = client.get(PAGE, {"programme": world.fairs.pk}).content.decode()
    assert "۱٬۰۰۰٫۰۰" in page
    assert "۷٬۰۰۰٫۰۰" not in page
    jalali = client.get(PAGE, {"start": "۱۴۰۰/۰۱/۰۱", "end": "۱۴۹۹/۱۲/۲۹"}).content.decode()
    assert "۷٬۰۰۰٫۰۰" in jalali


def test_bad_filters_are_explained_and_kept(world, client_for, manager):
    response = client_for(manager).get(PAGE, {"start": "1405/13/40", "end": "2026-01-01", "country": "x"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="errornote"') >= 2
    assert 'value="1405/13/40"' in page


def test_an_end_before_the_start_is_refused(world, client_for, manager):
    page = client_for(manager).get(PAGE, {"start": "2026-02-01", "end": "2026-01-01"}).content.decode()
    assert "پایان دوره" in page


def test_the_dashboard_costs_the_same_queries_with_more_deals(
    world, client_for, manager, settings, monkeypatch
):
    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr("results.figures.FIGURES_SECONDS", 0)
    client = client_for(manager)
    client.get(PAGE)  # sessions, permissions and the like settle
    with CaptureQueriesContext(connection) as before:
        assert client.get(PAGE).status_code == 200
    from deals import services
    from tests.deals.factories import open_direct
    from tests.products.factories import ProductFactory

    member = world.deals["D3"].created_by
    for country in (world.iraq, world.afghanistan):
        deal = open_direct(member, ProductFactory(company=world.beta), country, quantity=5, unit_price="3.00")
        services.deal_contract(deal=deal, by=member)
    with CaptureQueriesContext(connection) as after:
        assert client.get(PAGE).status_code == 200
    assert len(after) == len(before)
    assert len(before) <= 24


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_holds_the_table_with_the_filters_applied(world, client_for, manager):
    client = client_for(manager)
    response = client.get(CSV)
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0] == [
        "کشور مقصد",
        "قراردادها",
        "ارزش قراردادها (دلار)",
        "معاملات پرداخت‌شده",
        "ارزش دریافتی (دلار)",
        "شرکت‌ها",
    ]
    assert rows[1:] == [
        [world.iraq.name_fa, "2", "6000.00", "2", "1800.00", "1"],
        [world.afghanistan.name_fa, "1", "1000.00", "0", "0.00", "1"],
    ]
    filtered = read_csv(client.get(CSV, {"country": world.afghanistan.pk}))
    assert [row[0] for row in filtered[1:]] == [world.afghanistan.name_fa]


def test_the_csv_headers_follow_the_language(world, client_for, manager):
    client = client_for(manager)
    client.cookies["portal_language"] = "en"
    rows = read_csv(client.get("/admin/results/download/funnel.csv", HTTP_ACCEPT_LANGUAGE="en"))
    assert rows == [
        ["Step", "Count", "Of the previous step (%)"],
        ["Offers published", "2", ""], ["Responses", "3", "150.0"],
        ["Shortlisted", "2", "66.7"], ["Accepted", "1", "50.0"], ["Deals opened", "1", "100.0"],
        ["Shipped", "1", "100.0"], ["Paid", "1", "100.0"],
    ]  # fmt: skip


def test_an_unknown_table_is_not_found(client_for, manager):
    assert client_for(manager).get("/admin/results/download/secrets.csv").status_code == 404


def test_the_workbook_has_every_table_with_numbers_as_numbers(world, client_for, manager):
    response = client_for(manager).get(XLSX, {"programme": world.masks_abroad.pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 8
    countries = book.worksheets[0]
    assert countries.sheet_view.rightToLeft
    values = list(countries.values)
    assert values[1][0] == "کشور مقصد"
    assert values[2] == (world.iraq.name_fa, 2, 6000, 2, 1800, 1)
    assert isinstance(values[2][2], (int, float))
    assert len(values) == 3
    programmes = list(book.worksheets[5].values)
    assert programmes[2] == (world.masks_abroad.name_fa, "USD", 1, 10000, 1800, 0.18)


def test_a_reviewer_cannot_download_even_with_the_address(world, client_for, db):
    reviewer = UserFactory(is_staff=True, roles=[Role.REVIEWER])
    for url in (CSV, XLSX):
        assert client_for(reviewer).get(url).status_code == 403


def test_the_figures_are_cached_until_a_deal_changes(world, client_for, manager, settings):
    settings.PAGE_CACHE_SECONDS = 0  # the figures' own cache, not the page's
    client = client_for(manager)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as cached:
        client.get(PAGE)
    with CaptureQueriesContext(connection) as fresh:
        client.get(PAGE, {"country": world.iraq.pk})  # another filter: computed
    assert len(fresh) >= len(cached) + 14
    from tests.deals.factories import pay

    pay(world.deals["D3"], world.deals["D3"].created_by, amount="250")
    page = client.get(PAGE).content.decode()
    assert "۲٬۰۵۰٫۰۰" in page  # 1,800 + 250 paid: the payment made the figures fresh


def test_the_programme_dashboard_and_the_applications_list_link_to_the_results(client_for, manager):
    client = client_for(manager)
    for url in ("/admin/support/application/dashboard/", "/admin/support/application/"):
        assert f'href="{PAGE}"' in client.get(url).content.decode()


def test_a_name_a_spreadsheet_would_run_is_written_as_text():
    """A company named like a formula reaches the CSV and the workbook as plain text."""
    from decimal import Decimal

    from results.tables import plain

    assert plain('=HYPERLINK("http://x.example","go")') == '\'=HYPERLINK("http://x.example","go")'
    assert plain("+98 21 1234") == "'+98 21 1234"
    assert plain(Decimal("-12.50")) == Decimal("-12.50")  # numbers stay numbers
    assert plain("Alpha Medical") == "Alpha Medical"
    assert plain(None) == ""
