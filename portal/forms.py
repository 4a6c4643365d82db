from __future__ import annotations

import datetime
from typing import Any

import jdatetime
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .digits import NumberFormatError, parse_number, to_ascii_digits, to_persian_digits
from .lockout import lockout_message
from .models import User

NUMERIC_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)

phone_validator = RegexValidator(
    r"^\+?[0-9]{7,15}$", _("Enter a phone number of 7 to 15 digits, optionally starting with +.")
)


class StyledFormMixin:
    """Give widgets Bootstrap classes and mark invalid fields for browsers and screen readers."""

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

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


NUMBER_FORMAT_ERROR = _(
    "Write decimals with a point (1.25 or ۱٫۲۵) and group thousands in threes (12,500 or ۱۲٬۵۰۰)."
)


class DigitsFormMixin:
    """Accept Persian and Arabic-Indic digits in every numeric field and in `digit_fields`.

    The bound data is normalised before validation, so the form re-displays ASCII digits and
    validators such as regexes see only ASCII. Numbers are read by `parse_number`: "1,25" is
    1.25 and "12,500" is 12500; a number whose separators fit no reading ("1,2,3") keeps what was
    typed and gets a field error saying how to write it, never a guess.
    """

    digit_fields: tuple[str, ...] = ()

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


class SignUpForm(StyledFormMixin, forms.ModelForm):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["full_name", "email", "phone", "preferred_language"]
        field_classes = {"phone": PhoneField}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}

    def clean_email(self) -> str:
        # Whether the address has an account is never said here (portal.services.user_signup).
        return self.cleaned_data["email"].lower()

    def validate_unique(self) -> None:
        """No "already exists" error: that would tell anyone which addresses have accounts."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords do not match."))
        elif p1:
            probe = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "preferred_language", "email_notifications", "away_until"]
        field_classes = {"phone": PhoneField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.is_staff:
            del self.fields["away_until"]  # only the centre's staff are assigned work
        else:  # Jalali dates on Persian pages (the field class is defined further down)
            model_field = User._meta.get_field("away_until")
            self.fields["away_until"] = model_field.formfield(form_class=LocalDateField)
            self.fields["away_until"].widget.attrs["class"] = "form-control"


class LockoutAwareFormMixin:
    """A log-in form that tells a locked-out person so, in their language, instead of "wrong password".

    django-axes refuses the attempt before any password is checked and flags the request; the
    form shows the lockout as its error and the page answers 429 (portal.lockout.lockout_response).
    """

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                self.request.lockout_shown = True
                raise ValidationError(lockout_message(), code="too_many_attempts") from None
            raise


class EmailAuthenticationForm(LockoutAwareFormMixin, StyledFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The e-mail address or password is not correct."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].lower()


class AdminLoginForm(LockoutAwareFormMixin, AdminAuthenticationForm):
    """The admin's log-in form under the same lockout policy."""

    def clean_username(self) -> str:
        return (self.cleaned_data.get("username") or "").lower()


class SecondFactorForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr", "autofocus": True}
        ),
    )


class SecondFactorSetupForm(SecondFactorForm):
    token = forms.CharField(
        label=_("Code from the app"),
        max_length=20,
        help_text=_("Enter the 6-digit code your authenticator app shows now."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "dir": "ltr"}),
    )


class PasswordConfirmForm(StyledFormMixin, forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("The password is not correct."), code="password_incorrect")
        return password


class ApiTokenForm(StyledFormMixin, forms.Form):
    EXPIRY_CHOICES = [
        ("30", _("30 days")),
        ("90", _("90 days")),
        ("365", _("One year")),
        ("", _("Never (until revoked)")),
    ]
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What the token is for, e.g. the system that will use it."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires after"),
        choices=EXPIRY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Give the token a name."), code="required")
        return name


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
            return jdatetime.date.fromgregorian(date=value).strftime("%Y/%m/%d")
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


class QueuedPasswordResetForm(StyledFormMixin, PasswordResetForm):
    """Django's reset form, but the e-mail goes through the notification outbox.

    The request only writes a `password_reset` notification row; a worker e-mails it after commit
    and makes the link (and its token) as it sends, so the database never holds a usable token.
    While the broker is down the row waits and `notification_emails_sweep` sends it afterwards.
    """

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from .notifications import notify

        notify(
            recipient=context["user"],
            kind="password_reset",
            context={"protocol": context["protocol"], "domain": context["domain"]},
        )


class InviteForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("Colleague's e-mail address"), widget=forms.EmailInput(attrs={"dir": "ltr"})
    )
