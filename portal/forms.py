"""Form building blocks shared by every app: Bootstrap styling, Persian digits, phones, Jalali dates."""

from __future__ import annotations

import datetime
from typing import Any

import jdatetime
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.i18n.digits import NumberFormatError, parse_number, to_ascii_digits, to_persian_digits
from portal.i18n.languages import number_style

NUMERIC_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)

phone_validator = RegexValidator(
    r"^\+?[0-9]{7,15}$", _("Enter a phone number of 7 to 15 digits, optionally starting with +.")
)


class StyledFormMixin:
    """Give widgets Bootstrap classes and mark invalid fields for browsers and screen readers;
    no text is cut to length silently."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            # A browser cuts pasted text at `maxlength` without a word: the field's own check
            # refuses it instead, saying the limit, with the text kept for the user to shorten.
            widget.attrs.pop("maxlength", None)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


NUMBER_FORMAT_ERROR = _(
    "Write decimals with a point (1.25 or ۱٫۲۵) and group thousands in threes (12,500 or ۱۲٬۵۰۰)."
)


class LocalDigitsInput(forms.TextInput):
    """A number (or a code of digits) shown in the digits the page's reader reads: ۱۲۵۰۰٫۵ on a
    Persian page, ١٢٥٠٠٫٥ on an Arabic one, 12500.5 elsewhere; typed in any of them. A text box,
    since a browser's number box takes ASCII digits only; `inputmode` brings up the digit keyboard.
    Only the digits and the decimal point change, never a grouping mark, so what is shown reads back
    as the same number (`parse_number`)."""

    def __init__(self, attrs: dict[str, Any] | None = None, *, number: bool = True) -> None:
        super().__init__(attrs={"dir": "ltr", **(attrs or {})})
        self.number = number

    def format_value(self, value: Any) -> str | None:
        text = super().format_value(value)
        style = number_style()
        if text is None or style.digits.isascii():
            return text
        shown = style.digits_only(text)
        return shown.replace(".", style.decimal) if self.number else shown


class LocalNumberInput(LocalDigitsInput):
    """LocalDigitsInput that reads what was typed back as a plain number itself ("۱۲٬۵۰۰" is
    "12500", as `parse_number`), for forms that are not DigitsFormMixin's: the admin's number boxes
    (portal.admin_display.install). Separators that fit no reading are left for the field to refuse."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        if not isinstance(value, str) or not value.strip():
            return value
        try:
            return parse_number(value)
        except NumberFormatError:
            return to_ascii_digits(value).strip()


class DigitsFormMixin:
    """Accept Persian and Arabic-Indic digits in every numeric field and in `digit_fields`, and
    show them back in the reader's digits (`LocalDigitsInput`).

    The bound data is normalised before validation, so validators such as regexes see only ASCII.
    Numbers are read by `parse_number`: "1,25" is 1.25 and "12,500" is 12500; a number whose
    separators fit no reading ("1,2,3") keeps what was typed and gets a field error saying how to
    write it, never a guess.
    """

    digit_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            number = isinstance(field, NUMERIC_FIELDS)
            if not (number or name in self.digit_fields) or type(field.widget) not in (
                forms.NumberInput,
                forms.TextInput,
            ):
                continue
            attrs = {
                key: value for key, value in field.widget.attrs.items() if key not in ("min", "max", "step")
            }
            if number:
                decimal = isinstance(field, (forms.DecimalField, forms.FloatField))
                attrs.setdefault("inputmode", "decimal" if decimal else "numeric")
            field.widget = LocalDigitsInput(attrs, number=number)
            field.widget.is_required = field.required

    def full_clean(self) -> None:
        unclear: dict[str, str] = {}
        if self.is_bound:
            data = self.data.copy()
            for name, field in self.fields.items():
                numeric = isinstance(field, NUMERIC_FIELDS)
                if not (numeric or name in self.digit_fields):
                    continue

                def normalise(value: object, numeric: bool = numeric, name: str = name) -> object:
                    if not isinstance(value, str):
                        return value
                    if not numeric or not value.strip():
                        return to_ascii_digits(value)
                    try:
                        return parse_number(value)
                    except NumberFormatError:
                        unclear[name] = typed = to_ascii_digits(value).strip()
                        return typed

                key = self.add_prefix(name)
                if hasattr(data, "getlist"):
                    values = data.getlist(key)
                    if values:
                        data.setlist(key, [normalise(v) for v in values])
                elif key in data:
                    data[key] = normalise(data[key])
            self.data = data
        super().full_clean()
        for name, typed in unclear.items():  # refused even where Django would take it ("1e5")
            numberlike = all(ch.isdigit() or ch in ".,+- " for ch in typed) and any(
                ch.isdigit() for ch in typed
            )
            # Digits with unclear separators: say how to write them; anything else: "Enter a number."
            message = NUMBER_FORMAT_ERROR if numberlike else self.fields[name].error_messages["invalid"]
            self._errors[name] = self.error_class([message])
            getattr(self, "cleaned_data", {}).pop(name, None)


def normalize_phone(value: str) -> str:
    """Drop the spaces, dashes and brackets people type in phone numbers; keep anything else."""
    return "".join(ch for ch in to_ascii_digits(value) if ch not in " -()\u200c")


class PhoneField(forms.CharField):
    """A phone number typed in any digits and with any spacing, stored as +?digits."""

    default_validators = [phone_validator]

    def to_python(self, value: Any) -> str:
        return normalize_phone(super().to_python(value))


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form: to its fields where it names them."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def formfield_https(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """ModelForm `formfield_callback`: URL fields assume https:// when the scheme is left out."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class LocalDateInput(forms.DateInput):
    """A date box: Jalali (۱۴۰۵/۰۹/۰۸) on Persian pages, the browser's date picker on English ones."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"dir": "ltr", **(attrs or {})}, format="%Y-%m-%d")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        persian = (translation.get_language() or "fa").startswith("fa")
        self.input_type = "text" if persian else "date"
        attrs = {**(attrs or {})}
        if persian:
            attrs.setdefault("placeholder", to_persian_digits("1405/09/08"))
            attrs.setdefault("inputmode", "numeric")
        return super().get_context(name, value, attrs)

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date) and (translation.get_language() or "fa").startswith("fa"):
            return to_persian_digits(jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d"))
        return super().format_value(value)


class LocalDateField(forms.DateField):
    """Accepts Jalali dates (1405/09/08, with any digits) and Gregorian ISO dates (2026-11-29)."""

    widget = LocalDateInput

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, str) and value.strip():
            return self._parse(to_ascii_digits(value).strip())
        return super().to_python(value)

    def _parse(self, text: str) -> datetime.date:
        parts = text.replace("-", "/").replace(".", "/").split("/")
        invalid = ValidationError(self.error_messages["invalid"], code="invalid")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
            raise invalid
        year, month, day = (int(p) for p in parts)
        try:
            if 1300 <= year <= 1500:  # a Jalali year
                return jdatetime.date(year, month, day).togregorian()
            if 1900 <= year <= 2200:
                return datetime.date(year, month, day)
        except ValueError:
            raise invalid from None
        raise invalid
