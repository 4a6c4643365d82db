"""Jalali dates, Persian digits, digit normalisation in forms, and the static-only front end."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.utils import translation

from portal.forms import DigitsFormMixin, LocalDateField
from portal.i18n.digits import to_ascii_digits, to_persian_digits
from portal.templatetags.portal_tags import jdate, localnumber

pytestmark = pytest.mark.django_db


def test_digits_round_trip():
    assert to_ascii_digits("۰۹۱۲-٣٤٥ ۱۲٫۵") == "0912-345 12.5"
    assert to_persian_digits("1405/09/08") == "۱۴۰۵/۰۹/۰۸"


def test_jdate_is_jalali_with_persian_digits_in_persian_and_gregorian_in_english():
    day = dt.date(2026, 11, 29)
    with translation.override("fa"):
        assert jdate(day) == "۸ آذر ۱۴۰۵"
    with translation.override("en"):
        assert jdate(day) == "Nov. 29, 2026"


def test_jdate_uses_tehran_time_for_aware_datetimes():
    late_utc = dt.datetime(2026, 3, 20, 22, 0, tzinfo=dt.UTC)  # 01:30 on 21 March in Tehran
    with translation.override("fa"):
        assert jdate(late_utc) == "۱ فروردین ۱۴۰۵"


def test_localnumber_groups_thousands_in_both_languages():
    with translation.override("fa"):
        assert localnumber(1250000) == "۱٬۲۵۰٬۰۰۰"
    with translation.override("en"):
        assert localnumber(1250000) == "1,250,000"


class AmountForm(DigitsFormMixin, forms.Form):
    digit_fields = ("national_id",)

    amount = forms.DecimalField(max_digits=12, decimal_places=2)
    quantity = forms.IntegerField()
    national_id = forms.RegexField(regex=r"^[0-9]{11}$")
    note = forms.CharField(required=False)


def test_numeric_and_marked_fields_accept_persian_and_arabic_indic_digits():
    form = AmountForm(
        data={"amount": "۱۲۵۰٫۵", "quantity": "٣٠٠", "national_id": "۱۰۱۰۰۳۸۷۴۴۵", "note": "۱۲"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "amount": Decimal("1250.5"),
        "quantity": 300,
        "national_id": "10100387445",
        "note": "۱۲",  # free text keeps the digits the user typed
    }


def test_numbers_show_back_in_the_digits_the_reader_reads():
    form = AmountForm(initial={"amount": Decimal("1250.50"), "quantity": 300, "national_id": "10100387445"})
    with translation.override("fa"):
        assert 'value="۱۲۵۰٫۵۰"' in str(form["amount"])
        assert 'inputmode="decimal"' in str(form["amount"])
        assert 'value="۳۰۰"' in str(form["quantity"])
        assert 'inputmode="numeric"' in str(form["quantity"])
        assert 'value="۱۰۱۰۰۳۸۷۴۴۵"' in str(form["national_id"])
        assert 'type="number"' not in str(form)  # a browser's number box would refuse Persian digits
    with translation.override("ar"):
        assert 'value="١٢٥٠٫٥٠"' in str(form["amount"])
    with translation.override("en"):
        assert 'value="1250.50"' in str(form["amount"])
    with translation.override("ru"):  # a decimal comma would read back as a thousands mark: kept as a point
        assert 'value="1250.50"' in str(form["amount"])


def test_what_was_typed_shows_back_in_persian_digits_and_reads_back_the_same():
    with translation.override("fa"):
        form = AmountForm(data={"amount": "۱۲٬۵۰۰٫۵", "quantity": "300", "national_id": "۱۲۳"})
        assert not form.is_valid()  # the national id is too short
        assert 'value="۱۲۵۰۰٫۵"' in str(form["amount"])  # typed with a grouping mark, shown without
        assert 'value="۳۰۰"' in str(form["quantity"])  # typed in ASCII, shown as the page writes it
        assert 'value="۱۲۳"' in str(form["national_id"])
        again = AmountForm(data={"amount": "۱۲۵۰۰٫۵", "quantity": "۳۰۰", "national_id": "۱۰۱۰۰۳۸۷۴۴۵"})
        assert again.is_valid()
        assert again.cleaned_data["amount"] == Decimal("12500.5")


def test_bad_number_is_a_field_error_in_persian():
    with translation.override("fa"):
        form = AmountForm(data={"amount": "دوازده", "quantity": "1", "national_id": "1"})
        assert not form.is_valid()
        assert form.errors["amount"] == ["یک عدد وارد کنید."]


def test_pages_load_nothing_from_other_hosts(client):
    for url in ["/fa/", "/en/", "/fa/accounts/signup/", "/en/countries/", "/api/docs/"]:
        content = client.get(url).content.decode()
        addresses = re.findall(r'(?:src|href)="((?:https?:)?//[^"]+)"', content)
        # The page's own address (canonical, alternates) is absolute, on its own host.
        external = [address for address in addresses if not address.startswith("http://testserver/")]
        assert external == [], f"{url} loads {external}"


def test_persian_pages_use_the_rtl_bootstrap_and_vazirmatn(client):
    fa = client.get("/fa/").content.decode()
    en = client.get("/en/").content.decode()
    assert 'dir="rtl"' in fa
    assert "bootstrap.rtl.min.css" in fa
    assert "vazirmatn.css" in fa
    assert 'dir="ltr"' in en
    assert "bootstrap.min.css" in en


def test_persian_footer_shows_the_jalali_year(client):
    assert "© ۱۴۰" in client.get("/fa/").content.decode()


def test_server_error_page_is_friendly_and_self_contained(client, settings):
    from django.template.loader import render_to_string

    with translation.override("fa"):
        html = render_to_string("500.html")
    assert 'dir="rtl"' in html
    assert '<h1 class="h3">خطایی در سامانه رخ داده است</h1>' in html
    assert "Something went wrong" not in html


class DateForm(forms.Form):
    day = LocalDateField()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("۱۴۰۵/۰۹/۰۸", dt.date(2026, 11, 29)),
        ("1405-9-8", dt.date(2026, 11, 29)),
        ("١٤٠٥/٠١/٠١", dt.date(2026, 3, 21)),
        ("2026-11-29", dt.date(2026, 11, 29)),
    ],
)
def test_date_fields_accept_jalali_and_gregorian(typed, expected):
    form = DateForm(data={"day": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == expected


@pytest.mark.parametrize("typed", ["1404/13/40", "1405/12/31", "yesterday", "2026-02-30"])
def test_impossible_dates_are_field_errors(typed):
    with translation.override("fa"):
        form = DateForm(data={"day": typed})
        assert not form.is_valid()
        assert form.errors["day"] == ["یک تاریخ معتبر وارد کنید."]


def test_date_input_shows_jalali_in_persian_and_a_date_picker_in_english():
    form = DateForm(initial={"day": dt.date(2026, 11, 29)})
    with translation.override("fa"):
        html = str(form["day"])
        assert 'type="text"' in html
        assert 'value="۱۴۰۵/۰۹/۰۸"' in html
        assert DateForm(data={"day": "۱۴۰۵/۰۹/۰۸"}).is_valid()  # what is shown reads back
    with translation.override("en"):
        html = str(form["day"])
        assert 'type="date"' in html
        assert 'value="2026-11-29"' in html


TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
COUNTED = re.compile(r"{% blocktranslate count (\w+)=.*?%}(.*?){% endblocktranslate %}", re.S)


def test_no_template_shows_a_plural_counter_with_latin_digits():
    """`blocktranslate count n=…` needs the raw number to choose the plural; the figure shown is
    another variable (`with shown=…|localnumber`), or Persian pages read "123 محصول"."""
    raw = [
        (path.relative_to(TEMPLATES_DIR), counter)
        for path in TEMPLATES_DIR.rglob("*.html")
        for counter, body in COUNTED.findall(path.read_text(encoding="utf-8"))
        if "{{ " + counter + " }}" in body
    ]
    assert raw == []


def test_persian_counts_on_public_pages_use_persian_digits(client):
    from tests.brokers.factories import OfferFactory
    from tests.products.factories import ProductFactory

    product = ProductFactory(lead_time_days=21)
    for _ in range(12):
        OfferFactory()
    assert "۱۲ پیشنهاد باز" in client.get("/fa/offers/").content.decode()
    assert "۲۱ روز" in client.get(f"/fa/products/{product.pk}/").content.decode()
    directory = client.get("/fa/companies/").content.decode()
    assert re.search(r"[۰-۹]+ شرکت", directory)
    assert not re.search(r"\b[0-9]+ شرکت", directory)
