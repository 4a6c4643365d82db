"""Catalog search as a visitor would judge it: Persian typed with Arabic letters, the zero-width
non-joiner, English plurals, typos, and the order of the results."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from products.search import fold
from tests.conftest import skip_or_fail
from tests.products.factories import ProductFactory
from tests.products.pages import card_names

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("the stored search document needs PostgreSQL (set DATABASE_URL)")


def found(client, query: str, language: str = "en", extra: str = "") -> list[str]:
    response = client.get(f"/{language}/products/", {"q": query, **dict([extra.split("=")] if extra else [])})
    assert response.status_code == 200
    return card_names(response)


def test_the_database_folds_text_exactly_as_python_folds_queries():
    sample = "ماسك‌هاي N95 ۱۲۳٤٥ كيت تَشخيصـي الإسعاف ۀ"
    with connection.cursor() as cursor:
        cursor.execute("SELECT products_fold(%s)", [sample])
        assert cursor.fetchone()[0] == fold(sample)


def test_persian_typed_with_arabic_letters_finds_persian_text_and_the_reverse(client):
    ProductFactory(name_fa="کیت تشخیص سریع", name_en="Rapid test kit")
    ProductFactory(name_fa="ونتيلاتور پرتابل", name_en="Portable ventilator")  # stored with Arabic yeh
    assert found(client, "كيت") == ["Rapid test kit"]  # Arabic kaf and yeh in the query
    assert found(client, "ونتیلاتور") == ["Portable ventilator"]  # Persian yeh in the query


def test_the_zero_width_non_joiner_is_optional_in_queries_and_in_stored_text(client):
    ProductFactory(name_fa="ماسک‌های سه‌لایه", name_en="Three-ply masks")
    ProductFactory(
        name_fa="دستکش نیتریل", name_en="Nitrile gloves", description_fa="دستکش", description_en=""
    )
    assert found(client, "ماسک های") == ["Three-ply masks"]
    assert found(client, "سه\u200cلایه") == ["Three-ply masks"]
    assert found(client, "دستکش\u200cنیتریل") == ["Nitrile gloves"]


def test_english_plurals_and_stems_find_the_singular(client):
    ProductFactory(name_en="N95 respirator", name_fa="رسپیراتور")
    ProductFactory(name_en="Surgical gown", name_fa="گان جراحی")
    assert found(client, "respirators") == ["N95 respirator"]
    assert found(client, "gowns") == ["Surgical gown"]


def test_words_match_as_prefixes_and_hs_codes_by_their_start(client):
    ProductFactory(name_en="Pulse oximeter", name_fa="پالس اکسیمتر", hs_code="901819")
    ProductFactory(name_en="Oxygen concentrator", name_fa="اکسیژن ساز", hs_code="901920")
    assert found(client, "oxim") == ["Pulse oximeter"]
    assert found(client, "9018") == ["Pulse oximeter"]


def test_every_word_must_match(client):
    ProductFactory(name_en="FFP2 mask with valve", name_fa="ماسک سوپاپ دار")
    ProductFactory(name_en="FFP2 mask", name_fa="ماسک")
    assert found(client, "mask valve") == ["FFP2 mask with valve"]


def test_results_rank_exact_name_words_then_name_prefixes_then_descriptions(client):
    now = timezone.now()
    description_only = ProductFactory(
        name_en="Hose adapter", name_fa="رابط", description_en="Fits any vent port", published_at=now
    )
    prefix_in_name = ProductFactory(
        name_en="Ventilator V2", name_fa="ونتیلاتور", published_at=now - dt.timedelta(days=1)
    )
    exact_in_name = ProductFactory(
        name_en="Vent filter", name_fa="فیلتر", published_at=now - dt.timedelta(days=2)
    )
    older_exact = ProductFactory(name_en="Vent cap", name_fa="درپوش", published_at=now - dt.timedelta(days=3))
    # Relevance first, however new the weaker matches are; the newest first within a tier.
    assert found(client, "vent") == [
        exact_in_name.name_en,
        older_exact.name_en,
        prefix_in_name.name_en,
        description_only.name_en,
    ]
    # A chosen order wins over relevance.
    by_newest = found(client, "vent", extra="ordering=-published")
    assert by_newest == ["Hose adapter", "Ventilator V2", "Vent filter", "Vent cap"]


@pytest.mark.parametrize(
    ("walk_from", "more_names", "estimates"),
    [(2000, 0, 0), (1, 0, 1), (1, 24, 0)],
    ids=["few-matches", "page-reaches-last-tier", "names-fill-the-page"],
)
def test_the_planner_is_asked_about_the_names_only_when_the_last_tier_needs_it(
    client, monkeypatch, walk_from, more_names, estimates
):
    """Whether to walk the newest-first index for "elsewhere" depends on how many matches are not
    in the names. The planner's estimate of all the matches comes with the names' count, in the
    same statement, and serves the last tier too; it is asked about the names (an EXPLAIN of
    their own) only when a page reaches the last tier and all the matches are at least the
    threshold (fewer, and so is that part). Either way the order is the same."""
    from django.test.utils import CaptureQueriesContext

    from products import search

    monkeypatch.setattr(search, "WALK_MIN_ROWS", walk_from)
    now = timezone.now()
    ProductFactory(name_en="Hose adapter", description_en="Fits any vent port", published_at=now)
    ProductFactory(name_en="Ventilator V2", published_at=now - dt.timedelta(days=1))
    ProductFactory(name_en="Vent filter", published_at=now - dt.timedelta(days=2))
    for n in range(more_names):
        ProductFactory(name_en=f"Vent cap {n}", published_at=now - dt.timedelta(days=3, hours=n))
    with CaptureQueriesContext(connection) as queries:
        names = found(client, "vent")
    if more_names:  # the names fill the first page: it never reaches the last tier
        assert len(names) == 24
        assert names[0] == "Vent filter"
        assert "Hose adapter" not in names
    else:
        assert names == ["Vent filter", "Ventilator V2", "Hose adapter"]
    assert sum(query["sql"].startswith("EXPLAIN") for query in queries) == estimates
    first_count = next(query["sql"] for query in queries if "COUNT(*)" in query["sql"])
    assert "products_plan_rows" in first_count


def test_ranked_results_page_through_the_tiers_without_repeats_or_gaps(client):
    for n in range(30):
        ProductFactory(name_en=f"Gauze roll {n}", name_fa="گاز")
    for n in range(10):
        ProductFactory(name_en=f"Bandage {n}", name_fa="باند", description_en="gauze inside")
    first = client.get("/en/products/", {"q": "gauze"})
    names = card_names(first) + card_names(client.get("/en/products/", {"q": "gauze", "page": 2}))
    assert first.context["page_obj"].paginator.count == 40
    assert len(names) == len(set(names)) == 40
    assert all(name.startswith("Gauze") for name in names[:30])
    assert all(name.startswith("Bandage") for name in names[30:])


def test_a_typo_shows_products_with_similar_names(client):
    ProductFactory(name_en="N95 respirator", name_fa="رسپیراتور")
    ProductFactory(name_en="Hand sanitizer", name_fa="ضدعفونی کننده دست")
    response = client.get("/en/products/", {"q": "respiratr"})
    assert card_names(response) == ["N95 respirator"]
    assert "Products with similar names" in response.content.decode()


def test_a_query_without_letters_or_digits_lists_the_catalog(client):
    ProductFactory(name_en="Face shield", name_fa="شیلد")
    assert found(client, "&|!:*()'") == ["Face shield"]


def test_the_api_search_ranks_and_counts_like_the_catalog(client):
    ProductFactory(name_en="Vent cap", name_fa="درپوش", published_at=timezone.now() - dt.timedelta(days=2))
    ProductFactory(name_en="Ventilator", name_fa="ونتیلاتور", published_at=timezone.now())
    body = client.get("/api/v1/products/", {"search": "vent"}).json()
    assert (body["count"], body["count_kind"]) == (2, "exact")
    assert [p["name_en"] for p in body["results"]] == ["Vent cap", "Ventilator"]


def test_model_numbers_and_hyphenated_names_are_found_by_their_parts(client):
    ProductFactory(name_en="COVID-19 RT-PCR kit, model HM-1464", name_fa="کیت RT-PCR کووید-۱۹ مدل HM-1464")
    ProductFactory(name_en="Face shield, model FS-2000", name_fa="شیلد صورت مدل FS-2000")
    assert found(client, "HM-1464") == ["COVID-19 RT-PCR kit, model HM-1464"]
    assert found(client, "1464") == ["COVID-19 RT-PCR kit, model HM-1464"]
    assert found(client, "covid 19 pcr") == ["COVID-19 RT-PCR kit, model HM-1464"]
    assert found(client, "کووید-19", language="fa") == ["کیت RT-PCR کووید-۱۹ مدل HM-1464"]


def test_a_search_counts_up_to_its_cap_then_says_more_than_and_pages_on(client, monkeypatch):
    """Counting every match cost more than the page: past the cap the page gives a lower bound
    ("more than"), a next page while there are more, and the exact count once a page shows the
    last of them."""
    from products import search

    monkeypatch.setattr(search, "COUNT_CAP", 30)
    for n in range(50):
        ProductFactory(name_en=f"Gauze roll {n}", name_fa="گاز")
    first = client.get("/en/products/", {"q": "gauze"})
    assert "more than 30 products" in first.content.decode()
    assert 'href="?q=gauze&amp;page=2"' in first.content.decode()
    assert "Page 1</span>" in first.content.decode()  # no last page named while the total is unknown
    persian = client.get("/fa/products/", {"q": "گاز"}).content.decode()
    assert "بیش از ۳۰ محصول" in persian
    assert "более 30 товаров" in client.get("/ru/products/", {"q": "gauze"}).content.decode()
    assert "منتجًا" in client.get("/ar/products/", {"q": "gauze"}).content.decode()  # 30: the accusative
    names = card_names(first) + card_names(second := client.get("/en/products/", {"q": "gauze", "page": 2}))
    assert "more than" in second.content.decode()  # page 2 (of "31" counted) had a row more: not the last
    third = client.get("/en/products/", {"q": "gauze", "page": 3})
    names += card_names(third)
    assert len(names) == len(set(names)) == 50
    assert "50 products" in third.content.decode()
    assert "Page 3 of 3" in third.content.decode()
    assert "more than" not in third.content.decode()


def test_matches_the_planner_puts_far_past_the_cap_are_not_counted(client, monkeypatch):
    """When the planner expects many more matches than the cap, the page says "more than"
    without counting them (the one statement that reads the page asks the planner, and no
    count of all the matches follows), and reading on ends at the exact count. (A low threshold
    stands in for the planner's estimate of thousands.)"""
    from django.test.utils import CaptureQueriesContext

    from products import search

    monkeypatch.setattr(search, "COUNT_CAP", 30)
    monkeypatch.setattr(search, "TRUST_ESTIMATE_FROM", 1)
    ProductFactory(name_en="Gauze roll", published_at=timezone.now())
    for n in range(40):
        ProductFactory(name_en=f"Bandage {n}", description_en="gauze inside")
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/en/products/", {"q": "gauze"})
    assert "more than 30 products" in first.content.decode()
    assert card_names(first)[0] == "Gauze roll"
    # One count, of the names (with the estimate of all the matches): the matches are not counted.
    (count,) = [q["sql"] for q in queries if "COUNT(*)" in q["sql"]]
    assert "products_plan_rows" in count
    last = client.get("/en/products/", {"q": "gauze", "page": 2})
    assert "41 products" in last.content.decode()
    assert len(card_names(first)) + len(card_names(last)) == 41


def test_a_wrong_estimate_of_the_matches_is_corrected_by_the_page_that_reads_them(client, monkeypatch):
    """Should the planner expect many more matches than there are, the page that reads the last
    of them gives the exact count."""
    from products import search

    monkeypatch.setattr(search, "TRUST_ESTIMATE_FROM", 1)
    monkeypatch.setattr(search, "COUNT_CAP", 30)
    ProductFactory(name_en="Gauze roll")
    ProductFactory(name_en="Bandage", description_en="gauze inside")
    response = client.get("/en/products/", {"q": "gauze"})
    assert card_names(response) == ["Gauze roll", "Bandage"]
    assert "2 products" in response.content.decode()
    assert "more than" not in response.content.decode()
    for n in range(23):
        ProductFactory(name_en=f"Gauze pad {n}")
    first = client.get("/en/products/", {"q": "gauze"})
    assert "more than 30 products" in first.content.decode()  # 25: the estimate, uncounted
    second = client.get("/en/products/", {"q": "gauze", "page": 2})
    assert "25 products" in second.content.decode()
    assert len(card_names(first)) + len(card_names(second)) == 25


def test_a_search_within_its_cap_is_counted_exactly(client):
    for n in range(3):
        ProductFactory(name_en=f"Oximeter {n}", name_fa="اکسیمتر")
    response = client.get("/en/products/", {"q": "oximeter"})
    assert "3 products" in response.content.decode()
    assert "more than" not in response.content.decode()
    assert "about" not in response.content.decode()


def test_the_newest_window_serves_a_page_exactly_as_the_whole_tier_would(client, monkeypatch):
    """The name tiers are read among the newest published products first: a page the window
    fills is the same page the whole tier gives, and a page it leaves short comes from the whole
    tier. With a window of 60 products, the 30 newest "valve" names are inside it: page 1 comes
    from the window, page 2 needs older ones. (A tier counted whole, at most COUNT_CAP, is read
    as it is: the cap is lowered so that this one is not.)"""
    from django.test.utils import CaptureQueriesContext

    from products import search

    monkeypatch.setattr(search, "COUNT_CAP", 10)
    monkeypatch.setattr(search, "WINDOW_ROWS", 60)
    now = timezone.now()
    for n in range(100):  # every other product is a valve, one a minute
        name = f"Valve {n}" if n % 2 == 0 else f"Tube {n}"
        ProductFactory(name_en=name, published_at=now - dt.timedelta(minutes=n))

    def page_reads(page: int) -> tuple[list[str], int]:
        """The page's names, and how many times it read a page of names (window or whole tier)."""
        with CaptureQueriesContext(connection) as queries:
            names = card_names(client.get("/en/products/", {"q": "valve", "page": page}))
        return names, sum("name_vector" in q["sql"] and "ORDER BY" in q["sql"] for q in queries)

    first, reads = page_reads(1)
    assert first == [f"Valve {n}" for n in range(0, 48, 2)]
    assert reads == 1  # the window filled it
    second, reads = page_reads(2)
    assert second == [f"Valve {n}" for n in range(48, 96, 2)]
    assert reads == 2  # short in the window, then from the whole tier
    monkeypatch.setattr(search, "WINDOW_ROWS", 20)  # 10 valves in the window: page 1 from the tier
    assert page_reads(1) == (first, 2)


def test_a_members_api_search_lists_their_drafts_first_as_before(
    client, company, company_member, monkeypatch
):
    """The window leaves out what has no publication date: a member's own drafts, which the API
    lists first. Their search reads the whole tier."""
    from products import search

    monkeypatch.setattr(search, "COUNT_CAP", 1)  # not counted whole: the window would be tried
    monkeypatch.setattr(search, "WINDOW_ROWS", 1)
    ProductFactory(name_en="Valve old", published_at=timezone.now() - dt.timedelta(days=1))
    ProductFactory(name_en="Valve new", published_at=timezone.now())
    ProductFactory(company=company, name_en="Valve draft", draft=True)
    client.force_login(company_member)
    body = client.get("/api/v1/products/", {"search": "valve", "page_size": 1}).json()
    assert [p["name_en"] for p in body["results"]] == ["Valve draft"]  # the window holds "Valve new"
    body = client.get("/api/v1/products/", {"search": "valve"}).json()
    assert [p["name_en"] for p in body["results"]] == ["Valve draft", "Valve new", "Valve old"]


def test_following_next_through_a_large_search_ends_without_repeats(client, monkeypatch):
    """Past the cap the count is a lower bound that grows as pages are read; "next" goes on while
    rows follow, up to the deepest page that opens, and never points at a page that does not."""
    from portal.http.pagination import LargeTablePaginator
    from products import search

    monkeypatch.setattr(search, "COUNT_CAP", 2)
    monkeypatch.setattr(LargeTablePaginator, "deepest", 4)
    for n in range(12):
        ProductFactory(name_en=f"Gauze roll {n}", name_fa="گاز")
    seen, url, pages = [], "/api/v1/products/?search=gauze&page_size=2", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        assert body["count_kind"] == "at_least"  # 3 counted; and more follow on every page
        seen += [p["name_en"] for p in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 5  # twice the two pages the first count gave, and one
    assert len(seen) == len(set(seen)) == 10


def test_a_page_past_the_end_of_a_large_search_shows_the_last_page(client, monkeypatch):
    from products import search

    monkeypatch.setattr(search, "COUNT_CAP", 2)
    for n in range(30):
        ProductFactory(name_en=f"Gauze roll {n}", name_fa="گاز")
    response = client.get("/en/products/", {"q": "gauze", "page": 5})  # a typed or an old address
    assert len(card_names(response)) == 6
    assert "30 products" in response.content.decode()
    assert "Page 2 of 2" in response.content.decode()
    assert client.get("/api/v1/products/", {"search": "gauze", "page": 5}).status_code == 404


def test_a_public_search_is_served_by_the_public_search_index():
    """The index of public products' search documents (migration 0019) covers what the catalog
    asks: were the public queryset's conditions to drift from the index's, every public search
    would fall back to the whole table's index or a scan of every search document."""
    from products.models import Product
    from products.search import capped_count, search_products

    ProductFactory(name_en="Nitrile gloves")
    matches = search_products(Product.objects.public(), "nitrile")
    assert capped_count(matches, 201) == 1
    with connection.cursor() as cursor:
        # The test table is too small for the planner to want an index at all: leave it only the
        # public search index, read as a bitmap (the test's transaction puts the others back).
        # Were its predicate to stop matching the public queryset's, the planner could not use
        # it and would fall back to the (disabled, still possible) scan of every row. The whole
        # table's index goes too: on a table this small the two cost the same, and either may win.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'products_product'"
            " AND indexname NOT IN ('product_public_search_gin', 'products_product_pkey')"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        plan = matches.order_by()[:201].explain()
    assert "product_public_search_gin" in plan
