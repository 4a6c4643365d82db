"""Account security pages: the second factor (set up, pass, backup codes, turn off) and API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts import two_factor
from portal.accounts.api_tokens import api_token_create, api_token_revoke
from portal.accounts.forms import ApiTokenForm, PasswordConfirmForm, SecondFactorForm, SecondFactorSetupForm
from portal.models import ApiToken


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _show_backup_codes(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    """Backup codes appear in this one response only: they are stored hashed-by-use, never shown again."""
    return render(request, "registration/two_factor_backup_codes.html", {"codes": codes, "next": next_url})


@never_cache
@login_required
@require_GET
def two_factor_manage(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "registration/two_factor.html",
        {
            "enabled": two_factor.has_second_factor(user),
            "required": two_factor.requires_second_factor(user),
            "backup_codes_left": two_factor.backup_codes_left(user),
            "password_form": PasswordConfirmForm(user=user),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the key), confirm with a code; then the backup codes, once."""
    user = request.user
    enabled = two_factor.has_second_factor(user)
    if enabled and not two_factor.is_verified(user):
        # Replacing an authenticator needs the current one (or a backup code) first.
        return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': reverse('two_factor_setup')})}")
    device = two_factor.totp_device_pending(user=user)
    next_url = _next_url(request, reverse("admin:index") if user.is_staff else reverse("two_factor_manage"))
    form = SecondFactorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.totp_device_confirm(
            request=request, device=device, token=form.cleaned_data["token"]
        )
        if codes is not None:
            return _show_backup_codes(request, codes, next_url)
        form.add_error("token", _("This code is not correct. Check the time on your phone and try again."))
    context = {
        "form": form,
        "qr_svg": two_factor.totp_qr_svg(device),
        "secret": two_factor.totp_secret(device),
        "required": two_factor.requires_second_factor(user),
        "replacing": enabled,
        "next": next_url,
    }
    return render(request, "registration/two_factor_setup.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    next_url = _next_url(request, reverse("admin:index") if user.is_staff else reverse("home"))
    if two_factor.is_verified(user):
        return redirect(next_url)
    if not two_factor.has_second_factor(user):
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': next_url})}")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.second_factor_verify(request=request, user=user, token=form.cleaned_data["token"]):
            return redirect(next_url)
        form.add_error("token", _("This code is not correct, or was already used."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
@require_POST
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes (the old ones stop working), shown once."""
    user = request.user
    if not (two_factor.has_second_factor(user) and two_factor.is_verified(user)):
        return redirect("two_factor_manage")
    codes = two_factor.backup_codes_create(request=request, user=user)
    return _show_backup_codes(request, codes, reverse("two_factor_manage"))


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = request.user
    if two_factor.requires_second_factor(user):
        messages.error(request, _("Staff accounts must keep the second factor."))
        return redirect("two_factor_manage")
    form = PasswordConfirmForm(request.POST, user=user)
    if not form.is_valid():
        for error in form.errors.get("password", []):
            messages.error(request, error)
        return redirect("two_factor_manage")
    two_factor.second_factor_remove(request=request, user=user)
    messages.success(request, _("Two-step verification is off."))
    return redirect("two_factor_manage")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens, and a form for a new one; a new token is shown in full only here, once."""
    user = request.user
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        token, raw = api_token_create(
            request=request,
            user=user,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
        created = {"token": token, "raw": raw}
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=user).order_by("-created")
    return render(
        request, "registration/api_tokens.html", {"form": form, "tokens": tokens, "created": created}
    )


@login_required
@require_POST
def api_token_delete(request: HttpRequest, token_key: str) -> HttpResponse:
    if api_token_revoke(request=request, user=request.user, token_key=token_key):
        messages.success(request, _("The token has been revoked; it no longer works."))
    else:
        messages.error(request, _("No such token."))
    return redirect("api_tokens")
