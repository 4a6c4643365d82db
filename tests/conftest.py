"""Test-wide fixtures: fast hashing, in-memory e-mail, eager Celery and a memorable cast."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.test import Client
from django.utils import translation

from config import celery_app
from portal.accounts.two_factor import requires_second_factor
from portal.permissions import Role
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.portal.factories import PASSWORD, UserFactory
from tests.two_factor import force_login_verified

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session", autouse=True)
def _static_from_finders() -> None:
    """Nothing is collected in tests: static files come from the finders (and no warning that
    STATIC_ROOT is missing). Session-wide, so the live server of browser tests sees it too."""
    settings.STATIC_ROOT = None


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://portal.test"
    cache.clear()  # rate limits and throttles count per test, not across the run
    caches["fragments"].clear()  # and this process's copies of renderings


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in Persian, the default, whatever the previous request activated."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _celery_in_process() -> Iterator[None]:
    """Run tasks in-process unless a test starts a real worker (see tests/portal/test_worker.py)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def skip_or_fail(reason: str) -> None:
    """Skip on a developer machine without the service; in CI a missing service is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


# --- the cast ---------------------------------------------------------------------------------
@pytest.fixture
def session_read(settings) -> int:
    """The queries a signed-in request spends on its session: none while the cache holds it
    (`cached_db`, the engine with Redis), one read of its row with the `db` engine (no Redis)."""
    return 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def company(db):
    return CompanyFactory(name_fa="شرکت تجهیزات پزشکی آلفا", name_en="Alpha Medical Equipment")


@pytest.fixture
def other_company(db):
    return CompanyFactory(name_fa="شرکت بتا", name_en="Beta Health")


@pytest.fixture
def company_member(company):
    """Sara works for Alpha Medical (verified)."""
    user = UserFactory(email="sara@company.example", full_name="سارا کریمی", roles=[Role.COMPANY_MEMBER])
    MembershipFactory(company=company, user=user)
    return user


@pytest.fixture
def other_company_member(other_company):
    """Omid works for Beta Health, a competitor."""
    user = UserFactory(email="omid@other.example", full_name="امید نوری", roles=[Role.COMPANY_MEMBER])
    MembershipFactory(company=other_company, user=user)
    return user


@pytest.fixture
def signed_up_user(db):
    """Someone with an account but no company or brokerage yet."""
    return UserFactory(email="new@example.com", full_name="Nima")


@pytest.fixture
def brokerage(db):
    return BrokerFactory(name_fa="کارگزاری پارس", name_en="Pars Export Brokers")


@pytest.fixture
def broker_member(brokerage):
    """Reza works for Pars Export Brokers (approved, covers Iraq), in English."""
    user = UserFactory(
        email="reza@broker.example", full_name="Reza Moradi", english=True, roles=[Role.BROKER_MEMBER]
    )
    BrokerMembershipFactory(broker=brokerage, user=user)
    return user


@pytest.fixture
def other_broker_member(db):
    user = UserFactory(email="leila@rival.example", full_name="Leila", roles=[Role.BROKER_MEMBER])
    BrokerMembershipFactory(broker=BrokerFactory(name_en="Rival Brokers"), user=user)
    return user


@pytest.fixture
def reviewer(db):
    return UserFactory(email="ali@centre.example", is_staff=True, roles=[Role.REVIEWER])


@pytest.fixture
def manager(db):
    return UserFactory(email="maryam@centre.example", is_staff=True, roles=[Role.PROGRAMME_MANAGER])


@pytest.fixture
def anonymous():
    return None


@pytest.fixture
def client_for():
    """client_for(user) -> a test client logged in as that user (anonymous for None).

    Staff pass the second factor as they must in real life (tests.two_factor.force_login_verified);
    `client_for(user, verified=False)` gives a session that has only passed the password."""

    def make(user, *, verified: bool = True) -> Client:
        client = Client()
        if user is not None and verified and requires_second_factor(user):
            force_login_verified(client, user)
        elif user is not None:
            client.force_login(user)
        return client

    return make


ROLE_MIGRATIONS = [
    ("portal.migrations.0002_role_groups", "create_groups"),
    ("companies.migrations.0002_role_permissions", "grant"),
    ("products.migrations.0002_role_permissions", "grant"),
    ("products.migrations.0009_certificate_verify_permission", "grant"),
    ("brokers.migrations.0002_role_permissions", "grant"),
    ("brokers.migrations.0007_service_permissions", "grant"),
    ("brokers.migrations.0008_inquiry_inbox", "grant"),
    ("brokers.migrations.0010_licence_renewal_permissions", "grant"),
    ("brokers.migrations.0012_referral_permissions", "grant"),
    ("brokers.migrations.0014_mandate_permissions", "grant"),
    ("deals.migrations.0002_role_permissions", "grant"),
    ("deals.migrations.0004_credit_permissions", "grant"),
    ("support.migrations.0002_role_permissions", "grant"),
    ("support.migrations.0011_final_records_and_payments", "grant"),
]


@pytest.fixture
def role_groups(transactional_db) -> None:
    """Put back the role groups that migrations create, for tests on a flushed database.

    Transactional tests (browser, real worker) end with a flush, and the serialized-rollback
    restore does not bring the migration-made rows back reliably in every test order, so these
    tests re-run the same data-migration functions against the migrated schema's state.
    """
    from importlib import import_module

    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if Group.objects.exists():
        return
    state_apps = MigrationExecutor(connection).loader.project_state().apps
    for module, function in ROLE_MIGRATIONS:
        getattr(import_module(module), function)(state_apps, None)


# --- shared helpers ---------------------------------------------------------------------------
def admin_form_data(page, **changes: object) -> dict[str, object]:
    """What a browser would post back from an admin change page `page` (a GET response): every
    editable field of the form with its current value, every inline's management form and rows,
    then `changes` on top. A test that posts only the field it cares about is refused by the form
    for the fields it left out, and so proves nothing about that field."""
    data: dict[str, object] = {}

    def take(form) -> None:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            if isinstance(value, list | tuple):
                data[key] = [field.prepare_value(v) for v in value]
            else:
                data[key] = field.prepare_value(value)

    take(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        take(formset.management_form)
        for form in formset.forms:  # the extra (blank) rows too, with their initial values
            take(form)
    data.update(changes)
    return data


def answered_methods(pages: dict[str, tuple[str, set[str]]]) -> list[tuple[str, str]]:
    """(page, method) for every method each page of a view-guard table answers."""
    return [(name, method) for name, (_path, methods) in pages.items() for method in sorted(methods)]


def refused_methods(
    pages: dict[str, tuple[str, set[str]]], tried: tuple[str, ...] = ("GET", "POST")
) -> list[tuple[str, str]]:
    """(page, method) for every method of `tried` a page of a view-guard table must refuse (405)."""
    return [
        (name, method)
        for name, (_path, answered) in pages.items()
        for method in tried
        if method not in answered
    ]


def send(client: Client, method: str, url: str, data: dict | None = None):
    """One request by method name, in English (`send(client, "POST", url)`)."""
    return getattr(client, method.lower())(url, data or {}, headers={"accept-language": "en"})


def assert_sent_to_log_in(response) -> None:
    """A page for signed-in users answers an anonymous visitor with the log-in page, coming back."""
    from urllib.parse import parse_qs, urlparse

    assert response.status_code == 302, response.status_code
    location = urlparse(response["Location"])
    assert location.path.endswith("/accounts/login/"), response["Location"]
    assert parse_qs(location.query)["next"] == [response.wsgi_request.path]
