"""Every page of the shared core (portal/views.py, the account, security, notification and language
pages, the health check) against the three visitors it must turn away: the anonymous one (log-in
page; the landing, countries, sign-up and health check open), the wrong HTTP method (405) and
someone reaching for another user's notification (404)."""

from __future__ import annotations

import pytest

from portal.models import Notification
from tests.conftest import answered_methods, assert_sent_to_log_in, refused_methods, send
from tests.portal.factories import NotificationFactory, TargetCountryFactory

pytestmark = pytest.mark.django_db

PAGES = {  # name: (path, the methods it answers)
    "home": ("/en/", {"GET"}),
    "country_list": ("/en/countries/", {"GET"}),
    "country_detail": ("/en/countries/IQ/", {"GET"}),
    "signup_done": ("/en/accounts/signup/sent/", {"GET"}),
    "healthz": ("/healthz", {"GET"}),
    "set_language": ("/i18n/setlang/", {"POST"}),
    "notification_list": ("/en/notifications/", {"GET"}),
    "notification_open": ("/en/notifications/{notification}/open/", {"POST"}),
    "notifications_read_all": ("/en/notifications/read-all/", {"POST"}),
    "profile": ("/en/accounts/profile/", {"GET", "POST"}),
    "two_factor_manage": ("/en/accounts/two-factor/", {"GET"}),
    "two_factor_setup": ("/en/accounts/two-factor/setup/", {"GET", "POST"}),
    "two_factor_verify": ("/en/accounts/two-factor/verify/", {"GET", "POST"}),
    "two_factor_backup_codes": ("/en/accounts/two-factor/backup-codes/", {"POST"}),
    "two_factor_disable": ("/en/accounts/two-factor/disable/", {"POST"}),
    "api_tokens": ("/en/accounts/api-tokens/", {"GET", "POST"}),
    "signup": ("/en/accounts/signup/", {"GET", "POST"}),
    "api_token_revoke": ("/en/accounts/api-tokens/nosuchkey/revoke/", {"POST"}),
}
PUBLIC = {"home", "country_list", "country_detail", "signup_done", "healthz", "signup"}


@pytest.fixture
def paths(company_member):
    TargetCountryFactory(iso_code="IQ")
    notification = NotificationFactory(recipient=company_member)
    return {name: path.format(notification=notification.pk) for name, (path, _) in PAGES.items()}


@pytest.mark.parametrize(("name", "method"), answered_methods(PAGES))
def test_an_anonymous_visitor_is_sent_to_log_in_except_on_public_pages(client, paths, name, method):
    response = send(client, method, paths[name])
    if name in PUBLIC:
        assert response.status_code == 200
    elif name == "set_language":
        assert response.status_code == 302  # anyone switches language; back to where they were
    else:
        assert_sent_to_log_in(response)


@pytest.mark.parametrize(("name", "method"), refused_methods(PAGES, ("GET", "POST", "PUT", "DELETE")))
def test_a_method_the_page_does_not_take_is_405(client_for, company_member, paths, name, method):
    assert send(client_for(company_member), method, paths[name]).status_code == 405


def test_another_users_notification_is_not_found_and_stays_unread(client_for, other_company_member, paths):
    assert send(client_for(other_company_member), "POST", paths["notification_open"]).status_code == 404
    assert Notification.objects.get().read_at is None
