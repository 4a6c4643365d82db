"""Test helpers for the second factor: real TOTP codes and staff sessions that passed it.

Staff can reach nothing without a verified second factor (portal/accounts/two_factor.py). Tests about
something else log staff in with `force_login_verified` (or the `client_for` fixture, which uses it
for staff); tests about the second factor itself use `totp_device` and `totp_now` to go through the
real pages.
"""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.two_factor import TOTP_DEVICE_NAME
from portal.models import User


def totp_device(user: User) -> TOTPDevice:
    """The user's confirmed authenticator, created if the user has none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)


def totp_now(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app would show now (or `steps_ahead` 30-second steps later)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead)
    return f"{code:0{device.digits}d}"


def force_login_verified(client: Client, user: User) -> Client:
    """Log `user` in as if they had typed their password and a code from their authenticator."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
    return client


def totp_from_secret(secret: str) -> str:
    """The current code for a key as the setup page shows it (base32, in groups of four)."""
    import base64

    key = secret.replace(" ", "").upper()
    key += "=" * (-len(key) % 8)
    return f"{totp(base64.b32decode(key)):06d}"


def admin_log_in(page, user: User, password: str, next_url: str = "/admin/") -> None:
    """In a browser (Playwright): the admin's log-in, then the second factor staff must pass,
    set up on a first log-in (reading the key printed beside the QR code), else a code."""
    import re

    from playwright.sync_api import expect

    page.goto(f"/admin/login/?next={next_url}")
    page.fill("#id_username", user.email)
    page.fill("#id_password", password)
    page.locator("input[type=submit]").click()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        expect(page.locator(".qr-code svg")).to_be_visible()
        page.fill("#id_token", totp_from_secret(page.locator("#totp-secret").text_content()))
        page.locator("main form:has(#id_token) button[type=submit]").click()
        expect(page.get_by_test_id("backup-codes").locator("code")).to_have_count(10)
        page.locator("main a.btn-primary").click()
    else:
        page.fill("#id_token", totp_now(device))
        page.locator("main form:has(#id_token) button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))
