"""Account pages: sign up and confirm, log in, password reset and change, the profile."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts import lockout
from portal.accounts.forms import (
    EmailAuthenticationForm,
    ProfileForm,
    QueuedPasswordResetForm,
    SignUpForm,
)
from portal.accounts.security_log import security_event_record
from portal.accounts.services import signup_token_generator, user_activate, user_signup, user_update_profile
from portal.i18n.paths import path_in_language
from portal.models import SecurityEvent, User


def _home_in(language: str) -> str:
    with translation.override(language):
        return reverse("home")


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Sign up; the answer is the same whether or not the address has an account (see user_signup)."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None, initial={"preferred_language": translation.get_language()})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not lockout.form_door_passed(request, form, door="signup", username=data["email"]):
            status = 429
        else:
            user_signup(
                email=data["email"],
                password=data["password1"],
                full_name=data["full_name"],
                phone=data["phone"],
                preferred_language=data["preferred_language"],
            )
            request.session["signup_email"] = data["email"]
            return redirect("signup_done")
    return render(request, "registration/signup.html", {"form": form}, status=status)


@require_GET
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(
        request, "registration/signup_done.html", {"email": request.session.get("signup_email", "")}
    )


@never_cache
@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link in the confirmation e-mail: a button (so that mail scanners opening links do not use
    it up) that activates the account and logs in."""
    if not lockout.door_is_open(request, counters=(lockout.ADDRESS,)):
        return lockout.lockout_response(request)
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    valid = user is not None and signup_token_generator.check_token(user, token)
    if not valid:
        lockout.door_failed(request, door="signup_confirm", counters=(lockout.ADDRESS,))
        return render(request, "registration/signup_confirm.html", {"valid": False}, status=400)
    if request.method == "POST":
        user = user_activate(user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        with translation.override(user.preferred_language):
            messages.success(
                request, _("Welcome! Your account is ready. Next, register your company or brokerage.")
            )
        response = redirect(_home_in(user.preferred_language))
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.preferred_language)
        return response
    return render(request, "registration/signup_confirm.html", {"valid": True, "account": user})


class LoginView(auth_views.LoginView):
    """Log in with e-mail, then continue in the language of the page the form was on: someone who
    logs in from an English page reads English, whatever their preferred language (which is for
    the e-mails, and changes with the profile or the language switch)."""

    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: EmailAuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        language = translation.get_language() or settings.LANGUAGE_CODE
        response["Location"] = path_in_language(response["Location"], language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, under the lockout policy; it never tells whether the address has an account."""

    form_class = QueuedPasswordResetForm

    def form_valid(self, form: QueuedPasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"].lower()
        if not lockout.form_door_passed(self.request, form, door="password_reset", username=email):
            return self.render_to_response(self.get_context_data(form=form), status=429)
        security_event_record(self.request, SecurityEvent.Kind.PASSWORD_RESET_REQUESTED, username=email)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A successful reset proves the owner: it lifts the account's lockout."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        lockout.account_unlock(self.request, username=form.user.email)
        security_event_record(
            self.request, SecurityEvent.Kind.PASSWORD_CHANGED, user=form.user, detail="reset"
        )
        security_event_record(
            self.request, SecurityEvent.Kind.UNLOCKED, user=form.user, detail="password reset"
        )
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        security_event_record(self.request, SecurityEvent.Kind.PASSWORD_CHANGED, user=form.user)
        return response


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = user_update_profile(user=request.user, **form.cleaned_data)
        with translation.override(user.preferred_language):
            messages.success(request, _("Your profile has been saved."))
        response = redirect(translate_url(request.path, user.preferred_language))
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, user.preferred_language, max_age=settings.LANGUAGE_COOKIE_AGE
        )
        return response
    return render(request, "registration/profile.html", {"form": form})
