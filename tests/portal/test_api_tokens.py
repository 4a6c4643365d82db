"""API tokens for integrations: made on the account page, shown once, stored hashed, revocable."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from portal.models import ApiToken, SecurityEvent
from tests.portal.factories import NotificationFactory

pytestmark = pytest.mark.django_db

TOKENS = "/en/accounts/api-tokens/"


def create_token(client: Client, name: str = "ERP sync", expires: str = "90") -> str:
    response = client.post(TOKENS, {"name": name, "expires_in_days": expires})
    assert response.status_code == 200
    return re.search(r'data-testid="new-token">([^<]+)<', response.content.decode()).group(1)


def api(token: str, path: str = "/api/v1/notifications/", **extra) -> object:
    return Client(**extra).get(path, HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")


def test_a_token_acts_as_its_user_with_the_users_permissions(
    client_for, company_member, other_company_member
):
    NotificationFactory(recipient=company_member, title="For Sara")
    NotificationFactory(recipient=other_company_member, title="For Omid")
    raw = create_token(client_for(company_member))
    assert raw.startswith("exp_")
    response = api(raw)
    assert response.status_code == 200
    titles = [row["title"] for row in response.json()["results"]]
    assert titles == ["For Sara"]
    assert Client().get("/api/v1/notifications/").status_code == 403  # without it: refused
    token = ApiToken.objects.get(user=company_member)
    assert token.name == "ERP sync"
    assert timedelta(days=89) < token.expiry - timezone.now() <= timedelta(days=90)
    assert token.last_used_at is not None


def test_the_raw_token_is_shown_once_and_never_stored(client_for, company_member):
    client = client_for(company_member)
    raw = create_token(client)
    assert raw not in client.get(TOKENS).content.decode()  # the list shows only its first characters
    token = ApiToken.objects.get()
    assert token.digest != raw
    assert raw.startswith(token.token_key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, token_key, name FROM portal_apitoken")
        assert all(raw not in str(value) for value in cursor.fetchone())


def test_a_revoked_token_stops_working(client_for, company_member):
    client = client_for(company_member)
    raw = create_token(client)
    key = ApiToken.objects.get().token_key
    response = client.post(f"/en/accounts/api-tokens/{key}/revoke/", follow=True)
    assert "The token has been revoked" in response.content.decode()
    refused = api(raw)
    assert refused.status_code == 403  # DRF answers 403 when sessions are the first scheme
    assert refused.json()["error"]["message"] == "Invalid token."
    assert SecurityEvent.objects.filter(kind="token_revoked", user=company_member).exists()


def test_another_users_token_cannot_be_revoked(client_for, company_member, other_company_member):
    raw = create_token(client_for(company_member))
    key = ApiToken.objects.get().token_key
    response = client_for(other_company_member).post(f"/en/accounts/api-tokens/{key}/revoke/", follow=True)
    assert "No such token." in response.content.decode()
    assert api(raw).status_code == 200
    assert "ERP sync" not in client_for(other_company_member).get(TOKENS).content.decode()


def test_an_expired_token_is_refused(client_for, company_member):
    raw = create_token(client_for(company_member), expires="30")
    ApiToken.objects.update(expiry=timezone.now() - timedelta(minutes=1))
    assert api(raw).status_code == 403
    assert not ApiToken.objects.exists()  # knox deletes it on sight


def test_a_token_without_expiry(client_for, company_member):
    raw = create_token(client_for(company_member), expires="")
    assert ApiToken.objects.get().expiry is None
    assert api(raw).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Token",
        "Token a b",
        "Token exp_nonsense",
        "Token \u00ff\u00fe",
        "Token " + "x" * 5000,
        "Basic Zm9vOmJhcg==",
    ],
)
def test_bad_credentials_are_refused_without_errors(db, header):
    response = Client().get("/api/v1/notifications/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 403


def test_guessing_tokens_locks_the_address(settings):
    settings.LOCKOUT_ADDRESS_LIMIT = 3
    for n in range(3):
        assert api(f"exp_guess{n}", REMOTE_ADDR="198.51.100.60").status_code == 403
    response = api("exp_guess9", REMOTE_ADDR="198.51.100.60")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.json()["error"]["message"]


def test_staff_tokens_work_without_a_browser_second_factor(client_for, manager):
    raw = create_token(client_for(manager))
    assert api(raw, "/api/v1/applications/").status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "  ", "expires_in_days": "90"}, "name"),
        ({"name": "x", "expires_in_days": "7"}, "expires_in_days"),
    ],
)
def test_form_errors_are_in_persian_and_create_nothing(client_for, company_member, data, field):
    response = client_for(company_member).post("/fa/accounts/api-tokens/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(re.search("[\u0600-\u06ff]", error) for error in errors)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("language", ["fa", "en"])
def test_the_tokens_page_in_both_languages(client_for, company_member, language):
    create_token(client_for(company_member))
    page = client_for(company_member).get(f"/{language}/accounts/api-tokens/").content.decode()
    assert "ERP sync" in page
    assert ("توکن" in page) if language == "fa" else ("Your tokens" in page)


def test_the_tokens_page_needs_login(client):
    assert client.get(TOKENS)["Location"].startswith("/en/accounts/login/")


def test_the_schema_documents_the_token(client):
    schema = client.get("/api/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["apiToken"]
    assert scheme["type"] == "apiKey"
    assert scheme["name"] == "Authorization"
    operation = schema["paths"]["/api/v1/notifications/"]["get"]
    assert {"apiToken": []} in operation["security"]


def test_superusers_revoke_tokens_in_the_admin_and_crafted_ids_change_nothing(
    client_for, company_member, manager
):
    from tests.portal.factories import UserFactory

    raw = create_token(client_for(company_member))
    token = ApiToken.objects.get()
    admin = client_for(UserFactory(is_staff=True, is_superuser=True))
    changelist = "/admin/portal/apitoken/"
    crafted = admin.post(
        changelist,
        {"action": "delete_selected", "_selected_action": ["'; DROP", "9" * 400], "index": 0},
        follow=True,
        headers={"accept-language": "en"},
    )
    assert crafted.status_code == 200
    assert ApiToken.objects.filter(pk=token.pk).exists()

    confirm = {"action": "delete_selected", "_selected_action": [token.pk], "post": "yes", "index": 0}
    assert admin.post(changelist, confirm).status_code == 302
    assert not ApiToken.objects.exists()
    assert api(raw).status_code in {401, 403}
    assert client_for(manager).get(changelist).status_code == 403  # managers never see the tokens
