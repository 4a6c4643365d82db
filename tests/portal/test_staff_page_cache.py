"""The staff page cache (portal.http.page_cache.cache_staff_page) serves a list back only to the browser
it was made for, shows every change at once, never swallows a message, and keeps forms working."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from portal.permissions import Role
from support import workflow
from support.models import Application, Status
from tests.portal.factories import UserFactory
from tests.products.factories import ProductFactory
from tests.support.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

APPLICATIONS = "/admin/support/application/"
PRODUCTS = "/admin/products/product/"
DASHBOARD = "/admin/support/application/dashboard/"


@pytest.fixture(autouse=True)
def _page_cache_on(settings) -> None:
    settings.PAGE_CACHE_SECONDS = 60


@pytest.fixture
def submitted(company, company_member, django_capture_on_commit_callbacks):
    application = ApplicationFactory(company=company, justification="Masks for Basra")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_submit(application=application, by=company_member)
    application.refresh_from_db()
    return application


@pytest.fixture
def browser(client_for):
    """browser(user): a signed-in staff browser that has opened the admin once, so it holds the
    CSRF cookie every browser has after the login form (a page is cached only with it)."""

    def make(user):
        client = client_for(user)
        assert client.get("/admin/").status_code == 200
        return client

    return make


def references(response) -> set[str]:
    return set(re.findall(r"EXP-\d{4}-\d{6}", response.content.decode()))


def test_a_second_view_of_the_list_comes_from_the_cache(browser, manager, submitted):
    client = browser(manager)
    first = client.get(APPLICATIONS)
    assert first["X-Page-Cache"] == "miss"
    second = client.get(APPLICATIONS)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert submitted.reference in second.content.decode()
    assert "no-cache" in second["Cache-Control"]  # the browser still keeps no copy


def test_each_browser_has_its_own_pages(browser, manager, reviewer, submitted, company):
    """A reviewer never gets the manager's list (which shows more), nor does a second browser of
    the same manager get the first one's page (its form token would not match its cookie)."""
    other_reviewer = UserFactory(is_staff=True, roles=[Role.REVIEWER])
    theirs = ApplicationFactory(company=company, justification="theirs")
    Application.objects.filter(pk=theirs.pk).update(
        status=Status.UNDER_REVIEW, assigned_reviewer=other_reviewer, reference="EXP-1405-000777"
    )
    managers, reviewers, second_browser = browser(manager), browser(reviewer), browser(manager)
    managers_page = managers.get(APPLICATIONS)
    assert "EXP-1405-000777" in references(managers_page)
    assert managers.get(APPLICATIONS)["X-Page-Cache"] == "hit"

    reviewers_page = reviewers.get(APPLICATIONS)
    assert reviewers_page["X-Page-Cache"] == "miss"
    assert "EXP-1405-000777" not in references(reviewers_page)
    assert submitted.reference in references(reviewers_page)

    assert second_browser.get(APPLICATIONS)["X-Page-Cache"] == "miss"


def test_any_change_shows_at_once(browser, manager, submitted, company_member):
    client = browser(manager)
    client.get(PRODUCTS)
    assert client.get(PRODUCTS)["X-Page-Cache"] == "hit"
    ProductFactory(name_en="Oxygen concentrator 5L", company=submitted.company)
    page = client.get(PRODUCTS)
    assert page["X-Page-Cache"] == "miss"
    assert "Oxygen concentrator 5L" in page.content.decode()

    before = client.get(APPLICATIONS, headers={"accept-language": "en"})
    assert client.get(APPLICATIONS, headers={"accept-language": "en"})["X-Page-Cache"] == "hit"
    assert '<td class="field-status">Withdrawn</td>' not in before.content.decode()
    workflow.application_withdraw(application=submitted, by=company_member)
    after = client.get(APPLICATIONS, headers={"accept-language": "en"})
    assert after["X-Page-Cache"] == "miss"
    assert '<td class="field-status">Withdrawn</td>' in after.content.decode()


def test_browsing_alone_does_not_empty_the_cache(browser, manager, submitted):
    """Sessions and the security log are written while staff only read: the list stays cached."""
    client = browser(manager)
    client.get(APPLICATIONS)
    client.get(f"{APPLICATIONS}{submitted.pk}/change/")  # opening an application writes nothing
    assert client.get(APPLICATIONS)["X-Page-Cache"] == "hit"


def test_a_message_is_shown_not_swallowed_by_a_cached_page(browser, manager, submitted):
    client = browser(manager)
    client.get(APPLICATIONS)
    response = client.post(
        APPLICATIONS,
        {"action": "export_csv", "_selected_action": ["not-a-number"], "index": 0},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 302
    after = client.get(APPLICATIONS, headers={"accept-language": "en"})
    assert after.get("X-Page-Cache") != "hit"
    assert "The selected rows are not valid" in after.content.decode()
    again = client.get(APPLICATIONS, headers={"accept-language": "en"})
    assert "The selected rows are not valid" not in again.content.decode()


def test_the_form_token_of_a_cached_page_is_accepted(browser, manager, submitted):
    client = browser(manager)
    client.enforce_csrf_checks = True
    client.get(APPLICATIONS)
    cached = client.get(APPLICATIONS)
    assert cached["X-Page-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', cached.content.decode()).group(1)
    form = {"csrfmiddlewaretoken": token, "action": "export_csv", "_selected_action": [submitted.pk]}
    response = client.post(APPLICATIONS, {**form, "index": 0})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert submitted.reference in response.content.decode("utf-8-sig")


def test_each_language_has_its_own_page(browser, manager, submitted):
    client = browser(manager)
    english = client.get(APPLICATIONS, headers={"accept-language": "en"})
    persian = client.get(APPLICATIONS, headers={"accept-language": "fa"})
    assert persian.get("X-Page-Cache") == "miss"
    assert 'lang="en"' in english.content.decode()
    assert 'lang="fa"' in persian.content.decode()


def test_losing_a_permission_ends_the_cached_page(browser, reviewer, submitted):
    client = browser(reviewer)
    assert client.get(APPLICATIONS).status_code == 200
    reviewer.groups.remove(Group.objects.get(name=Role.REVIEWER))
    assert client.get(APPLICATIONS).status_code == 403


def test_the_dashboard_is_cached_for_managers_only(browser, manager, reviewer, submitted):
    client = browser(manager)
    assert client.get(DASHBOARD)["X-Page-Cache"] == "miss"
    assert client.get(DASHBOARD)["X-Page-Cache"] == "hit"
    assert browser(reviewer).get(DASHBOARD).status_code == 403


def test_the_cache_can_be_turned_off(browser, manager, submitted, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client = browser(manager)
    client.get(APPLICATIONS)
    assert "X-Page-Cache" not in client.get(APPLICATIONS)


def test_rows_no_staff_page_shows_keep_fast_bulk_deletes():
    """Only the models staff pages show are watched: notifications, sessions and readiness rows
    are still deleted in one statement, not loaded and signalled row by row."""
    from django.contrib.sessions.models import Session
    from django.db.models.deletion import Collector

    from portal.models import Notification
    from products.models import ProductReadiness

    for model in (Notification, Session, ProductReadiness):
        assert Collector(using="default").can_fast_delete(model.objects.all()), model


@pytest.mark.django_db(transaction=True)
def test_many_rows_saved_in_one_transaction_schedule_one_advance_at_commit():
    """Each change advances the pages at once (the writer's next read misses), and the advance
    that follows the commit is scheduled once, not once per row."""
    from django.db import connection, transaction

    from portal.http.page_cache import STAFF
    from tests.companies.factories import CompanyFactory

    company = CompanyFactory()
    before = STAFF.current()
    with transaction.atomic():
        ProductFactory.create_batch(30, company=company)
        during = STAFF.current()
        scheduled = [
            callback for _sids, callback, _robust in connection.run_on_commit if callback == STAFF.advance
        ]
    assert during >= before + 30
    assert len(scheduled) == 1
    assert STAFF.current() == during + 1


def test_a_new_release_builds_the_staff_lists_anew(browser, manager, submitted, settings):
    settings.RELEASE = "a1"
    client = browser(manager)
    client.get(APPLICATIONS)
    assert client.get(APPLICATIONS)["X-Page-Cache"] == "hit"
    settings.RELEASE = "b2"  # the next deployment's admin templates may differ
    assert client.get(APPLICATIONS)["X-Page-Cache"] == "miss"
