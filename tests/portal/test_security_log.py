"""The security log: who, what, when, from where; read-only, for superusers."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.models import SecurityEvent
from tests.portal.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_logins_failures_and_logouts_are_recorded_with_address_and_browser(company_member):
    client = Client(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="Firefox/140")
    client.post("/en/accounts/login/", {"username": company_member.email, "password": "wrong"})
    client.post("/en/accounts/login/", {"username": company_member.email, "password": PASSWORD})
    client.post("/en/accounts/logout/")
    events = list(SecurityEvent.objects.order_by("pk"))
    assert [e.kind for e in events] == ["login_failed", "login", "logout"]
    assert {e.ip_address for e in events} == {"203.0.113.5"}
    assert {e.user_agent for e in events} == {"Firefox/140"}
    assert events[0].username == company_member.email
    assert events[0].user is None  # a failure names the account typed, not a signed-in user
    assert events[1].user == company_member
    assert events[1].path == "/en/accounts/login/"


def test_permission_denials_are_recorded(client_for, company_member):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.6")
    client.force_login(company_member)
    assert client.post("/en/accounts/profile/", {"full_name": "x"}).status_code == 403
    event = SecurityEvent.objects.get(kind="permission_denied")
    assert event.user == company_member
    assert event.detail == "POST /en/accounts/profile/"
    assert event.ip_address == "203.0.113.6"


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@centre.example", is_staff=True, is_superuser=True)


def test_superusers_read_the_log_with_filters_and_search(client_for, superuser, company_member):
    SecurityEvent.objects.create(
        kind="login_failed", username="mallory@example.com", ip_address="198.51.100.9"
    )
    SecurityEvent.objects.create(kind="login", user=company_member, username=company_member.email)
    client = client_for(superuser)
    page = client.get("/admin/portal/securityevent/").content.decode()
    assert "mallory@example.com" in page
    filtered = client.get("/admin/portal/securityevent/?kind__exact=login_failed").content.decode()
    assert "mallory@example.com" in filtered
    assert company_member.email not in filtered
    searched = client.get("/admin/portal/securityevent/?q=198.51.100.9").content.decode()
    assert "mallory@example.com" in searched


def test_the_log_cannot_be_added_to_changed_or_deleted(client_for, superuser):
    event = SecurityEvent.objects.create(kind="login_failed", username="mallory@example.com")
    client = client_for(superuser)
    assert client.get("/admin/portal/securityevent/add/").status_code == 403
    assert (
        client.post(f"/admin/portal/securityevent/{event.pk}/change/", {"username": "x"}).status_code == 403
    )
    assert client.post(f"/admin/portal/securityevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.username == "mallory@example.com"


def test_other_staff_cannot_read_the_log(client_for, manager):
    assert client_for(manager).get("/admin/portal/securityevent/").status_code == 403
