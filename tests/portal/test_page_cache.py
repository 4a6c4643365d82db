"""The anonymous page cache never shows one visitor's page to another, nor one language's page in
another, and any change to public content shows at once."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.test import RequestFactory
from django.utils import timezone

from brokers.models import Offer
from brokers.tasks import offers_expire
from portal.http.page_cache import PAGES, content_version, public_content_changed
from portal.views import country_list
from products.models import Product
from tests.brokers.factories import OfferFactory
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings) -> None:
    settings.PAGE_CACHE_SECONDS = 60


def test_a_second_anonymous_visit_is_served_from_the_cache_without_queries(client, django_assert_num_queries):
    ProductFactory(name_en="Surgical mask")
    first = client.get("/en/products/")
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/en/products/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "Cookie" in second["Vary"]


def test_each_language_and_query_string_has_its_own_page(client):
    ProductFactory(name_en="Surgical mask", name_fa="ماسک جراحی")
    client.get("/en/products/")
    client.get("/fa/products/")
    english = client.get("/en/products/").content.decode()
    persian = client.get("/fa/products/").content.decode()
    assert 'lang="en"' in english
    assert "Surgical mask" in english
    assert "ماسک جراحی" not in english
    assert 'lang="fa"' in persian
    assert "ماسک جراحی" in persian
    assert client.get("/en/products/?q=gown")["X-Page-Cache"] == "miss"


def test_signed_in_users_neither_read_nor_fill_the_cache(client, company_member, password):
    product = ProductFactory(name_en="Surgical mask")
    client.get(f"/en/products/{product.pk}/")  # the anonymous page is cached
    client.login(request=RequestFactory().get("/"), email=company_member.email, password=password)
    mine = client.get(f"/en/products/{product.pk}/")
    assert "X-Page-Cache" not in mine
    assert "/en/accounts/logout/" in mine.content.decode()  # their own header, not the visitor's
    client.logout()
    theirs = client.get(f"/en/products/{product.pk}/")
    assert theirs["X-Page-Cache"] == "hit"
    assert "/en/accounts/logout/" not in theirs.content.decode()


def test_a_page_with_a_message_for_the_visitor_is_neither_cached_nor_served_from_the_cache(rf, client):
    client.get("/fa/countries/")  # a cached copy exists
    request = rf.get("/fa/countries/")
    request.user = AnonymousUser()
    SessionMiddleware(lambda r: None).process_request(request)
    request._messages = FallbackStorage(request)
    messages.success(request, "Your inquiry reached the brokers.")
    response = country_list(request)
    assert "X-Page-Cache" not in response
    assert "Your inquiry reached the brokers." in response.content.decode()
    assert "Your inquiry reached the brokers." not in client.get("/fa/countries/").content.decode()


def test_changing_a_product_shows_at_once(client):
    product = ProductFactory(name_en="Surgical mask")
    client.get("/en/products/")
    product.name_en = "Surgical mask, type IIR"
    product.save()
    response = client.get("/en/products/")
    assert response["X-Page-Cache"] == "miss"
    assert "type IIR" in response.content.decode()


def test_a_company_suspended_takes_its_products_off_cached_pages(client):
    product = ProductFactory(name_en="Surgical mask")
    assert "Surgical mask" in client.get("/en/products/").content.decode()
    product.company.status = product.company.Status.SUSPENDED
    product.company.save()
    assert "Surgical mask" not in client.get("/en/products/").content.decode()


def test_the_landing_figures_follow_the_catalog(client):
    client.get("/en/")
    ProductFactory(name_en="Surgical mask")
    figures = {f["label"]: f["value"] for f in client.get("/en/").context["figures"]}
    assert figures["products in the catalog"] == 1


def test_errors_and_forms_with_a_csrf_token_are_not_cached(client):
    assert client.get("/en/products/999999/").status_code == 404
    assert "X-Page-Cache" not in client.get("/en/products/999999/")
    client.get("/en/accounts/login/")  # not a cached view; its form holds a token
    assert "X-Page-Cache" not in client.get("/en/accounts/login/")


def test_the_cache_can_be_turned_off(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/en/products/")
    assert "X-Page-Cache" not in client.get("/en/products/")


def test_a_version_bump_makes_every_page_stale(client):
    client.get("/en/countries/")
    public_content_changed()
    assert client.get("/en/countries/")["X-Page-Cache"] == "miss"


def test_public_api_lists_are_cached_for_anonymous_callers_only(client, company, company_member, password):
    ProductFactory(name_en="Surgical mask")
    draft = ProductFactory(name_en="Secret draft", draft=True, company=company)
    assert client.get("/api/v1/products/")["X-Page-Cache"] == "miss"
    hit = client.get("/api/v1/products/")
    assert hit["X-Page-Cache"] == "hit"
    assert [p["name_en"] for p in hit.json()["results"]] == ["Surgical mask"]
    client.login(request=RequestFactory().get("/"), email=company_member.email, password=password)
    mine = client.get("/api/v1/products/")
    assert "X-Page-Cache" not in mine
    assert draft.name_en in {p["name_en"] for p in mine.json()["results"]}
    client.logout()
    assert draft.name_en not in client.get("/api/v1/products/").content.decode()


def test_an_api_caller_authenticated_by_header_is_never_served_the_anonymous_list(
    client, company, company_member, password, settings
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.BasicAuthentication"],
    }
    ProductFactory(draft=True, name_en="Secret draft", company=company)
    client.get("/api/v1/products/")  # the anonymous list is cached
    credentials = base64.b64encode(f"{company_member.email}:{password}".encode()).decode()
    mine = client.get("/api/v1/products/", HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert "X-Page-Cache" not in mine
    assert "Secret draft" in mine.content.decode()
    assert "Secret draft" not in client.get("/api/v1/products/").content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/en/countries/",
        "/en/products/",
        "/en/companies/",
        "/en/brokers/",
        "/en/offers/",
        "/en/support/programmes/",
        "/en/joint-brand/",
    ],
)
def test_every_public_listing_is_served_from_the_cache_on_a_second_visit(client, path):
    assert client.get(path)["X-Page-Cache"] == "miss"
    assert client.get(path)["X-Page-Cache"] == "hit"


def test_catalog_cards_are_rendered_once_and_follow_every_change(client, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 0  # the page is built each time; its cards come from the cache
    settings.FRAGMENT_CACHE_SECONDS = 300
    product = ProductFactory(name_en="Surgical mask")
    first = client.get("/en/products/")
    with django_assert_num_queries(2):  # the page and its count; no readiness for cached cards
        again = client.get("/en/products/")
    assert again.content == first.content
    product.name_en = "Surgical mask, type IIR"
    product.save()
    assert "type IIR" in client.get("/en/products/").content.decode()
    persian = client.get("/fa/products/").content.decode()
    assert "type IIR" not in persian  # the Persian card shows the Persian name
    assert product.name_fa in persian


def test_the_filter_fields_are_kept_per_language(client, settings):
    settings.FRAGMENT_CACHE_SECONDS = 300
    client.get("/fa/products/")  # fills the Persian sidebar
    english = client.get("/en/products/").content.decode()
    assert "Registered in" in english
    assert "ثبت‌شده در" not in english


def test_the_kept_header_marks_each_page_in_its_language_and_never_a_members_links(
    client, settings, company_member, password
):
    """Visitors' navigation and everyone's footer come from the fragment cache (no page cache
    here): each page still marks its own link as current, in its own language, and a signed-in
    member gets a header built for them (their inbox), not the visitors' one."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.FRAGMENT_CACHE_SECONDS = 300

    def current_link(path: str) -> str:
        page = client.get(path).content.decode()
        return page.split('aria-current="page" href="', 1)[1].split('"', 1)[0]

    for _ in range(2):  # filled, then read from the cache
        assert current_link("/fa/products/") == "/fa/products/"
        assert current_link("/fa/companies/") == "/fa/companies/"
        assert current_link("/en/products/?q=mask") == "/en/products/"
    english = client.get("/en/offers/").content.decode()
    assert "Product catalog" in english
    assert "کاتالوگ" not in english
    assert "© " in english
    assert "Export support desk" in english
    client.login(request=RequestFactory().get("/"), email=company_member.email, password=password)
    mine = client.get("/en/products/").content.decode()
    assert 'data-testid="inbox-link"' in mine
    client.logout()
    assert 'data-testid="inbox-link"' not in client.get("/en/products/").content.decode()


def test_an_offer_closed_by_the_expiry_job_leaves_the_cached_board(client):
    offer = OfferFactory(title_en="Ventilators for Baghdad")
    assert "Ventilators for Baghdad" in client.get("/en/offers/").content.decode()
    Offer.objects.filter(pk=offer.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    assert offers_expire() == 1
    assert "Ventilators for Baghdad" not in client.get("/en/offers/").content.decode()


def test_a_change_is_made_visible_again_once_committed(client, django_capture_on_commit_callbacks):
    client.get("/en/countries/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        public_content_changed()
    client.get("/en/countries/")  # built while the change was not yet committed
    for callback in callbacks:
        callback()  # the commit
    assert client.get("/en/countries/")["X-Page-Cache"] == "miss"


def test_an_api_list_is_served_from_the_cache_only_to_callers_without_credentials(
    client, company, company_member, password
):
    ProductFactory(draft=True, name_en="Secret draft", company=company)
    client.get("/api/v1/products/")  # stored
    assert client.get("/api/v1/products/")["X-Page-Cache"] == "hit"
    browsable = client.get("/api/v1/products/", HTTP_ACCEPT="text/html")
    assert browsable["Content-Type"].startswith("text/html")  # the browsable page, not cached JSON
    bad = client.get("/api/v1/products/", HTTP_AUTHORIZATION="Basic bm9ib2R5Om5vdGhpbmc=")
    assert "X-Page-Cache" not in bad  # credentials of any kind go through DRF
    client.login(request=RequestFactory().get("/"), email=company_member.email, password=password)
    assert "Secret draft" in client.get("/api/v1/products/").content.decode()


def test_work_on_drafts_leaves_the_cached_pages_alone(client, company, company_member):
    """A company editing a draft product (its text, certificates, pictures) or a pending company
    editing its profile changes nothing the public sees: the cached pages stay."""
    from companies.models import Company
    from tests.companies.factories import CompanyFactory
    from tests.products.factories import CertificationFactory, ProductCertificationFactory

    ProductFactory(company=company, name_en="Surgical mask")
    draft = ProductFactory(company=company, draft=True, name_en="Draft gown")
    pending = CompanyFactory(status=Company.Status.PENDING)
    certification = CertificationFactory()
    assert client.get("/en/products/")["X-Page-Cache"] == "miss"

    draft = Product.objects.get(pk=draft.pk)  # as a page would read it
    draft.name_en = "Draft gown, level 3"
    draft.save()
    ProductCertificationFactory(product=draft, certification=certification)
    pending.name_en = "Still waiting Ltd"
    pending.save()
    assert client.get("/en/products/")["X-Page-Cache"] == "hit"

    draft.status, draft.published_at = Product.Status.PUBLISHED, timezone.now()
    draft.save()  # published: now it shows
    response = client.get("/en/products/")
    assert response["X-Page-Cache"] == "miss"
    assert "Draft gown, level 3" in response.content.decode()


def test_hiding_a_public_product_or_changing_its_certificates_makes_pages_stale(client):
    from tests.products.factories import ProductCertificationFactory

    product = Product.objects.get(pk=ProductFactory(name_en="Surgical mask").pk)
    client.get("/en/products/")
    ProductCertificationFactory(product=product)
    assert client.get("/en/products/")["X-Page-Cache"] == "miss"

    product.status = Product.Status.ARCHIVED  # public when read, hidden now: counts
    product.save()
    response = client.get("/en/products/")
    assert response["X-Page-Cache"] == "miss"
    assert "Surgical mask" not in response.content.decode()


@pytest.mark.parametrize("path", ["/en/products/", "/api/v1/products/?page_size=100"])
def test_a_cached_answer_is_sent_compressed_to_clients_that_accept_gzip(client, path):
    """Browsers and HTTP libraries send Accept-Encoding: gzip; they get the stored bytes as they
    are. A client that does not gets the same answer unpacked."""
    import gzip

    ProductFactory.create_batch(3, name_en="Nitrile glove")
    first = client.get(path)
    plain = client.get(path)
    packed = client.get(path, headers={"accept-encoding": "gzip, deflate, br"})
    assert (first["X-Page-Cache"], plain["X-Page-Cache"], packed["X-Page-Cache"]) == ("miss", "hit", "hit")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content == first.content
    assert len(packed.content) < len(plain.content) / 3
    assert "Accept-Encoding" in packed["Vary"]
    assert "Accept-Encoding" in plain["Vary"]
    assert "Accept-Encoding" in first["Vary"]  # a shared cache keeps the two forms apart


@pytest.mark.parametrize("page_seconds", [60, 0])
def test_a_new_release_reads_no_page_or_card_the_previous_one_kept(client, settings, page_seconds):
    """After a deploy the previous release's pages and cards stay in Redis until their timeout;
    the new one (other templates, translations, code) renders its own. With the page cache off
    the page is built each time and only its cards were kept."""
    settings.PAGE_CACHE_SECONDS = page_seconds
    settings.FRAGMENT_CACHE_SECONDS = 300
    settings.RELEASE = "a1"
    product = ProductFactory(name_en="Surgical mask")
    client.get("/en/products/")
    # What the next release renders differently, written without telling any cache.
    Product.objects.filter(pk=product.pk).update(name_en="Surgical mask, type IIR")
    assert "type IIR" not in client.get("/en/products/").content.decode()  # still a1's page or card
    settings.RELEASE = "b2"
    page = client.get("/en/products/")
    assert "type IIR" in page.content.decode()
    if page_seconds:
        assert page["X-Page-Cache"] == "miss"


def test_a_new_release_reads_no_api_list_the_previous_one_kept(client, settings):
    settings.RELEASE = "a1"
    client.get("/api/v1/products/")
    assert client.get("/api/v1/products/")["X-Page-Cache"] == "hit"
    settings.RELEASE = "b2"
    assert client.get("/api/v1/products/")["X-Page-Cache"] == "miss"


def test_a_new_release_renders_the_kept_header_and_footer_anew(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.FRAGMENT_CACHE_SECONDS = 300
    settings.RELEASE = "a1"
    # The visitors' links and the footer as the previous release kept them (its own wording).
    year = str(timezone.localdate().year)
    for name, vary_on in [
        ("chrome-nav", ["a1", "en", "products:catalog"]),
        ("chrome-footer", ["a1", "en", year]),
    ]:
        key = make_template_fragment_key(f'"{name}"', vary_on)  # the tag's name, quotes and all
        cache.set(key, f"<p>{name} as a1 kept it</p>", 300)
    page = client.get("/en/products/").content.decode()
    assert "chrome-nav as a1 kept it" in page
    assert "chrome-footer as a1 kept it" in page
    settings.RELEASE = "b2"
    page = client.get("/en/products/").content.decode()
    assert "as a1 kept it" not in page
    assert 'aria-current="page" href="/en/products/"' in page  # the links, rendered anew
    assert "Export support desk" in page


def test_a_new_release_keeps_visitors_signed_in_and_the_content_version(
    client, settings, company_member, password
):
    """Sessions and the version counters are not renderings: a deploy leaves them as they were."""
    settings.RELEASE = "a1"
    client.login(request=RequestFactory().get("/"), email=company_member.email, password=password)
    public_content_changed()
    version, stamp = PAGES.current(), content_version()
    settings.RELEASE = "b2"
    assert content_version() != stamp  # the renderings' keys moved on
    assert PAGES.current() == version  # the count of content changes did not start again
    assert "/en/accounts/logout/" in client.get("/en/products/").content.decode()


def test_the_kept_account_menu_and_links_are_each_roles_own(
    client_for, settings, company_member, broker_member, signed_up_user, reviewer
):
    """The header's links and account menu are kept per role and language, whoever rendered them
    first: each user sees their role's menu, their own name and their own live links."""
    settings.FRAGMENT_CACHE_SECONDS = 300
    own_links = {
        company_member: ["/en/companies/mine/", "/en/products/mine/", "/en/inbox/"],
        broker_member: ["/en/brokers/mine/", "/en/brokers/mine/services/", "/en/inbox/"],
        signed_up_user: ["/en/companies/register/", "/en/brokers/register/"],
        reviewer: ["/admin/"],
    }
    every_link = {link for links in own_links.values() for link in links}
    for _round in range(2):  # the second round reads what the first kept
        for user, links in own_links.items():
            page = client_for(user).get("/en/products/").content.decode()
            assert f">{user.get_short_name()}</button>" in page
            assert 'aria-current="page" href="/en/products/"' in page
            for link in every_link:
                assert (f'href="{link}"' in page) == (link in links), (user.email, link)
    persian = client_for(company_member).get("/fa/products/").content.decode()
    assert 'href="/fa/companies/mine/"' in persian
    assert 'href="/en/companies/mine/"' not in persian
