"""What a buyer reads: the templates and Python modules of the public pages, which are translated
into every language of settings.LANGUAGES (Arabic and Russian included). A test checks that each
message of these files has a translation in every catalog (tests/portal/test_languages.py).

Every other message of the Arabic and Russian catalogs (the signed-in side, which works in Persian
and English) is filled with its English text, marked with ENGLISH_FALLBACK as a translator's
comment, by locale/tools/fill_public.py: left empty, Django would show the Persian one (its
fallback is the default language's catalog, not the English source)."""

from __future__ import annotations

# Paths (or path prefixes) as makemessages writes them in the .po files' references.
PUBLIC_SOURCES = (
    "templates/base.html",
    "templates/includes/_header.html",
    "templates/includes/_footer.html",
    "templates/includes/_language_switch.html",
    "templates/includes/_pagination.html",
    "templates/includes/_messages.html",
    "templates/includes/_social_meta.html",
    "templates/includes/_form_field.html",
    "templates/includes/_checkbox_group.html",
    "templates/400.html",
    "templates/403.html",
    "templates/404.html",
    "templates/500.html",
    "templates/portal/home.html",
    "templates/portal/country_list.html",
    "templates/portal/country_detail.html",
    "templates/products/product_list.html",
    "templates/products/product_detail.html",
    "templates/products/partials/_product_card.html",
    "templates/companies/company_list.html",
    "templates/companies/company_detail.html",
    "templates/companies/partials/",
    "templates/brokers/broker_list.html",
    "templates/brokers/broker_detail.html",
    "templates/brokers/partials/_by_broker.html",
    "templates/brokers/partials/_results.html",
    "templates/brokers/partials/_service_card.html",
    "templates/brokers/partials/_service_fee.html",
    "templates/brokers/offer_list.html",
    "templates/brokers/offer_detail.html",
    "templates/brokers/partials/_offer_card.html",
    "templates/brokers/inquiry_form.html",
    "templates/brokers/inquiry_thanks.html",
    "templates/support/joint_brand.html",
    "templates/results/public_results.html",
    "templates/results/partials/_public_table.html",
    "templates/emails/inquiry_acknowledgement",
    "templates/emails/inquiry_reply",
    "templates/emails/_base.html",
    "products/filters.py",
)

# Messages of other Python modules that the public pages show: the catalog's and the offer board's
# filters, the inquiry form's labels, and the choices named on product, company and offer pages.
PUBLIC_MESSAGES = (
    # filter forms' "no choice" option (settings.FILTERS_EMPTY_CHOICE_LABEL, portal/filters.py)
    "Any",
    # certificates' validity on the product page, offers' and companies' status badges
    "valid", "expires soon", "Open", "Closed", "Verified",
    # the landing page's figures (registered by each app's AppConfig.ready())
    "verified knowledge-based companies", "licensed export brokers", "open offers",
    "support programmes open now", "products in the catalog",
    # languages (the switch, hreflang)
    "Persian", "English", "Arabic", "Russian", "Language",
    # the inquiry form (brokers.models.BuyerInquiry)
    "your name", "organisation", "your country", "e-mail address", "message",
    # units of products and offers (products.models.Product.Unit)
    "pieces", "boxes", "kits", "devices", "litres", "pairs",
    # companies (companies.models)
    "Private joint-stock company", "Public joint-stock company", "Limited liability company", "Cooperative",
    "Other", "Alborz", "Ardabil", "Bushehr", "Chaharmahal and Bakhtiari", "East Azerbaijan", "Isfahan",
    "Fars", "Gilan", "Golestan", "Hamadan", "Hormozgan", "Ilam", "Kerman", "Kermanshah", "Khuzestan",
    "Kohgiluyeh and Boyer-Ahmad", "Kurdistan", "Lorestan", "Markazi", "Mazandaran", "North Khorasan",
    "Qazvin", "Qom", "Razavi Khorasan", "Semnan", "Sistan and Baluchestan", "South Khorasan", "Tehran",
    "West Azerbaijan", "Yazd", "Zanjan",
    # the offer board (brokers.filters.OfferFilter, brokers.models.Offer.Kind)
    "Country", "Category", "Kind", "Deadline before", "Broker", "Brokerage name", "Buyer demand",
    "Service offer",
    # the broker directory (brokers.filters.BrokerFilter) and brokerages' working languages
    "Covered country", "Service", "Working language", "Name", "Turkish", "Urdu", "Pashto", "Azerbaijani",
    "Armenian", "Kazakh", "French", "Chinese",
)  # fmt: skip

# The translator's comment on messages of the Arabic and Russian catalogs that read in English.
ENGLISH_FALLBACK = "English: not translated for buyers (signed-in side)"
