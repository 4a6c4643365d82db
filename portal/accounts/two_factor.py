"""The second factor: TOTP apps with one-time backup codes (django-otp), and who must use it.

Staff (reviewers, programme managers, superusers: anyone with `is_staff` or `is_superuser`) must
pass it before any page but the two-factor pages themselves; a staff member without a device is led
to set one up. Company and broker members may turn it on from their account page, and from then on
their log-in asks for it too.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.security_log import security_event_record
from portal.models import SecurityEvent, User

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"
# Set at log-in for people who turned the second factor on (staff are recognised without it).
SESSION_PENDING_KEY = "two_factor_pending"
# Views a signed-in person may reach before passing the second factor.
OPEN_VIEWS = {
    "two_factor_verify",
    "two_factor_setup",
    "logout",
    "admin:logout",
    "set_language",
    "healthz",
}


def requires_second_factor(user: User | AnonymousUser) -> bool:
    """Staff must always use a second factor."""
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(user: User | AnonymousUser) -> bool:
    checker = getattr(user, "is_verified", None)
    return bool(checker and checker())


def needs_verification(request: HttpRequest) -> bool:
    """Signed in, must pass the second factor, and has not yet in this session."""
    user = request.user
    if not user.is_authenticated or is_verified(user):
        return False
    return requires_second_factor(user) or bool(request.session.get(SESSION_PENDING_KEY))


# ---------------------------------------------------------------------------
# Devices
# ---------------------------------------------------------------------------
def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator the user is setting up (one at a time), created if need be."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for people who type it instead of scanning."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def totp_qr_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// URL as an inline SVG QR code, drawn on the server (no script, no CDN)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
    label = _("QR code for your authenticator app")
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308


def normalise_code(token: str) -> str:
    from portal.i18n.digits import to_ascii_digits

    return re.sub(r"[\s-]", "", to_ascii_digits(token or "")).lower()


@transaction.atomic
def totp_device_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm `device` with a code from the app; on success mark the session verified, replace
    any older authenticator and return a fresh set of backup codes (to be shown once)."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(normalise_code(token)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    otp_login(request, device)
    security_event_record(request, SecurityEvent.Kind.OTP_ENROLLED, user=device.user)
    return backup_codes_create(request=request, user=device.user)


def backup_codes_create(*, request: HttpRequest, user: User) -> list[str]:
    """Replace the user's backup codes with BACKUP_CODE_COUNT new ones; return them (shown once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    security_event_record(request, SecurityEvent.Kind.BACKUP_CODES_CREATED, user=user)
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_remove(*, request: HttpRequest, user: User) -> None:
    """Remove every device (authenticator and backup codes); refused for staff."""
    if requires_second_factor(user):
        raise PermissionError("staff must keep their second factor")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(SESSION_PENDING_KEY, None)
    security_event_record(request, SecurityEvent.Kind.OTP_REMOVED, user=user)


def second_factor_verify(*, request: HttpRequest, user: User, token: str) -> bool:
    """Check a code from the authenticator or a backup code; on success mark the session verified."""
    token = normalise_code(token)
    if not token:
        return False
    with transaction.atomic():
        for model in (TOTPDevice, StaticDevice):
            for device in model.objects.select_for_update().filter(user=user, confirmed=True):
                if device.verify_token(token):
                    otp_login(request, device)
                    request.session.pop(SESSION_PENDING_KEY, None)
                    if isinstance(device, StaticDevice):
                        security_event_record(
                            request,
                            SecurityEvent.Kind.BACKUP_CODE_USED,
                            user=user,
                            detail=_("%(count)d backup codes left") % {"count": backup_codes_left(user)},
                        )
                    security_event_record(request, SecurityEvent.Kind.OTP_VERIFIED, user=user)
                    return True
    security_event_record(request, SecurityEvent.Kind.OTP_FAILED, user=user)
    return False


def mark_pending_on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """user_logged_in receiver: people who turned the second factor on must pass it next."""
    if request is not None and hasattr(request, "session") and not requires_second_factor(user):
        if has_second_factor(user):
            request.session[SESSION_PENDING_KEY] = True


# ---------------------------------------------------------------------------
# Enforcement
# ---------------------------------------------------------------------------
class StaffSecondFactorMiddleware:
    """Signed-in people who must pass the second factor reach nothing else until they have.

    Goes after django-otp's OTPMiddleware. Pages redirect to the second-factor step (or its setup
    for staff without a device), keeping where they were going; the API answers 403.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.view_name in OPEN_VIEWS or not needs_verification(request):
            return None
        if request.path.startswith("/api/"):
            message = _("Pass the second factor on the website before using the API with this session.")
            error = {"code": "second_factor_required", "message": message, "fields": {}}
            return JsonResponse({"error": error}, status=403)
        user = request.user
        step = "two_factor_verify" if has_second_factor(user) else "two_factor_setup"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
