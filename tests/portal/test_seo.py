"""What search engines and link previews read: robots.txt, the sitemap, each public page's canonical
address, hreflang alternates, Open Graph and Twitter tags, and schema.org JSON-LD."""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree  # the portal's own answer, not untrusted input

import pytest
from django.utils import timezone

from portal.http.seo import PublicSitemap
from tests.brokers.factories import BrokerFactory, OfferFactory
from tests.companies.factories import CompanyFactory
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db

LANGS = ("fa", "en", "ar", "ru")  # every page in every language of settings.LANGUAGES
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def sitemap(client, path: str) -> ElementTree.Element:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ElementTree.fromstring(response.content)  # noqa: S314 - the portal's own answer


def locations(client, section: str) -> set[str]:
    root = sitemap(client, f"/sitemap-{section}.xml")
    return {loc.text.removeprefix("http://testserver") for loc in root.findall("s:url/s:loc", NS)}


def head_links(response) -> dict[str, str]:
    """{"canonical": url, "fa": url, "en": url, "ar": url, "ru": url, "x-default": url} from the head."""
    text = response.content.decode()
    links = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', text))
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', text)
    return {"canonical": canonical.group(1) if canonical else "", **links}


def meta(response, name: str) -> str:
    found = re.search(
        rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', response.content.decode()
    )
    return found.group(1) if found else ""


def structured_data(response) -> dict:
    [found] = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found)


def test_robots_txt_keeps_crawlers_out_of_private_parts_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert {"Disallow: /admin/", "Disallow: /api/", "Disallow: /media/"} <= set(lines)
    assert "Disallow: /fa/products/" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_the_sitemap_index_lists_every_section(client):
    ProductFactory()
    root = sitemap(client, "/sitemap.xml")
    listed = {loc.text for loc in root.findall("s:sitemap/s:loc", NS)}
    sections = ("pages", "countries", "products", "companies", "brokers", "offers", "results")
    assert listed == {f"http://testserver/sitemap-{section}.xml" for section in sections}


def test_public_products_are_listed_in_each_language_and_nothing_private(client):
    public = ProductFactory()
    draft = ProductFactory(draft=True)
    hidden = ProductFactory(company=CompanyFactory(pending=True))
    listed = locations(client, "products")
    assert listed == {f"/{lang}/products/{public.pk}/" for lang in LANGS}
    assert not any(str(p.pk) in url for p in (draft, hidden) for url in listed)


def test_each_sitemap_url_names_its_alternates_and_a_language_neutral_default(client):
    product = ProductFactory()
    root = sitemap(client, "/sitemap-products.xml")
    [persian] = [
        url
        for url in root.findall("s:url", NS)
        if url.find("s:loc", NS).text.endswith(f"/fa/products/{product.pk}/")
    ]
    alternates = {link.get("hreflang"): link.get("href") for link in persian.findall("x:link", NS)}
    assert alternates == {
        "fa": f"http://testserver/fa/products/{product.pk}/",
        "en": f"http://testserver/en/products/{product.pk}/",
        "ar": f"http://testserver/ar/products/{product.pk}/",
        "ru": f"http://testserver/ru/products/{product.pk}/",
        "x-default": f"http://testserver/products/{product.pk}/",
    }
    assert persian.find("s:lastmod", NS).text == timezone.localdate(product.updated_at).isoformat()


def test_companies_brokers_offers_and_countries_list_only_what_visitors_may_see(client):
    verified, pending = CompanyFactory(), CompanyFactory(pending=True)
    approved, suspended = BrokerFactory(), BrokerFactory(suspended=True)
    open_offer, closed_offer = OfferFactory(broker=approved), OfferFactory(broker=approved, closed=True)
    iraq, kenya = TargetCountryFactory(iso_code="IQ"), TargetCountryFactory(iso_code="AF", inactive=True)
    assert locations(client, "companies") == {f"/{lang}/companies/{verified.pk}/" for lang in LANGS}
    assert pending.pk != verified.pk
    assert locations(client, "brokers") == {f"/{lang}/brokers/{approved.pk}/" for lang in LANGS}
    assert suspended.pk != approved.pk
    assert locations(client, "offers") == {f"/{lang}/offers/{open_offer.pk}/" for lang in LANGS}
    assert closed_offer.pk != open_offer.pk
    assert locations(client, "countries") == {f"/{lang}/countries/iq/" for lang in LANGS}
    assert iraq.is_active
    assert not kenya.is_active
    assert {"/fa/", "/en/products/", "/fa/offers/", "/en/joint-brand/"} <= locations(client, "pages")


def test_a_large_section_is_split_into_pages_the_index_points_to(client, monkeypatch):
    monkeypatch.setattr(PublicSitemap, "limit", 4)  # four URLs: one product in every language
    products = [ProductFactory() for _ in range(3)]
    root = sitemap(client, "/sitemap.xml")
    listed = {loc.text for loc in root.findall("s:sitemap/s:loc", NS)}
    pages = {
        "http://testserver/sitemap-products.xml",
        *(f"http://testserver/sitemap-products.xml?p={n}" for n in (2, 3)),
    }
    assert pages <= listed
    third = {loc.text for loc in sitemap(client, "/sitemap-products.xml?p=3").findall("s:url/s:loc", NS)}
    assert third == {f"http://testserver/{lang}/products/{products[2].pk}/" for lang in LANGS}


def public_pages() -> list[str]:
    product = ProductFactory()
    broker = BrokerFactory()
    offer = OfferFactory(broker=broker)
    return [
        "/{lang}/",
        "/{lang}/products/",
        f"/{{lang}}/products/{product.pk}/",
        "/{lang}/companies/",
        f"/{{lang}}/companies/{product.company.pk}/",
        "/{lang}/brokers/",
        f"/{{lang}}/brokers/{broker.pk}/",
        "/{lang}/offers/",
        f"/{{lang}}/offers/{offer.pk}/",
        "/{lang}/countries/",
        "/{lang}/countries/iq/",
        "/{lang}/joint-brand/",
    ]


@pytest.mark.parametrize("language", LANGS)
def test_every_public_page_names_its_canonical_address_and_its_alternates(client, language):
    for template in public_pages():
        path = template.format(lang=language)
        response = client.get(path)
        assert response.status_code == 200, path
        links = head_links(response)
        assert links["canonical"] == f"http://testserver{path}", path
        for code in LANGS:
            assert links[code] == f"http://testserver{template.format(lang=code)}", path
        assert links["x-default"] == f"http://testserver{template.format(lang='x')[2:]}", path
        assert meta(response, "og:url") == links["canonical"]
        assert (
            meta(response, "og:locale")
            == {"fa": "fa_IR", "en": "en_US", "ar": "ar_AR", "ru": "ru_RU"}[language]
        )


def test_a_filtered_list_is_canonically_its_plain_list_with_the_page_number(client):
    ProductFactory()
    links = head_links(client.get("/en/products/", {"q": "mask", "category": "masks", "page": "2"}))
    assert links["canonical"] == "http://testserver/en/products/?page=2"
    assert links["fa"] == "http://testserver/fa/products/?page=2"
    assert (
        head_links(client.get("/en/products/", {"page": "1"}))["canonical"]
        == "http://testserver/en/products/"
    )


def test_a_product_page_previews_with_its_name_description_and_picture(client):
    product = ProductFactory(
        name_en="Oxygen concentrator 5 L",
        name_fa="اکسیژن‌ساز ۵ لیتری",
        description_en="Quiet, 5 litres a minute.",
        with_image=True,
    )
    response = client.get(f"/en/products/{product.pk}/")
    assert meta(response, "og:type") == "product"
    assert meta(response, "og:title") == "Oxygen concentrator 5 L"
    assert meta(response, "og:description") == "Quiet, 5 litres a minute."
    assert meta(response, "description") == "Quiet, 5 litres a minute."
    assert meta(response, "og:image") == f"http://testserver{product.image.url}"
    assert meta(response, "twitter:card") == "summary_large_image"
    assert meta(response, "twitter:image") == meta(response, "og:image")
    assert meta(client.get(f"/fa/products/{product.pk}/"), "og:title") == "اکسیژن‌ساز ۵ لیتری"


def test_a_page_without_a_picture_previews_as_a_summary_card(client):
    response = client.get("/en/products/")
    assert meta(response, "twitter:card") == "summary"
    assert meta(response, "og:image") == ""
    assert meta(response, "og:title") == "Export Support Portal"


def test_a_product_page_describes_the_product_to_search_engines(client):
    product = ProductFactory(name_en="N95 respirator", fob_price="1.25", currency="EUR", with_image=True)
    data = structured_data(client.get(f"/en/products/{product.pk}/"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Product"
    assert data["name"] == "N95 respirator"
    assert data["url"] == f"http://testserver/en/products/{product.pk}/"
    assert data["image"] == [f"http://testserver{product.image.url}"]
    assert data["manufacturer"] == {
        "@type": "Organization",
        "name": product.company.name_en,
        "url": f"http://testserver/en/companies/{product.company.pk}/",
    }
    assert data["offers"]["price"] == "1.25"
    assert data["offers"]["priceCurrency"] == "EUR"
    assert structured_data(client.get(f"/fa/products/{product.pk}/"))["name"] == product.name_fa


def test_structured_data_cannot_close_its_script_element(client):
    product = ProductFactory(name_en='Mask</script><script>alert("x")</script>')
    response = client.get(f"/en/products/{product.pk}/")
    assert '</script><script>alert("x")' not in response.content.decode()
    assert structured_data(response)["name"] == 'Mask</script><script>alert("x")</script>'


def test_a_company_page_describes_the_company_to_search_engines(client):
    company = CompanyFactory(name_en="Kian Medical", website="https://kian.example", city="Tabriz")
    response = client.get(f"/en/companies/{company.pk}/")
    data = structured_data(response)
    assert data["@type"] == "Organization"
    assert data["name"] == "Kian Medical"
    assert data["alternateName"] == company.name_fa
    assert data["url"] == f"http://testserver/en/companies/{company.pk}/"
    assert data["sameAs"] == ["https://kian.example"]
    assert data["address"]["addressLocality"] == "Tabriz"
    assert data["address"]["addressCountry"] == "IR"
    assert meta(response, "og:title") == "Kian Medical"
