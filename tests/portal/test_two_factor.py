"""The second factor: staff must set it up and pass it; others may turn it on."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import SecurityEvent
from tests.portal.factories import PASSWORD, UserFactory
from tests.two_factor import totp_device, totp_now

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "/admin/",
    "/admin/support/application/",
    "/admin/support/application/dashboard/",
    "/admin/portal/user/",
]


def log_in(client: Client, user, language: str = "en", next_url: str = "") -> object:
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(f"/{language}/accounts/login/", data)


def setup_page_device(client: Client, user) -> TOTPDevice:
    response = client.get("/en/accounts/two-factor/setup/")
    assert response.status_code == 200
    return TOTPDevice.objects.get(user=user, confirmed=False)


def test_first_staff_login_leads_to_setup_and_a_real_code_opens_the_admin(client, manager):
    log_in(client, manager, next_url="/admin/")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert re.match(r"^/(fa|en)/accounts/two-factor/setup/\?next=%2Fadmin%2F$", response["Location"])

    response = client.get(response["Location"])
    page = response.content.decode()
    assert "<svg" in page
    assert "<script" not in page.split("<main")[1].split("</main>")[0]
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert secret.replace(" ", "") in device.config_url  # the same key as in the QR code
    assert client.get("/admin/").status_code == 302  # still not verified

    response = client.post("/en/accounts/two-factor/setup/", {"token": totp_now(device), "next": "/admin/"})
    assert response.status_code == 200
    codes = re.findall(
        r"<code class=\"d-block text-center[^>]*>([a-z2-7]{8})</code>", response.content.decode()
    )
    assert len(codes) == 10
    assert response["Cache-Control"].startswith("max-age=0")  # never cached
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/support/application/").status_code == 200
    assert set(SecurityEvent.objects.values_list("kind", flat=True)) >= {"login", "otp_enrolled"}
    # The codes are not shown again anywhere.
    assert codes[0] not in client.get("/en/accounts/two-factor/").content.decode()


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize("role", ["reviewer", "manager", "superuser"])
def test_staff_session_without_second_factor_cannot_open_admin_or_staff_pages(
    client_for, request, page, role
):
    if role == "superuser":
        user = UserFactory(is_staff=True, is_superuser=True)
    else:
        user = request.getfixturevalue(role)
    totp_device(user)  # has an app, but this session has only passed the password
    client = client_for(user, verified=False)
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].split("?")[0].endswith("/accounts/two-factor/verify/")
    api = client.get("/api/v1/notifications/")
    assert api.status_code == 403
    # The same person, verified: the page itself answers; a reviewer may not see the dashboard
    # or the users.
    refused = role == "reviewer" and page in {"/admin/support/application/dashboard/", "/admin/portal/user/"}
    assert client_for(user).get(page).status_code == (403 if refused else 200)


def test_admin_refuses_an_unverified_staff_user_even_without_the_middleware(rf, manager):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = manager
    assert not admin.site.has_permission(request)
    manager.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_staff_with_an_app_pass_with_a_code_or_a_backup_code_once(client, reviewer):
    device = totp_device(reviewer)
    log_in(client, reviewer, language="fa")
    response = client.get("/admin/")
    assert response["Location"].split("?")[0] == "/fa/accounts/two-factor/verify/"
    response = client.post(response["Location"], {"token": "123"})
    assert response.status_code == 200
    assert "این کد درست نیست" in response.content.decode()  # field errors in Persian
    device.throttle_reset()
    response = client.post("/fa/accounts/two-factor/verify/?next=/admin/", {"token": totp_now(device)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_backup_code_works_once(client, reviewer):
    totp_device(reviewer)
    from django_otp.plugins.otp_static.models import StaticDevice

    static = StaticDevice.objects.create(user=reviewer, name="backup", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd2345")
    log_in(client, reviewer)
    response = client.post("/en/accounts/two-factor/verify/", {"token": "ABCD 2345"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert SecurityEvent.objects.filter(kind="backup_code_used", user=reviewer).exists()

    other = Client()
    log_in(other, reviewer)
    response = other.post("/en/accounts/two-factor/verify/", {"token": "abcd2345"})
    assert response.status_code == 200
    assert "This code is not correct, or was already used." in response.content.decode()
    assert other.get("/admin/").status_code == 302


def test_persian_digits_are_accepted_in_the_code(client, reviewer):
    device = totp_device(reviewer)
    log_in(client, reviewer, language="fa")
    persian = totp_now(device).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = client.post("/fa/accounts/two-factor/verify/?next=/admin/", {"token": persian})
    assert response["Location"] == "/admin/"


def test_guessing_codes_is_slowed_down(client, reviewer):
    device = totp_device(reviewer)
    log_in(client, reviewer)
    client.post("/en/accounts/two-factor/verify/", {"token": "000000"})
    response = client.post("/en/accounts/two-factor/verify/", {"token": totp_now(device)})
    assert response.status_code == 200  # right code, but too soon after a wrong one
    assert client.get("/admin/").status_code == 302
    assert SecurityEvent.objects.filter(kind="otp_failed", user=reviewer).count() == 2


@pytest.mark.parametrize("token", ["", "x" * 500, "<script>", "۱۲", "\u0000"])
def test_bad_codes_never_fail(client, reviewer, token):
    totp_device(reviewer)
    log_in(client, reviewer)
    # The verify form comes back with its error (200); setup is for a user without an app, so this
    # one, who has one, is sent on (302). A NUL byte anywhere in a request is refused before any
    # view (portal.http.middleware): 400.
    for url, answer in [("/en/accounts/two-factor/verify/", 200), ("/en/accounts/two-factor/setup/", 302)]:
        assert client.post(url, {"token": token}).status_code == (400 if "\x00" in token else answer)
    assert not client.session.get("otp_device_id")  # and none of them passed


def test_company_member_turns_it_on_then_is_asked_at_login_and_turns_it_off(client, company_member):
    log_in(client, company_member)
    assert client.get("/en/accounts/profile/").status_code == 200  # not forced on non-staff
    assert "Two-step verification" in client.get("/en/accounts/profile/").content.decode()
    device = setup_page_device(client, company_member)
    response = client.post("/en/accounts/two-factor/setup/", {"token": totp_now(device)})
    assert len(re.findall(r"[a-z2-7]{8}</code>", response.content.decode())) == 10
    assert StaticToken.objects.filter(device__user=company_member).count() == 10

    client.post("/en/accounts/logout/")
    log_in(client, company_member)
    response = client.get("/en/companies/mine/")
    assert response["Location"].split("?")[0] == "/en/accounts/two-factor/verify/"
    device.refresh_from_db()
    client.post("/en/accounts/two-factor/verify/", {"token": totp_now(device, steps_ahead=1)})
    assert client.get("/en/accounts/two-factor/").status_code == 200

    response = client.post("/en/accounts/two-factor/disable/", {"password": "wrong"}, follow=True)
    assert "The password is not correct." in response.content.decode()
    assert TOTPDevice.objects.filter(user=company_member).exists()
    client.post("/en/accounts/two-factor/disable/", {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=company_member).exists()
    assert not StaticToken.objects.filter(device__user=company_member).exists()
    assert SecurityEvent.objects.filter(kind="otp_removed", user=company_member).exists()
    client.post("/en/accounts/logout/")
    log_in(client, company_member)
    assert client.get("/en/companies/mine/").status_code == 200


def test_staff_cannot_turn_it_off(client_for, manager):
    client = client_for(manager)
    response = client.post("/en/accounts/two-factor/disable/", {"password": PASSWORD}, follow=True)
    assert "Staff accounts must keep the second factor." in response.content.decode()
    assert TOTPDevice.objects.filter(user=manager, confirmed=True).exists()


def test_new_backup_codes_replace_the_old_ones(client_for, manager):
    client = client_for(manager)
    first = re.findall(
        r"([a-z2-7]{8})</code>", client.post("/en/accounts/two-factor/backup-codes/").content.decode()
    )
    second = re.findall(
        r"([a-z2-7]{8})</code>", client.post("/en/accounts/two-factor/backup-codes/").content.decode()
    )
    assert len(first) == len(second) == 10
    stored = set(StaticToken.objects.filter(device__user=manager).values_list("token", flat=True))
    assert stored == set(second)


@pytest.mark.parametrize("language", ["fa", "en"])
def test_setup_page_speaks_the_pages_language(client_for, company_member, language):
    response = client_for(company_member).get(f"/{language}/accounts/two-factor/setup/")
    page = response.content.decode()
    if language == "fa":
        assert 'dir="rtl"' in page
        assert "برنامه" in page
    else:
        assert 'dir="ltr"' in page
        assert "authenticator app" in page


def test_next_cannot_send_people_elsewhere(client, reviewer):
    device = totp_device(reviewer)
    log_in(client, reviewer)
    response = client.post(
        "/en/accounts/two-factor/verify/?next=https://evil.example/", {"token": totp_now(device)}
    )
    assert response["Location"] == "/admin/"
