"""Account forms: sign-up, profile, log-in (site and admin), the second factor, API tokens, password reset."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.accounts.lockout import lockout_message
from portal.forms import LocalDateField, PhoneField, StyledFormMixin
from portal.models import User


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
        # Whether the address has an account is never said here (portal.accounts.services.user_signup).
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
        else:  # Jalali dates on Persian pages
            model_field = User._meta.get_field("away_until")
            self.fields["away_until"] = model_field.formfield(form_class=LocalDateField)
            self.fields["away_until"].widget.attrs["class"] = "form-control"


class LockoutAwareFormMixin:
    """A log-in form that tells a locked-out person so, in their language, instead of "wrong password".

    django-axes refuses the attempt before any password is checked and flags the request; the
    form shows the lockout as its error and the page answers 429 (portal.accounts.lockout.lockout_response).
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
        from portal.notifications.services import notify

        notify(
            recipient=context["user"],
            kind="password_reset",
            context={"protocol": context["protocol"], "domain": context["domain"]},
        )
