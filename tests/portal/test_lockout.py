"""One lockout policy on every door, per account and per address, that nobody elsewhere can make
permanent; and client addresses taken only from our own proxies."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, RequestFactory

from companies.models import CompanyInvitation
from portal.http.client import client_ip
from portal.models import SecurityEvent
from tests.portal.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/en/accounts/login/"


def attempt(email: str, password: str, address: str, *, forwarded: str | None = None, language="en"):
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    client = Client(**extra)
    response = client.post(f"/{language}/accounts/login/", {"username": email, "password": password})
    return response, client


def logged_in(client: Client) -> bool:
    return client.get("/en/").context["user"].is_authenticated


# --- client addresses ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.9"),  # no proxy of ours: the header is the client's word, ignored
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the entry our proxy appended, not the forged one
        (1, "203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (1, "", "10.0.0.9"),
    ],
)
def test_client_address_comes_from_our_proxies_only(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_one_setting_drives_django_drf_and_axes(settings):
    from rest_framework.settings import api_settings

    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT
    assert api_settings.NUM_PROXIES == settings.TRUSTED_PROXY_COUNT
    assert settings.AXES_CLIENT_IP_CALLABLE == "portal.http.client.client_ip"


# --- site log-in -----------------------------------------------------------------------------
def test_one_account_guessed_from_many_addresses_is_locked_for_a_bounded_time(settings):
    settings.LOCKOUT_COOL_OFF = timedelta(seconds=8)
    victim = UserFactory(email="victim@example.com")
    for n in range(settings.LOCKOUT_ACCOUNT_LIMIT):
        attempt(victim.email, f"guess-{n}", f"198.51.100.{n % 8}")  # 8 addresses, under their own limits
    locked_at = time.monotonic()  # at the latest: the last counted guess started the cool-off
    response, client = attempt(victim.email, PASSWORD, "192.0.2.50")  # even from a fresh address
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert not logged_in(client)
    other, other_client = attempt(UserFactory(email="other@example.com").email, PASSWORD, "198.51.100.1")
    assert logged_in(other_client)  # other accounts are not affected
    # Refused attempts do not extend the lockout: it ends its cool-off after it began. (One well
    # after the lock began: had it restarted the cool-off, the lock would outlast the wait below.)
    time.sleep(max(0, 1.5 - (time.monotonic() - locked_at)))
    attempt(victim.email, "guess-again", "198.51.100.99")
    time.sleep(max(0, 8.2 - (time.monotonic() - locked_at)))
    response, client = attempt(victim.email, PASSWORD, "192.0.2.50")
    assert response.status_code == 302
    assert logged_in(client)
    assert victim.security_events.filter(kind=SecurityEvent.Kind.LOGIN).exists()
    assert SecurityEvent.objects.filter(kind="locked_out", username=victim.email).count() == 1


def test_one_address_trying_many_accounts_is_locked(settings):
    for n in range(settings.LOCKOUT_ADDRESS_LIMIT):
        attempt(f"person{n}@example.com", "guess", "198.51.100.7")
    real = UserFactory(email="real@example.com")
    response, client = attempt(real.email, PASSWORD, "198.51.100.7")
    assert response.status_code == 429
    assert not logged_in(client)
    response, client = attempt(real.email, PASSWORD, "198.51.100.8")  # the account itself is fine
    assert logged_in(client)


def test_forged_forwarded_addresses_do_not_escape_the_lock(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="reza@example.com")
    for n in range(settings.LOCKOUT_PAIR_LIMIT):
        # The client writes a new address each time; our proxy appends the real one.
        attempt("reza@example.com", "guess", "10.0.0.2", forwarded=f"1.2.3.{n}, 203.0.113.9")
    response, client = attempt("reza@example.com", PASSWORD, "10.0.0.2", forwarded="9.9.9.9, 203.0.113.9")
    assert response.status_code == 429
    assert SecurityEvent.objects.filter(kind="locked_out", ip_address="203.0.113.9").exists()


@pytest.mark.parametrize(("language", "words"), [("fa", "تلاش"), ("en", "Too many failed attempts")])
def test_the_lockout_is_explained_in_the_pages_language(settings, language, words):
    settings.LOCKOUT_PAIR_LIMIT = 2
    UserFactory(email="sara@example.com")
    for _ in range(2):
        response, _client = attempt("sara@example.com", "guess", "198.51.100.3", language=language)
    assert response.status_code == 429
    assert words in response.content.decode()
    assert 'value="sara@example.com"' in response.content.decode()  # the form keeps what was typed


def test_a_successful_password_reset_lifts_the_account_lockout(settings, django_capture_on_commit_callbacks):
    owner = UserFactory(email="owner@example.com", english=True)
    for n in range(settings.LOCKOUT_ACCOUNT_LIMIT):
        attempt(owner.email, "guess", f"198.51.100.{n}")
    assert attempt(owner.email, PASSWORD, "192.0.2.1")[0].status_code == 429
    client = Client(REMOTE_ADDR="192.0.2.1")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/accounts/password/reset/", {"email": owner.email})
    link = re.search(r"https?://[^/]+(/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "Fresh-start-1405", "new_password2": "Fresh-start-1405"}
    )
    assert response.status_code == 302
    response, client = attempt(owner.email, "Fresh-start-1405", "192.0.2.1")
    assert logged_in(client)
    assert owner.security_events.filter(kind="unlocked").exists()


# --- admin log-in ----------------------------------------------------------------------------
def test_admin_login_is_throttled(manager):
    client = Client(REMOTE_ADDR="198.51.100.20")
    for _ in range(15):
        client.post("/admin/login/", {"username": manager.email, "password": "wrong"})
    response = client.post("/admin/login/?next=/admin/", {"username": manager.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert SecurityEvent.objects.filter(
        kind="login_failed", username=manager.email, path="/admin/login/"
    ).exists()


# --- password reset and sign-up --------------------------------------------------------------
def test_password_reset_is_limited_and_the_same_for_known_and_unknown_addresses(settings):
    settings.LOCKOUT_PAIR_LIMIT = 3
    UserFactory(email="known@example.com")
    known, unknown = Client(REMOTE_ADDR="198.51.100.30"), Client(REMOTE_ADDR="198.51.100.31")
    for _ in range(3):
        a = known.post("/en/accounts/password/reset/", {"email": "known@example.com"})
        b = unknown.post("/en/accounts/password/reset/", {"email": "nobody@example.com"})
        assert (
            (a.status_code, a["Location"])
            == (b.status_code, b["Location"])
            == (302, "/en/accounts/password/reset/sent/")
        )
    a = known.post("/en/accounts/password/reset/", {"email": "known@example.com"})
    b = unknown.post("/en/accounts/password/reset/", {"email": "nobody@example.com"})
    assert a.status_code == b.status_code == 429


def test_asking_for_resets_cannot_lock_the_account(settings):
    owner = UserFactory(email="owner@example.com")
    for n in range(settings.LOCKOUT_ACCOUNT_LIMIT + 5):
        Client(REMOTE_ADDR=f"198.51.100.{n}").post("/en/accounts/password/reset/", {"email": owner.email})
    response, client = attempt(owner.email, PASSWORD, "192.0.2.9")
    assert logged_in(client)


# --- invitation links ------------------------------------------------------------------------
def test_guessing_invitation_links_locks_the_address(settings, company, company_member, signed_up_user):
    settings.LOCKOUT_ADDRESS_LIMIT = 5
    invitation = CompanyInvitation.objects.create(
        company=company, email=signed_up_user.email, invited_by=company_member
    )
    guesser = Client(REMOTE_ADDR="198.51.100.40")
    guesser.force_login(signed_up_user)
    for n in range(5):
        assert guesser.get(f"/en/companies/invitations/guess-{n}/").status_code == 404
    response = guesser.get(f"/en/companies/invitations/{invitation.token}/")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    invitee = Client(REMOTE_ADDR="198.51.100.41")
    invitee.force_login(signed_up_user)
    assert invitee.get(f"/en/companies/invitations/{invitation.token}/").status_code == 200
