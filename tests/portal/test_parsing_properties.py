"""Property tests of what people type: digits in any script, amounts, national IDs, HS codes, dates.

Hypothesis writes the inputs; each property says what a user would check: the number they meant,
never a multiple of it; a clear field error, never a crash.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jdatetime
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from companies.validators import national_id_check_digit, validate_national_id
from portal.forms import NUMBER_FORMAT_ERROR, DigitsFormMixin, LocalDateField
from portal.i18n.digits import (
    ARABIC_INDIC_DIGITS,
    PERSIAN_DIGITS,
    NumberFormatError,
    parse_number,
    to_ascii_digits,
    to_persian_digits,
)
from products.forms import normalize_hs_code
from products.models import hs_code_validator

PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCRIPTS = {"ascii": "0123456789", "persian": PERSIAN_DIGITS, "arabic": ARABIC_INDIC_DIGITS}


def in_script(text: str, script: str) -> str:
    return text.translate(str.maketrans("0123456789", SCRIPTS[script]))


# --- digits -------------------------------------------------------------------------------------------
@PROPERTIES
@given(st.text(alphabet="0123456789abc-/ ", max_size=30), st.sampled_from(list(SCRIPTS)))
def test_any_digits_come_back_as_the_same_ascii(text, script):
    typed = in_script(text, script)
    assert to_ascii_digits(typed) == text
    assert to_ascii_digits(to_persian_digits(text)) == text


@PROPERTIES
@given(st.text(max_size=40))
def test_normalising_digits_is_idempotent_and_leaves_no_eastern_digit(text):
    once = to_ascii_digits(text)
    assert to_ascii_digits(once) == once
    assert not any(ch in once for ch in PERSIAN_DIGITS + ARABIC_INDIC_DIGITS)


# --- amounts -------------------------------------------------------------------------------------------
amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("999999999.99"), places=2)


def written(amount: Decimal, style: str) -> str:
    """`amount` as people write it in `style`."""
    whole, _, cents = f"{amount:.2f}".partition(".")
    grouped = f"{int(whole):,}"
    return {
        "plain": f"{whole}.{cents}",
        "english": f"{grouped}.{cents}",
        "persian": to_persian_digits(f"{grouped.replace(',', '٬')}٫{cents}"),
        "arabic": in_script(f"{grouped.replace(',', '٬')}٫{cents}", "arabic"),
        "decimal comma": f"{whole},{cents}",
        "european": f"{grouped.replace(',', '.')},{cents}",
        "spaced": f"{grouped.replace(',', ' ')}.{cents}",
        "whole": whole if cents == "00" else f"{whole}.{cents}",
    }[style]


STYLES = ["plain", "english", "persian", "arabic", "decimal comma", "european", "spaced", "whole"]


@PROPERTIES
@given(amounts, st.sampled_from(STYLES))
@example(Decimal("1.25"), "decimal comma")  # the audit's "1,25", once saved as 125.00
@example(Decimal("12500"), "persian")
def test_an_amount_written_any_usual_way_is_read_as_that_amount(amount, style):
    assert Decimal(parse_number(written(amount, style))) == amount


@PROPERTIES
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=99))
def test_a_decimal_comma_with_one_or_two_decimals_is_never_a_thousands_separator(whole, cents):
    for fraction in {f"{cents}", f"{cents:02d}"}:
        value = Decimal(parse_number(f"{whole},{fraction}"))
        assert value == Decimal(f"{whole}.{fraction}")
        assert value < whole + 1  # never multiplied


@PROPERTIES
@given(st.text(alphabet="0123456789,.٫٬ ۱۲-+", max_size=16))
def test_any_text_is_a_number_or_a_clear_refusal(text):
    try:
        result = parse_number(text)
    except NumberFormatError:
        return
    Decimal(result)  # always a plain decimal when accepted
    typed_digits = "".join(ch for ch in to_ascii_digits(text) if ch.isdigit()).lstrip("0")
    assert "".join(ch for ch in result if ch.isdigit()).lstrip("0") == typed_digits  # none lost or added


class AmountForm(DigitsFormMixin, forms.Form):
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    quantity = forms.IntegerField(min_value=1, required=False)


@PROPERTIES
@given(st.text(max_size=20))
def test_an_amount_box_never_crashes_and_never_guesses(text):
    form = AmountForm({"amount": text})
    if form.is_valid():
        value = form.cleaned_data["amount"]
        assert value == Decimal(parse_number(text))
    else:
        assert "amount" in form.errors
        assert form.data["amount"].strip() in (to_ascii_digits(text).strip(), parse_number_or_none(text))


def parse_number_or_none(text: str) -> str | None:
    try:
        return parse_number(text)
    except NumberFormatError:
        return None


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("1,25", "1.25"), ("۱٫۲۵", "1.25"), ("١٬٢٣٤٫٥", "1234.5"), ("12,500", "12500"), ("1.234,56", "1234.56")],
)
def test_the_amount_box_reads_what_was_meant(typed, amount):
    form = AmountForm({"amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal(amount)


@pytest.mark.parametrize("typed", ["1,2,3", "1 25", "12,5.5"])
@pytest.mark.parametrize("language", ["en", "fa"])
def test_unclear_separators_are_a_field_error_in_the_users_language(typed, language):
    with translation.override(language):
        form = AmountForm({"amount": typed})
        assert not form.is_valid()
        assert form.errors["amount"] == [str(NUMBER_FORMAT_ERROR)]
        if language == "fa":
            assert "ممیز" in form.errors["amount"][0]
    assert form.data["amount"] == typed  # what they typed is shown again


def test_a_decimal_comma_in_a_whole_number_box_is_refused_not_multiplied():
    form = AmountForm({"amount": "10", "quantity": "1,5"})
    assert not form.is_valid()
    assert "quantity" in form.errors


# --- national ID ---------------------------------------------------------------------------------------
first_tens = st.text(alphabet="0123456789", min_size=10, max_size=10).filter(lambda s: int(s[3:9]) != 0)


@PROPERTIES
@given(first_tens, st.sampled_from(list(SCRIPTS)))
def test_a_national_id_with_its_check_digit_is_valid_in_any_digits(first_ten, script):
    national_id = first_ten + str(national_id_check_digit(first_ten))
    validate_national_id(to_ascii_digits(in_script(national_id, script)))


@PROPERTIES
@given(first_tens, st.integers(min_value=1, max_value=9))
def test_a_wrong_check_digit_is_refused(first_ten, shift):
    right = national_id_check_digit(first_ten)
    with pytest.raises(ValidationError) as refused:
        validate_national_id(first_ten + str((right + shift) % 10))
    assert refused.value.code == "national_id_checksum"


@PROPERTIES
@given(st.text(max_size=14).filter(lambda s: not (len(s) == 11 and s.isascii() and s.isdigit())))
def test_anything_but_eleven_digits_is_refused_with_the_length_message(text):
    with pytest.raises(ValidationError) as refused:
        validate_national_id(text)
    assert refused.value.code == "national_id_length"


# --- HS code -------------------------------------------------------------------------------------------
@PROPERTIES
@given(
    st.text(alphabet="0123456789", min_size=6, max_size=10),
    st.sampled_from(list(SCRIPTS)),
    st.sampled_from(["", ".", " "]),
)
def test_an_hs_code_in_groups_and_any_digits_is_its_digits(code, script, separator):
    groups = [code[:4], code[4:6], code[6:8], code[8:]]
    typed = in_script(separator.join(g for g in groups if g), script)
    assert normalize_hs_code(typed) == code
    hs_code_validator(normalize_hs_code(typed))


@PROPERTIES
@given(st.text(max_size=14))
def test_an_hs_code_is_accepted_only_as_six_to_ten_digits(text):
    code = normalize_hs_code(text)
    try:
        hs_code_validator(code)
    except ValidationError:
        assert not (code.isascii() and code.isdigit() and 6 <= len(code) <= 10)
    else:
        assert code.isascii()
        assert code.isdigit()
        assert 6 <= len(code) <= 10


# --- dates ---------------------------------------------------------------------------------------------
dates = st.dates(min_value=dt.date(1921, 3, 21), max_value=dt.date(2121, 3, 20))


@PROPERTIES
@given(dates, st.sampled_from(list(SCRIPTS)), st.sampled_from(["/", "-", "."]))
def test_a_jalali_date_in_any_digits_is_that_day(day, script, separator):
    jalali = jdatetime.date.fromgregorian(date=day)
    typed = in_script(f"{jalali.year}{separator}{jalali.month:02d}{separator}{jalali.day:02d}", script)
    assert LocalDateField().clean(typed) == day


@PROPERTIES
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_an_iso_date_is_that_day(day):
    assert LocalDateField().clean(day.isoformat()) == day


@PROPERTIES
@given(st.text(max_size=16))
@example("1405/13/01")
@example("1405/12/31")
@example("2026-02-30")
def test_any_date_text_is_a_day_or_a_field_error(text):
    try:
        LocalDateField(required=False).clean(text)
    except ValidationError as error:
        code = error.code
    else:
        code = None
    assert code in (None, "invalid", "required")  # nothing else escapes
