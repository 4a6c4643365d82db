"""Arabic and Russian for buyers beside Persian and English: complete catalogs for the public pages,
right-to-left Arabic, model texts that fall back to English then Persian, search in the buyer's
language, numbers and dates in each language's style, the inquiry's e-mails in the buyer's language
and the language switch."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.utils import translation

from brokers.models import BuyerInquiry
from portal.i18n.public import ENGLISH_FALLBACK, PUBLIC_MESSAGES, PUBLIC_SOURCES
from products.search import fold, query_words
from tests.brokers.factories import BrokerFactory, OfferFactory, ServiceTypeFactory
from tests.companies.factories import CompanyFactory
from tests.portal.factories import TargetCountryFactory
from tests.products.factories import (
    CategoryFactory,
    CertificationFactory,
    ProductCertificationFactory,
    ProductFactory,
)
from tests.products.pages import card_names

LOCALE = Path(settings.BASE_DIR) / "locale"
BUYER_LANGUAGES = ("ar", "ru")


def test_the_portal_speaks_four_languages_persian_first():
    assert [code for code, _name in settings.LANGUAGES] == ["fa", "en", "ar", "ru"]
    assert settings.LANGUAGE_CODE == "fa"


# --- complete catalogs for the public pages ----------------------------------------------------------
def public_entries(language: str) -> list[polib.POEntry]:
    catalog = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    return [
        entry
        for entry in catalog
        if entry.msgid in PUBLIC_MESSAGES
        or any(file.startswith(source) for file, _line in entry.occurrences for source in PUBLIC_SOURCES)
    ]


@pytest.mark.parametrize("language", BUYER_LANGUAGES)
def test_every_message_of_the_public_pages_is_translated(language):
    entries = public_entries(language)
    assert len(entries) > 250  # the public templates were found in the catalog's references
    untranslated = [
        entry.msgid
        for entry in entries
        if "fuzzy" in entry.flags
        or ENGLISH_FALLBACK in entry.tcomment
        or (
            entry.msgid_plural
            and not all(entry.msgstr_plural.get(i) for i in range(len(entry.msgstr_plural)))
        )
        or (not entry.msgid_plural and not entry.msgstr)
    ]
    assert untranslated == []


@pytest.mark.parametrize(("language", "forms"), [("ar", 6), ("ru", 4)])
def test_plural_messages_have_every_form_of_the_language(language, forms):
    catalog = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert f"nplurals={forms}" in catalog.metadata["Plural-Forms"]
    for entry in public_entries(language):
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == list(range(forms)), entry.msgid


def test_the_compiled_catalogs_are_in_use_with_their_plural_rules():
    with translation.override("ar"):
        assert translation.gettext("Product catalog") == "كتالوج المنتجات"
        shown = [
            translation.ngettext("%(shown)s product", "%(shown)s products", n) for n in (1, 2, 5, 11, 100)
        ]
        assert shown == [
            "%(shown)s منتج",
            "%(shown)s منتجان",
            "%(shown)s منتجات",
            "%(shown)s منتجًا",
            "%(shown)s منتج",
        ]
    with translation.override("ru"):
        assert translation.gettext("Product catalog") == "Каталог"
        shown = [translation.ngettext("%(shown)s company", "%(shown)s companies", n) for n in (1, 3, 5, 21)]
        assert shown == [
            "%(shown)s компания",
            "%(shown)s компании",
            "%(shown)s компаний",
            "%(shown)s компания",
        ]


@pytest.mark.parametrize("language", BUYER_LANGUAGES)
def test_the_signed_in_side_reads_in_english_not_in_persian(language):
    with translation.override(language):
        assert translation.gettext("Save as draft") == "Save as draft"  # not Django's fallback, Persian
        assert (
            translation.ngettext("%(n)d e-mail queued.", "%(n)d e-mails queued.", 3)
            == "%(n)d e-mails queued."
        )


def public_pages() -> list[str]:
    product = ProductFactory(name_en="Three-ply mask", fob_price=Decimal("12500.50"))
    broker = BrokerFactory()
    offer = OfferFactory(broker=broker)
    TargetCountryFactory(iso_code="IQ")
    return [
        "/{lang}/",
        "/{lang}/products/",
        f"/{{lang}}/products/{product.pk}/",
        "/{lang}/companies/",
        f"/{{lang}}/companies/{product.company.pk}/",
        "/{lang}/offers/",
        f"/{{lang}}/offers/{offer.pk}/",
        "/{lang}/countries/",
        "/{lang}/countries/iq/",
        "/{lang}/joint-brand/",
        "/{lang}/results/",
        "/{lang}/brokers/",
        f"/{{lang}}/brokers/{broker.pk}/",
        f"/{{lang}}/inquiries/new/?product={product.pk}",
        "/{lang}/inquiries/thanks/",
        "/{lang}/no-such-page/",
    ]


# English texts of the header, footer and the pages' own; none may show on an Arabic or Russian page.
ENGLISH = (
    "Product catalog", "Companies", "Target countries", "Export Support Portal", "Skip to content",
    "Log in", "Sign up", "Search", "Send an inquiry", "Knowledge-based companies", "Offer board",
    "Center for International Science and Technology Interactions", "Export support desk",
    "Anti-COVID equipment", "Page not found", "Iraq", "Export results", "Covered country", "Working language",
    "About the brokerage", "By destination country",
)  # fmt: skip


def visible_text(html: str) -> str:
    """The page's text, without its head, scripts and tags (attributes such as hreflang="en" stay out)."""
    body = html.split("<body", 1)[1]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("ru", "ltr")])
def test_each_public_page_is_in_the_language_with_no_english_left(client, language, direction):
    for template in public_pages():
        path = template.format(lang=language)
        response = client.get(path)
        assert response.status_code in (200, 404), path
        html = response.content.decode()
        assert f'<html lang="{language}" dir="{direction}">' in html, path
        text = visible_text(html)
        left = [english for english in ENGLISH if re.search(rf"\b{re.escape(english)}\b", text)]
        assert left == [], path


@pytest.mark.django_db
def test_arabic_pages_use_the_right_to_left_stylesheet_and_russian_the_other(client):
    assert "bootstrap.rtl.min.css" in client.get("/ar/").content.decode()
    assert "bootstrap.rtl.min.css" not in client.get("/ru/").content.decode()


# --- model texts: Arabic and Russian fall back to English, then Persian ------------------------------
@pytest.mark.django_db
def test_product_and_company_texts_fall_back_to_english_then_persian():
    company = CompanyFactory(name_fa="شرکت آلفا", name_en="Alpha", name_ar="شركة ألفا", profile_en="Makers")
    product = ProductFactory(company=company, name_en="Mask", name_ru="Маска", description_en="Three layers")
    with translation.override("ar"):
        assert (company.name, company.profile, product.name) == ("شركة ألفا", "Makers", "Mask")
    with translation.override("ru"):
        assert (company.name, product.name, product.description) == ("Alpha", "Маска", "Three layers")
    company.name_en = company.profile_en = ""
    with translation.override("ru"):
        assert company.name == "شرکت آلفا"  # no Russian, no English: the Persian name
    with translation.override("fa"):
        assert product.name == product.name_fa  # Persian pages never show the Arabic or Russian text


@pytest.mark.django_db
def test_categories_certifications_and_service_types_are_named_in_the_buyers_language(client):
    category = CategoryFactory(name_en="Ventilators", name_ar="أجهزة التنفس", name_ru="")
    certification = CertificationFactory(name_en="CE marking", name_ar="علامة CE", name_ru="Маркировка CE")
    product = ProductFactory(category=category)
    ProductCertificationFactory(product=product, certification=certification)
    service = ServiceTypeFactory(slug="customs", name_en="Customs clearance", name_ru="Таможенное оформление")
    BrokerFactory(services=[service])
    arabic = client.get(f"/ar/products/{product.pk}/").content.decode()
    assert "أجهزة التنفس" in arabic
    assert "علامة CE" in arabic
    russian = client.get(f"/ru/products/{product.pk}/").content.decode()
    assert "Ventilators" in russian  # no Russian name: the English one
    assert "Маркировка CE" in russian
    catalog = client.get("/ar/products/").content.decode()
    assert "أجهزة التنفس" in catalog  # the category filter's choice and the product's card
    assert "علامة CE" in catalog  # the certificate filter's choice
    assert "العراق" in catalog  # the country filters' choices (the broker's covered country, Iraq)
    directory = client.get("/ru/brokers/").content.decode()
    assert "Таможенное оформление" in directory
    assert "Customs clearance" in client.get("/ar/brokers/").content.decode()
    assert "Customs clearance" not in directory


@pytest.mark.django_db
def test_the_product_page_shows_the_buyers_language_and_country_names_too(client):
    product = ProductFactory(name_en="Oxygen concentrator", name_ar="مكثف أكسجين", name_ru="Концентратор")
    assert "مكثف أكسجين" in client.get(f"/ar/products/{product.pk}/").content.decode()
    assert "Концентратор" in client.get(f"/ru/products/{product.pk}/").content.decode()
    assert "Oxygen concentrator" in client.get(f"/en/products/{product.pk}/").content.decode()
    TargetCountryFactory(iso_code="IQ")
    assert "العراق" in client.get("/ar/countries/").content.decode()
    assert "Ирак" in client.get("/ru/countries/").content.decode()


@pytest.mark.django_db
def test_company_members_fill_the_arabic_and_russian_texts_in_their_forms_and_the_api(
    client_for, company_member, company
):
    product = ProductFactory(company=company, draft=True)
    client = client_for(company_member)
    page = client.get(f"/en/products/{product.pk}/edit/").content.decode()
    assert 'data-testid="other-languages"' in page
    assert "Arabic and Russian (optional)" in page
    assert 'name="name_ar"' in page
    assert 'name="description_ru"' in page
    company_page = client.get("/en/companies/mine/edit/").content.decode()
    assert 'name="name_ar"' in company_page
    assert 'name="profile_ru"' in company_page
    response = client.patch(
        f"/api/v1/products/{product.pk}/",
        {"name_ar": "كمامة", "description_ru": "Трёхслойная маска"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert (product.name_ar, product.description_ru) == ("كمامة", "Трёхслойная маска")
    assert client.get(f"/api/v1/products/{product.pk}/").json()["name_ar"] == "كمامة"


# --- search in the buyer's language -----------------------------------------------------------------
def test_arabic_letter_forms_diacritics_and_tatweel_fold_as_persian():
    assert fold("كِمامـــة") == fold("کمامه")
    assert query_words("جهاز التنفّس الصناعي") == ["جهاز", "التنفس", "الصناعی"]
    assert fold("مستشفى") == fold("مستشفی")
    assert fold("МАСКА") == "маска"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "query", "expected"),
    [
        ("ar", "كمامة", {"كمامة ثلاثية الطبقات"}),  # the Arabic name, as stored
        ("ar", "كِمامـة", {"كمامة ثلاثية الطبقات"}),  # with a kasra and a tatweel
        ("ar", "تنفس", {"Ventilator"}),  # a word of the Arabic description (no Arabic name: English)
        ("ar", "ماسك", {"كمامة ثلاثية الطبقات"}),  # the Persian name typed with an Arabic kaf
        ("ru", "маск", {"Маска"}),  # a prefix of the Russian name
        ("ru", "ИВЛ", {"Ventilator"}),  # the Russian description, in capitals
    ],
)
def test_the_catalog_searches_the_arabic_and_russian_texts(client, language, query, expected):
    ProductFactory(name_fa="ماسک سه لایه", name_en="Mask", name_ar="كمامة ثلاثية الطبقات", name_ru="Маска")
    ProductFactory(
        name_fa="ونتیلاتور",
        name_en="Ventilator",
        description_fa="دستگاه تنفس مصنوعی",
        description_en="Intensive care ventilator",
        description_ar="جهاز تنفس صناعي",
        description_ru="Аппарат ИВЛ для реанимации",
    )
    assert set(card_names(client.get(f"/{language}/products/", {"q": query}))) == expected


@pytest.mark.django_db
def test_editing_the_arabic_name_updates_the_search_document(client):
    product = ProductFactory(name_en="Gloves")
    assert card_names(client.get("/ar/products/", {"q": "قفاز"})) == []
    product.name_ar = "قفازات طبية"
    product.save(update_fields=["name_ar"])
    assert set(card_names(client.get("/ar/products/", {"q": "قفاز"}))) == {"قفازات طبية"}


@pytest.mark.django_db
def test_the_company_directory_finds_arabic_and_russian_names(client):
    CompanyFactory(name_en="Alpha Medical", name_ar="ألفا الطبية", name_ru="Альфа Медикал")
    CompanyFactory(name_fa="شرکت کیمیا", name_en="Kimia")
    assert "ألفا الطبية" in client.get("/ar/companies/", {"q": "ألفا"}).content.decode()
    assert "Альфа Медикал" in client.get("/ru/companies/", {"q": "альфа"}).content.decode()
    found = client.get("/en/companies/", {"q": "كيميا"}).content.decode()  # Arabic ي and ك for ی and ک
    assert "Kimia" in found
    assert "Alpha Medical" not in found


# --- numbers and dates in each language's style -----------------------------------------------------
def render(language: str, text: str, **context: object) -> str:
    with translation.override(language):
        return Template("{% load portal_tags %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("language", "number", "digits", "date"),
    [
        ("fa", "۱۲٬۵۰۰٫۵", "۲۰۲۶", "۹ آذر ۱۴۰۵"),
        ("en", "12,500.5", "2026", "Nov. 30, 2026"),
        ("ar", "١٢٬٥٠٠٫٥", "٢٠٢٦", "٣٠ نوفمبر، ٢٠٢٦"),
        ("ru", "12\u00a0500,5", "2026", "30 ноября 2026 г."),
    ],
)
def test_numbers_digits_and_dates_follow_the_language(language, number, digits, date):
    assert render(language, "{{ n|localnumber }}", n=Decimal("12500.5")) == number
    assert render(language, "{{ y|localdigits }}", y=2026) == digits
    assert render(language, "{{ d|jdate }}", d=dt.date(2026, 11, 30)) == date


# --- the inquiry's e-mails in the buyer's language ----------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "greeting", "subject"),
    [
        ("ar", "Ali Hassan المحترم،", "وصل استفسارك"),
        ("ru", "Уважаемый(ая) Ali Hassan,", "Ваш запрос"),
    ],
)
def test_the_buyer_gets_the_acknowledgement_and_replies_in_the_pages_language(
    client, django_capture_on_commit_callbacks, broker_member, language, greeting, subject
):
    from brokers import services

    country = TargetCountryFactory(iso_code="IQ")
    product = ProductFactory(name_en="Mask", name_ar="كمامة", name_ru="Маска")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/{language}/inquiries/new/?product={product.pk}",
            {
                "name": "Ali Hassan", "organisation": "Basra Medical", "country": country.pk,
                "email": "ali@buyer.example", "message": "Please quote 10,000 masks.",
            },
        )  # fmt: skip
    assert response.status_code == 302
    inquiry = BuyerInquiry.objects.get()
    assert inquiry.language == language
    [acknowledgement] = [m for m in mail.outbox if m.to == ["ali@buyer.example"]]
    assert subject in acknowledgement.subject
    assert acknowledgement.body.startswith(greeting)
    assert {"ar": "كمامة", "ru": "Маска"}[language] in acknowledgement.body
    assert acknowledgement.extra_headers["Content-Language"] == language
    thanks = client.get(response["Location"]).content.decode()
    assert f'<html lang="{language}"' in thanks

    mail.outbox.clear()
    services.inquiry_route(inquiry=inquiry)
    inquiry = services.inquiry_claim(inquiry=BuyerInquiry.objects.get(), by=broker_member)
    with django_capture_on_commit_callbacks(execute=True):
        services.inquiry_reply(inquiry=inquiry, by=broker_member, body="We can ship in May.")
    [reply] = [m for m in mail.outbox if m.to == ["ali@buyer.example"]]
    assert reply.body.startswith(greeting)
    assert inquiry.reference in reply.subject
    assert {"ar": "رد: استفسارك", "ru": "Re: ваш запрос"}[language] in reply.subject


# --- the language switch -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_visitors_switch_between_the_four_languages_on_the_same_page(client):
    product = ProductFactory()
    page = client.get(f"/ar/products/{product.pk}/").content.decode()
    links = dict(re.findall(r'href="([^"]+)" hreflang="(\w\w)" lang="\w\w" dir="\w+"', page))
    assert {code: href for href, code in links.items()} == {
        code: f"/{code}/products/{product.pk}/" for code in ("fa", "en", "ar", "ru")
    }


def test_a_page_in_another_language_is_its_path_with_another_prefix():
    """The switch and the hreflang links swap the prefix instead of asking Django's translate_url()
    (a resolve and a reverse each): right only while no URL pattern is translated. Every named
    page of the public side, in every language, must agree with translate_url()."""
    from django.urls import URLResolver, get_resolver, reverse, translate_url

    from portal.i18n.paths import path_in_language

    def names(resolver: URLResolver, namespace: str = "", groups: int = 0):  # noqa: ANN202
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from names(pattern, inner, groups + pattern.pattern.regex.groups)
            elif pattern.name and not groups and not pattern.pattern.regex.groups:
                yield namespace + pattern.name

    checked = 0
    for name in set(names(get_resolver())):
        for language, _ in settings.LANGUAGES:
            with translation.override(language):
                path = reverse(name)
            for other, _ in settings.LANGUAGES:
                with translation.override(language):
                    assert path_in_language(path, other) == translate_url(path, other), (name, path)
                checked += 1
    assert checked > 100


@pytest.mark.django_db
def test_signed_in_people_keep_persian_or_english_as_their_language(client_for, company_member):
    client = client_for(company_member)
    page = client.get("/ar/").content.decode()
    assert 'value="fa"' in page  # from an Arabic page, back to either
    assert 'value="en"' in page
    client.post("/i18n/setlang/", {"language": "ar", "next": "/ar/"})
    company_member.refresh_from_db()
    assert company_member.preferred_language == "fa"  # the account's language stays Persian or English
    client.post("/i18n/setlang/", {"language": "en", "next": "/en/"})
    company_member.refresh_from_db()
    assert company_member.preferred_language == "en"


@pytest.mark.parametrize(
    ("day", "language", "year"),
    [
        ("2026-03-20", "fa", "۱۴۰۴"),  # the last day of 1404
        ("2026-03-21", "fa", "۱۴۰۵"),  # Nowruz: the footer's year turns the same day
        ("2026-03-21", "en", "2026"),
        ("2026-12-31", "ar", "٢٠٢٦"),  # Arabic-Indic digits
    ],
)
def test_the_footer_year_is_jalali_in_persian_and_gregorian_otherwise(time_machine, day, language, year):
    time_machine.move_to(f"{day} 12:00:00+03:30", tick=False)
    with translation.override(language):
        assert Template("{% load portal_tags %}{% current_year %}").render(Context()) == year
