from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.models import Notification, User
from tests.portal.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = "/fa/accounts/signup/"


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "full_name": "نرگس حسینی",
        "email": "Narges@Example.com",
        "phone": "۰۹۱۲۳۴۵۶۷۸۹",
        "preferred_language": "fa",
        "password1": "Sun-flower-1405",
        "password2": "Sun-flower-1405",
    }
    data.update(overrides)
    return data


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/]+(/\S+/confirm/\S+/)", message.body).group(1)


def test_signup_confirms_the_address_then_logs_in_and_welcomes(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    assert response["Location"] == "/fa/accounts/signup/sent/"
    user = User.objects.get()
    assert user.email == "narges@example.com"
    assert user.phone == "09123456789"  # Persian digits stored as ASCII
    assert not user.is_active  # nothing works before the address is confirmed
    assert not client.get("/fa/").context["user"].is_authenticated
    assert "narges@example.com" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["narges@example.com"]
    assert "ایمیل" in mail.outbox[0].subject  # in Persian, the chosen language

    link = confirmation_link(mail.outbox[0])
    assert link.startswith("/fa/")
    assert client.get(link).status_code == 200  # a button: mail scanners opening links use nothing up
    assert not User.objects.get().is_active
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    assert response["Location"] == "/fa/"
    user.refresh_from_db()
    assert user.is_active
    assert client.get("/fa/").context["user"] == user
    assert Notification.objects.get(recipient=user).kind == "welcome"
    assert "درگاه" in mail.outbox[1].subject
    assert client.post(link).status_code == 400  # the link works once


def test_signup_in_english_lands_on_english_pages(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/accounts/signup/", signup_data(preferred_language="en"))
    assert response["Location"] == "/en/accounts/signup/sent/"
    link = confirmation_link(mail.outbox[0])
    assert link.startswith("/en/")
    assert client.post(link)["Location"] == "/en/"


def test_unconfirmed_account_cannot_log_in(client):
    client.post(SIGNUP, signup_data())
    response = client.post(
        "/en/accounts/login/", {"username": "narges@example.com", "password": "Sun-flower-1405"}
    )
    assert response.status_code == 200
    assert "The e-mail address or password is not correct." in response.content.decode()


@pytest.mark.parametrize(
    "link", ["/fa/accounts/signup/confirm/xx/yy/", "/fa/accounts/signup/confirm/MTIz/abc-def/"]
)
def test_broken_confirmation_link_is_a_friendly_400(client, link):
    response = client.get(link)
    assert response.status_code == 400
    assert "این پیوند معتبر نیست" in response.content.decode()


def test_signup_with_a_known_email_answers_as_for_a_new_one_and_tells_the_owner(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory(email="narges@example.com", english=True)
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(SIGNUP, signup_data(email="Narges@Example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        new = Client().post(SIGNUP, signup_data(email="someone.new@example.com"))
    assert (known.status_code, known["Location"]) == (new.status_code, new["Location"])
    assert client.get(known["Location"]).content.decode().count("narges@example.com") == 1
    assert User.objects.filter(email="narges@example.com").count() == 1
    owner.refresh_from_db()
    assert owner.full_name != "نرگس حسینی"  # the existing account is untouched
    to_owner = [m for m in mail.outbox if m.to == ["narges@example.com"]]
    assert len(to_owner) == 1
    assert "Someone tried to create a new account" in to_owner[0].body  # in the owner's language
    assert "/en/accounts/password/reset/" in to_owner[0].body


def test_signup_is_limited_per_address(client, settings):
    settings.LOCKOUT_PAIR_LIMIT = 3
    settings.LOCKOUT_ADDRESS_LIMIT = 3
    for n in range(3):
        assert client.post(SIGNUP, signup_data(email=f"n{n}@example.com")).status_code == 302
    response = client.post("/en/accounts/signup/", signup_data(email="n9@example.com"))
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert not User.objects.filter(email="n9@example.com").exists()


@pytest.mark.parametrize(
    ("password1", "password2", "field"),
    [
        ("12345678", "12345678", "password1"),  # numeric and common
        ("short", "short", "password1"),
        ("Sun-flower-1405", "Sun-flower-1406", "password2"),
    ],
)
def test_weak_or_mismatched_password_is_refused(client, password1, password2, field):
    response = client.post(SIGNUP, signup_data(password1=password1, password2=password2))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.exists()


def test_bad_phone_is_a_field_error(client):
    response = client.post(SIGNUP, signup_data(phone="call me"))
    assert "phone" in response.context["form"].errors


def test_login_is_case_insensitive_and_continues_in_the_language_of_its_page(client):
    UserFactory(email="reza@example.com", english=True)
    response = client.post("/fa/accounts/login/", {"username": "REZA@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/fa/"
    assert client.cookies["portal_language"].value == "fa"


def test_logging_in_from_an_english_page_keeps_english_whatever_the_preferred_language(client):
    user = UserFactory(email="reza@example.com")  # prefers Persian
    response = client.post(
        "/en/accounts/login/?next=/fa/countries/", {"username": "reza@example.com", "password": PASSWORD}
    )
    assert response["Location"] == "/en/countries/"
    assert "Target countries" in client.get("/countries/", follow=True).content.decode()
    user.refresh_from_db()
    assert user.preferred_language == "fa"  # still what the e-mails are written in


def test_wrong_password_shows_error_and_keeps_email(client):
    UserFactory(email="reza@example.com")
    response = client.post("/en/accounts/login/", {"username": "reza@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "The e-mail address or password is not correct." in response.content.decode()
    assert 'value="reza@example.com"' in response.content.decode()


def test_logout_needs_post(client_for, company_member):
    client = client_for(company_member)
    assert client.get("/fa/accounts/logout/").status_code == 405
    assert client.post("/fa/accounts/logout/").status_code == 302
    assert not client.get("/fa/").context["user"].is_authenticated


def test_password_reset_by_email_lets_the_user_log_in_with_the_new_password(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="sara@example.com", english=True)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post("/en/accounts/password/reset/", {"email": "sara@example.com"})
    assert mail.outbox == []  # the request does not wait for the mail server
    for callback in queued:
        callback()
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "Another-good-1405", "new_password2": "Another-good-1405"}
    )
    assert response.status_code == 302
    assert client.login(
        request=RequestFactory().post("/en/accounts/login/"),
        username="sara@example.com",
        password="Another-good-1405",
    )


def test_password_reset_for_unknown_email_reveals_nothing(client):
    response = client.post("/en/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_profile_change_of_language_moves_to_that_language(client_for, company_member):
    client = client_for(company_member)
    response = client.post(
        "/fa/accounts/profile/",
        {"full_name": "Sara Karimi", "phone": "+98 912 000 1111", "preferred_language": "en"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/profile/"
    company_member.refresh_from_db()
    assert company_member.preferred_language == "en"
    assert company_member.phone == "+989120001111"
    assert company_member.email_notifications is False  # unticked checkbox


def test_profile_keeps_typed_values_on_error(client_for, company_member):
    response = client_for(company_member).post(
        "/en/accounts/profile/", {"full_name": "", "phone": "12", "preferred_language": "en"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"full_name", "phone"}
    assert 'value="12"' in response.content.decode()


def test_profile_needs_login(client):
    response = client.get("/fa/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_language_switch_remembers_choice_on_profile(client_for, company_member):
    client = client_for(company_member)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/en/countries/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/countries/"
    company_member.refresh_from_db()
    assert company_member.preferred_language == "en"


@pytest.mark.parametrize("language", ["xx", "", "../../etc", "fa'--"])
def test_tampered_language_code_changes_nothing_and_never_fails(client_for, company_member, language):
    client = client_for(company_member)
    response = client.post("/i18n/setlang/", {"language": language, "next": "/fa/"})
    assert response.status_code == 302
    company_member.refresh_from_db()
    assert company_member.preferred_language == "fa"


def test_tampered_language_cookie_falls_back_to_persian(client):
    client.cookies["portal_language"] = "zz"
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/fa/"


def test_unknown_language_prefix_and_unknown_page_are_friendly_404s(client):
    for url in ["/xx/", "/fa/no-such-page/", "/en/no-such-page/"]:
        response = client.get(url)
        assert response.status_code == 404
    assert "We could not find this page" in client.get("/en/no-such-page/").content.decode()
    assert 'dir="rtl"' in client.get("/fa/no-such-page/").content.decode()


@pytest.mark.parametrize(
    ("accept", "landing"), [("en-US,en;q=0.9", "/en/"), ("fa-IR,fa", "/fa/"), ("", "/fa/")]
)
def test_root_follows_the_browsers_language_with_persian_as_default(client, accept, landing):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response["Location"] == landing


def test_password_guessing_is_slowed_down(client):
    UserFactory(email="reza@example.com")
    for _ in range(10):
        client.post("/en/accounts/login/", {"username": "reza@example.com", "password": "guess"})
    response = client.post("/en/accounts/login/", {"username": "reza@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert not client.get("/en/").context["user"].is_authenticated
    other = client.post("/en/accounts/login/", {"username": "someone@example.com", "password": "x"})
    assert "Too many failed attempts" not in other.content.decode()  # per account, not global


def test_a_new_account_lands_on_a_page_that_names_the_next_step(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/accounts/signup/", signup_data(preferred_language="en"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirmation_link(mail.outbox[0]), follow=True)
    page = response.content.decode()
    assert "Welcome! Your account is ready. Next, register your company or brokerage." in page
    assert 'data-testid="next-step"' in page
    assert 'href="/en/companies/register/"' in page
    assert 'href="/en/brokers/register/"' in page


def test_members_of_an_organisation_are_not_asked_to_register_one(client_for, company_member):
    page = client_for(company_member).get("/en/").content.decode()
    assert 'data-testid="next-step"' not in page
    assert 'data-testid="next-step"' not in client_for(None).get("/en/").content.decode()
