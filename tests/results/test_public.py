"""The public results page: aggregate figures only, small cells hidden, cached, in the sitemap."""

from __future__ import annotations

from decimal import Decimal

import pytest

from deals import services
from results.aggregates import public_counts, public_figures, suppress
from results.views import rounded
from tests.deals.factories import open_direct, pay, ship
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db

URL = "/fa/results/"


def shipped_deal(member, company, country, category, *, paid: bool, unit_price="1.00", amount="200"):
    """A deal of 400 units, contracted and shipped whole, and paid `amount` if `paid`."""
    product = ProductFactory(company=company, category=category)
    deal = open_direct(member, product, country, quantity=400, unit_price=unit_price)
    services.deal_contract(deal=deal, by=member)
    ship(deal, member, quantity=400)
    if paid:
        pay(deal, member, amount=amount)
    return deal


@pytest.fixture
def three_in_iraq(world):
    """Beta and Gamma ship to Iraq too, paid 1,000 and 800 (three companies there: Alpha, with 1,800
    of the 3,600, does not dominate the value), Alpha and Gamma
    to Afghanistan (three there: Beta, Alpha, Gamma); Alpha alone ships to Oman."""
    beta_member = world.deals["D3"].created_by
    gamma_member = world.deals["D5"].created_by
    alpha_member = world.deals["D1"].created_by
    shipped_deal(beta_member, world.beta, world.iraq, world.masks, paid=True, amount="1000")
    shipped_deal(gamma_member, world.gamma, world.iraq, world.masks, paid=True, amount="800")
    shipped_deal(alpha_member, world.alpha, world.afghanistan, world.masks, paid=False)
    shipped_deal(gamma_member, world.gamma, world.afghanistan, world.masks, paid=True)
    oman = TargetCountryFactory(iso_code="OM", name_en="Oman", name_fa="عمان")
    shipped_deal(
        alpha_member, world.alpha, oman, world.ventilators, paid=True, unit_price="2500", amount="987654"
    )
    return oman


def test_suppression_hides_small_cells_and_one_more_when_one_alone_would_show():
    rows = [
        {"companies": 5, "paid_usd": Decimal(900), "shipped": 9, "paid": 5},
        {"companies": 3, "paid_usd": Decimal(100), "shipped": 3, "paid": 2},
        {"companies": 1, "paid_usd": Decimal(50), "shipped": 1, "paid": 1},
    ]
    done = suppress(rows)
    assert [row["hidden"] for row in done] == [False, True, True]
    assert done[1]["paid_usd"] is None
    assert done[2]["companies"] is None
    two_small = suppress(
        [
            {"companies": 4, "paid_usd": Decimal(10), "shipped": 4, "paid": 1},
            {"companies": 2, "paid_usd": Decimal(1), "shipped": 2, "paid": 0},
            {"companies": 1, "paid_usd": Decimal(1), "shipped": 1, "paid": 1},
        ]
    )
    assert [row["hidden"] for row in two_small] == [False, True, True]


def test_public_figures_by_country_count_companies_shipments_and_payments(world, three_in_iraq):
    rows = {row["key"]: row for row in public_counts("country")}
    iraq = rows[world.iraq.pk]
    # Iraq: D1, D2 (Alpha, paid 1,800), Beta's new deal (paid 1,000), Gamma's (paid 800)
    assert (iraq["shipped"], iraq["paid"], iraq["companies"], iraq["paid_usd"]) == (
        4,
        4,
        3,
        Decimal("3600.00"),
    )
    assert iraq["largest_usd"] == Decimal("1800.00")
    afghanistan = rows[world.afghanistan.pk]
    # Afghanistan: D3 (Beta), Alpha's and Gamma's new deals (Gamma's paid 200)
    assert (afghanistan["shipped"], afghanistan["paid"], afghanistan["companies"]) == (3, 1, 3)
    assert rows[three_in_iraq.pk]["companies"] == 1
    hidden = {row["key"]: row["hidden"] for row in public_figures("country")}
    # Oman: Alpha alone; Afghanistan: the smaller of the two left, or Oman's would be the difference
    assert hidden == {three_in_iraq.pk: True, world.afghanistan.pk: True, world.iraq.pk: False}


def test_the_public_page_shows_aggregates_and_never_a_small_cells_value(client, world, three_in_iraq):
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert world.iraq.name_fa in page
    assert "۴٬۰۰۰" in page  # Iraq's 3,600, rounded
    assert "۹۸۷" not in page
    assert "987" not in page
    assert world.alpha.name_fa not in page
    assert world.beta.name_fa not in page
    assert page.count("کم‌اند") >= 2  # Oman and Afghanistan are hidden
    assert "/fa/joint-brand/" in page


def test_the_page_is_in_english_too(client, world, three_in_iraq):
    page = client.get("/en/results/").content.decode()
    assert "Export results" in page
    assert world.iraq.name_en in page
    assert "Not shown (too few companies)" in page


def test_a_value_one_company_makes_up_mostly_is_not_shown_though_three_stand_behind_it(
    client, world, three_in_iraq
):
    """Alpha's Iraq deals grow to nearly all of Iraq's value: the cell (and, with it alone hidden,
    the next smallest) is not shown, nor the totals, which Alpha would then dominate too."""
    pay(world.deals["D1"], world.deals["D1"].created_by, amount="50000")
    rows = {row["key"]: row for row in public_figures("country")}
    assert rows[world.iraq.pk]["hidden"] is True
    assert rows[world.iraq.pk]["paid_usd"] is None
    page = client.get(URL).content.decode()
    assert "۵۳" not in page  # 53,600 in Iraq, 52,000 of it Alpha's
    assert "۵۴٬۰۰۰" not in page


def test_with_too_few_companies_nothing_is_shown_not_even_the_totals(client, world):
    page = client.get(URL).content.decode()
    assert "۱٬۸۰۰" not in page
    assert "۲٬۰۰۰" not in page
    assert page.count("کم‌اند") == 4  # two countries, two categories


def test_the_public_page_is_cached_and_a_payment_makes_it_fresh(client, world, three_in_iraq, settings):
    settings.PAGE_CACHE_SECONDS = 60
    assert client.get(URL)["X-Page-Cache"] == "miss"
    assert client.get(URL)["X-Page-Cache"] == "hit"
    member = world.deals["D3"].created_by
    pay(world.deals["D3"], member, amount="1000")
    assert client.get(URL)["X-Page-Cache"] == "miss"


def test_the_public_page_costs_the_same_queries_with_more_deals(
    client, world, three_in_iraq, settings, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_SECONDS = 0
    monkeypatch.setattr("results.figures.PUBLIC_SECONDS", 0)
    with CaptureQueriesContext(connection) as before:
        client.get(URL)
    shipped_deal(world.deals["D3"].created_by, world.beta, world.afghanistan, world.ventilators, paid=True)
    with CaptureQueriesContext(connection) as after:
        client.get(URL)
    assert len(before) == len(after) <= 8


def test_the_joint_brand_page_links_to_the_results(client, db):
    assert 'href="/fa/results/"' in client.get("/fa/joint-brand/").content.decode()


def test_the_results_page_is_in_the_sitemap_with_its_languages(client, db):
    sitemap = client.get("/sitemap-results.xml").content.decode()
    assert "https://portal.test/fa/results/" in sitemap or "/fa/results/" in sitemap
    assert 'hreflang="en"' in sitemap


def test_the_page_names_its_canonical_address_and_alternates(client, db):
    page = client.get(URL).content.decode()
    assert '<link rel="canonical" href="http://testserver/fa/results/">' in page
    assert 'hreflang="en" href="http://testserver/en/results/"' in page


def test_values_are_rounded_to_the_thousand():
    assert [rounded(Decimal(v)) for v in ("1499.99", "1500", "0", "987654.32")] == [1000, 2000, 0, 988000]
    assert rounded(None) is None


def test_the_page_is_read_only(client, db):
    assert client.post(URL).status_code == 405


def test_arabic_and_russian_readers_see_countries_and_categories_in_their_language(
    client, world, three_in_iraq
):
    world.masks.name_ar, world.masks.name_ru = "كمامات", "Маски"
    world.masks.save()
    arabic = client.get("/ar/results/").content.decode()
    assert "العراق" in arabic  # Iraq, by its ISO code (portal/i18n/countries.py)
    assert "كمامات" in arabic
    assert "Ventilators" in arabic  # no Arabic name given: the English one, not the Persian
    assert world.ventilators.name_fa not in arabic
    russian = client.get("/ru/results/").content.decode()
    assert "Ирак" in russian
    assert "Маски" in russian
    assert "Результаты экспорта" in russian
