"""Nothing is lost when Redis fails: pages answer, submissions are kept, work resumes afterwards.

Each test starts its own `redis-server` (tests/portal/outage.py), stops it mid-test and starts it
again; the shared Redis on 6379 is never touched.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection
from django.db.models import Count, F
from django.test import Client

from brokers.models import BuyerInquiry
from brokers.tasks import inquiries_route_sweep, inquiry_emails_sweep
from config import celery_app
from portal.enqueue import broker_pause_reset
from portal.http import cache as portal_cache
from portal.models import Notification
from portal.permissions import Role
from portal.tasks import notification_emails_sweep
from support.models import Application, ApplicationEvent, Status
from support.tasks import applications_screen_sweep
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import skip_or_fail
from tests.portal.factories import PASSWORD, TargetCountryFactory, UserFactory
from tests.portal.outage import REDIS_SERVER, RedisServer, reset_celery_connections, wait_for, worker_process
from tests.products.factories import ProductFactory
from tests.support.factories import ProgramFactory

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("role_groups"),
]

MAX_SECONDS = 2.0  # what one request may take while Redis is down


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    if REDIS_SERVER is None:
        skip_or_fail("redis-server is not installed: the outage tests need their own Redis to stop")
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def portal_on(own_redis: RedisServer, settings) -> Iterator[RedisServer]:
    """This process's cache, sessions and Celery use `own_redis`, as in production."""
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.http.cache.ResilientRedisCache",
            "LOCATION": own_redis.url,
            "KEY_PREFIX": "outage-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "DOWN_SECONDS": 1},
        },
        "fragments": settings.CACHES["fragments"],  # this process's copies in front of it
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.PAGE_CACHE_SECONDS = 60
    settings.BROKER_RETRY_SECONDS = 1
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = own_redis.url
    celery_app.conf.task_always_eager = False
    reset_celery_connections()
    broker_pause_reset()
    portal_cache._breakers.clear()
    try:
        yield own_redis
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
        reset_celery_connections()
        broker_pause_reset()
        portal_cache._breakers.clear()


def drafts(count: int):
    """A verified company (Sara is its member), `count` drafts in one open programme, a reviewer.

    Each draft is for its own product: one claim per product and country is a rule of its own."""
    company = CompanyFactory()
    member = UserFactory(email="sara@company.example", roles=[Role.COMPANY_MEMBER])
    MembershipFactory(company=company, user=member)
    UserFactory(email="ali@centre.example", is_staff=True, roles=[Role.REVIEWER])
    program = ProgramFactory(budget=Decimal("10000000"))
    iraq = TargetCountryFactory(iso_code="IQ")
    applications = []
    for _ in range(count):
        product = ProductFactory(company=company)
        application = Application.objects.create(
            program=program,
            company=company,
            created_by=member,
            requested_amount=Decimal("1000"),
            justification="x",
        )
        application.products.set([product])
        application.countries.set([iraq])
        applications.append(application)
    return member, applications


def inquiry(number: int) -> dict[str, object]:
    return {
        "name": f"Buyer {number}",
        "organisation": "Baghdad Medical City",
        "country": TargetCountryFactory(iso_code="IQ").pk,
        "email": f"buyer{number}@buyer.example",
        "message": f"Please quote {number},000 masks.",
    }


def time_passes(minutes: int = 10) -> None:
    """The sweeps leave fresh rows to the message sent on commit; make everything look older."""
    delta = timedelta(minutes=minutes)
    Application.objects.filter(status=Status.SUBMITTED).update(submitted_at=F("submitted_at") - delta)
    BuyerInquiry.objects.update(created_at=F("created_at") - delta)
    Notification.objects.update(created_at=F("created_at") - delta)


def screened_once_each(applications: list[Application]) -> dict[int, int]:
    counts = dict(
        ApplicationEvent.objects.filter(action="screen_start")
        .values_list("application")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {a.pk: counts.get(a.pk, 0) for a in applications}


def test_redis_down_pages_api_and_login_still_answer_fast(portal_on):
    UserFactory(email="nima@example.com", english=True)
    portal_on.stop()
    anonymous = Client()
    checks = [
        ("get", "/fa/", {}, 200),
        ("get", "/en/products/", {}, 200),
        ("get", "/api/v1/products/", {}, 200),
        ("get", "/api/v1/countries/", {}, 200),
        ("post", "/en/accounts/login/", {"username": "nima@example.com", "password": "wrong"}, 200),
        ("post", "/en/accounts/login/", {"username": "nima@example.com", "password": PASSWORD}, 302),
        ("get", "/en/accounts/profile/", {}, 200),  # the session, stored while Redis was down
    ]
    for method, url, data, status in checks:
        started = time.monotonic()
        response = getattr(anonymous, method)(url, data)
        elapsed = time.monotonic() - started
        assert response.status_code == status, (url, response.status_code)
        assert elapsed < MAX_SECONDS, (url, elapsed)
    portal_on.start()
    time.sleep(1.1)  # DOWN_SECONDS: the cache is tried again
    assert anonymous.get("/en/accounts/profile/").status_code == 200  # still signed in afterwards


def test_two_hundred_submissions_during_an_outage_are_kept_and_processed_once(portal_on):
    if connection.vendor != "postgresql":
        skip_or_fail("four worker threads write at once: SQLite's test database refuses (table locked)")
    member, applications = drafts(100)
    brokerage = BrokerFactory()  # covers Iraq: every inquiry reaches its member
    broker_member = UserFactory(email="reza@broker.example", english=True, roles=[Role.BROKER_MEMBER])
    BrokerMembershipFactory(broker=brokerage, user=broker_member)
    UserFactory(email="forgot@example.com", english=True)
    company_client = Client()
    company_client.force_login(member)
    buyers = Client()

    portal_on.stop()
    slowest = 0.0
    for application in applications:
        started = time.monotonic()
        response = company_client.post(f"/en/support/applications/{application.pk}/submit/")
        slowest = max(slowest, time.monotonic() - started)
        assert response.status_code == 302
    for number in range(100):
        started = time.monotonic()
        response = buyers.post(
            "/en/inquiries/new/", inquiry(number), REMOTE_ADDR=f"127.0.{number // 200}.{number % 200 + 1}"
        )
        slowest = max(slowest, time.monotonic() - started)
        assert response["Location"].startswith("/en/inquiries/thanks/?ref=INQ-")
    response = buyers.post("/en/accounts/password/reset/", {"email": "forgot@example.com"})
    assert response.status_code == 302
    assert slowest < MAX_SECONDS
    # All kept, none processed yet: nothing could be handed to a worker.
    assert Application.objects.filter(status=Status.SUBMITTED).count() == 100
    assert BuyerInquiry.objects.filter(status=BuyerInquiry.Status.NEW).count() == 100
    assert Notification.objects.filter(kind="password_reset", email_status="pending").count() == 1
    assert mail.outbox == []

    portal_on.start()
    time_passes()
    time.sleep(1.1)  # BROKER_RETRY_SECONDS: this process publishes again
    # Four threads: the tasks mostly wait on the database, as production's prefork children do.
    with start_worker(
        celery_app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=30
    ):
        # What beat does every few minutes.
        applications_screen_sweep.delay()
        inquiries_route_sweep.delay()
        assert wait_for(
            lambda: (
                not Application.objects.filter(status__in=[Status.SUBMITTED, Status.SCREENING]).exists()
                and not BuyerInquiry.objects.filter(status=BuyerInquiry.Status.NEW).exists()
            ),
            timeout=90,
            interval=0.5,
        ), "screening and routing did not finish"

        # Then the e-mail sweep: the rows written during the outage, and (harmlessly) the ones
        # whose message is on its way already; the claim on each row keeps it to one e-mail.
        time_passes()
        notification_emails_sweep.delay()
        inquiry_emails_sweep.delay()  # the buyers' acknowledgements, lost in the outage too
        assert wait_for(
            lambda: (
                not Notification.objects.filter(email_status__in=["pending", "sending"]).exists()
                and not BuyerInquiry.objects.filter(acknowledged_at__isnull=True).exists()
            ),
            timeout=90,
            interval=0.5,
        ), "notification e-mails or acknowledgements still pending"

    assert set(screened_once_each(applications).values()) == {1}
    sent = Notification.objects.filter(email_status=Notification.EmailStatus.SENT)
    assert not Notification.objects.exclude(email_status__in=["sent", "skipped"]).exists()
    acknowledgements = [m for m in mail.outbox if m.to[0].endswith("@buyer.example")]
    assert len(mail.outbox) == sent.count() + len(acknowledgements)  # each one e-mailed exactly once
    assert len({tuple(m.to) for m in acknowledgements}) == len(acknowledgements) == 100
    assert sent.filter(kind="inquiry_received", recipient=broker_member).count() == 100
    assert sent.filter(kind="application_status", recipient=member).count() >= 200  # submitted, then screened
    reset = next(m for m in mail.outbox if m.to == ["forgot@example.com"])
    assert reset.subject == "Reset your password on the Export Support Portal"
    link = re.search(r"https?://[^/\s]+(/en/accounts/\S+/)", reset.body).group(1)
    assert Client().get(link, follow=True).status_code == 200


def test_worker_killed_mid_batch_leaves_every_application_screened_once(own_redis, settings, tmp_path):
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        skip_or_fail("the worker process needs the test database on PostgreSQL")
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    member, applications = drafts(40)
    client = Client()
    client.force_login(member)
    # Submitted with the worker stopped: 40 screening messages wait in Redis.
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = own_redis.url, False
    reset_celery_connections()
    try:
        for application in applications:
            assert client.post(f"/en/support/applications/{application.pk}/submit/").status_code == 302
        assert own_redis.queued() >= 40

        def screened() -> int:
            return ApplicationEvent.objects.filter(action="screen_start").count()

        with worker_process(own_redis.url, database_url, tmp_path / "mail") as worker:
            assert wait_for(lambda: screened() >= 5, timeout=60), "the worker screened nothing"
            os.killpg(worker.pid, signal.SIGKILL)  # its own process group, started above
            worker.wait()
        assert screened() < 40, "the worker finished before it could be killed"

        with worker_process(own_redis.url, database_url, tmp_path / "mail"):
            # What was in its hands when it died is unacknowledged; beat's sweep queues it again.
            time_passes()
            applications_screen_sweep.delay()
            assert wait_for(lambda: screened() >= 40, timeout=60), "screening did not finish after restart"
            time.sleep(1)  # anything redelivered now would show as a second screening
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
        reset_celery_connections()

    assert set(screened_once_each(applications).values()) == {1}
    assert not Application.objects.filter(status__in=[Status.SUBMITTED, Status.SCREENING]).exists()


def test_an_email_that_keeps_failing_stops_and_shows_in_the_admin(settings, client_for):
    from portal.notifications.services import notify

    settings.EMAIL_BACKEND = "tests.portal.test_outage.BrokenSMTPBackend"
    settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 4
    user = UserFactory(email="unlucky@example.com", english=True)
    notification = notify(recipient=user, kind="welcome", context={"full_name": "Unlucky"})
    for _ in range(10):  # beat's sweep, again and again
        time_passes()
        notification_emails_sweep.delay()
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.FAILED
    assert notification.email_attempts == 4  # bounded: no try after the last one
    assert "SMTPServerDisconnected" in notification.email_error

    staff = UserFactory(is_staff=True, is_superuser=True, english=True)
    page = client_for(staff).get("/admin/portal/notification/?email_status__exact=failed").content.decode()
    assert "Welcome to the Export Support Portal" in page
    assert user.full_name in page


class BrokenSMTPBackend:
    """A mail server that always hangs up."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: object) -> int:
        from smtplib import SMTPServerDisconnected

        raise SMTPServerDisconnected("Connection unexpectedly closed")
