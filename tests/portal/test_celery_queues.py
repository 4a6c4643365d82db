"""Celery work goes to named queues, so a fan-out to thousands of companies never delays screening."""

from __future__ import annotations

import os
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config import celery_app
from tests.conftest import skip_or_fail

QUEUES = {"default", "email", "screening", "fanout", "periodic"}

# What each task is for decides where it waits; a new task must be added here and in settings.
INTENDED = {
    "portal.tasks.notification_email_send": "email",
    "portal.tasks.email_send": "email",  # one-off e-mails (password resets now go as notifications)
    "companies.tasks.company_invitation_send": "email",
    "brokers.tasks.broker_invitation_send": "email",
    "brokers.tasks.inquiry_acknowledge": "email",  # the buyer waits for the reference
    "brokers.tasks.inquiry_reply_send": "email",
    "support.tasks.application_screen": "screening",
    "brokers.tasks.offer_fanout": "fanout",
    "brokers.tasks.offer_fanout_batch": "fanout",
    "brokers.tasks.inquiry_route": "fanout",
    "portal.tasks.notification_emails_sweep": "periodic",
    "portal.tasks.notifications_prune": "periodic",
    "companies.tasks.company_certificates_expiry_warn": "periodic",
    "companies.tasks.company_invitations_sweep": "periodic",
    "products.tasks.certificates_expiry_warn": "periodic",
    "brokers.tasks.offers_expire": "periodic",
    "brokers.tasks.inquiries_route_sweep": "periodic",
    "brokers.tasks.inquiry_emails_sweep": "periodic",
    "brokers.tasks.inquiries_escalate": "periodic",
    "brokers.tasks.offers_fanout_sweep": "periodic",
    "brokers.tasks.broker_invitations_sweep": "periodic",
    "brokers.tasks.brokers_licence_check": "periodic",
    "support.tasks.reviews_overdue_remind": "periodic",
    "support.tasks.applications_overdue_escalate": "periodic",
    "support.tasks.managers_weekly_summary": "periodic",
    "support.tasks.applications_screen_sweep": "periodic",
    "products.tasks.product_thumbnails_sweep": "periodic",
    "products.tasks.product_thumbnail_make": "default",
}


def project_tasks() -> set[str]:
    celery_app.loader.import_default_modules()  # autodiscovery: every app's tasks.py
    return {name for name in celery_app.tasks if not name.startswith("celery.")}


def routed_queue(task_name: str) -> str:
    """The queue Celery publishes the task to, resolved the way `delay()` resolves it."""
    return celery_app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(("task_name", "queue"), sorted(INTENDED.items()))
def test_each_task_is_routed_to_its_queue(task_name, queue):
    assert task_name in project_tasks()
    assert routed_queue(task_name) == queue


def test_no_task_is_left_unrouted():
    tasks = project_tasks()
    assert tasks - set(settings.CELERY_TASK_ROUTES) == set(), "route these in CELERY_TASK_ROUTES"
    assert tasks - set(INTENDED) == set(), "say in INTENDED where these belong"
    assert set(settings.CELERY_TASK_ROUTES) - tasks == set(), "routes for tasks that do not exist"


def test_every_queue_is_declared_with_its_own_binding():
    # A worker started without -Q consumes the declared queues: all five must be there, each bound
    # to its own key so that a message lands in exactly one queue.
    declared = celery_app.amqp.queues
    assert set(declared) == QUEUES
    assert set(settings.CELERY_TASK_ROUTES.values()) <= QUEUES
    for name, queue in declared.items():
        assert (queue.exchange.name, queue.routing_key) == (name, name)
    assert celery_app.conf.task_default_queue == "default"


def test_beat_schedule_runs_on_the_periodic_queue():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert routed_queue(entry["task"]) == "periodic", entry["task"]


# --- a real worker on Redis ---------------------------------------------------------------------
FANOUT_BACKLOG = 2_000


@pytest.fixture
def broker() -> redis.Redis:
    url = os.environ.get("REDIS_URL")
    if not url:
        skip_or_fail("REDIS_URL is not set: no broker for a real worker")
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis at {url} is not reachable: {exc}")
    assert celery_app.conf.broker_url.startswith("redis://")
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()  # purges every declared queue
    yield client
    # start_worker(queues=...) narrows the app's (process-wide) queue selection: widen it again, or
    # the purge and every later in-process worker would see only "screening".
    celery_app.amqp.queues.select(list(celery_app.amqp.queues))
    celery_app.control.purge()  # the backlog must not reach a later test's worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("role_groups")
def test_screening_worker_screens_while_a_fanout_backlog_waits(broker, company, company_member, reviewer):
    from brokers.tasks import offer_fanout
    from support import workflow
    from support.models import Application, Status
    from tests.support.factories import ApplicationFactory

    # Thousands of fan-out messages and no fan-out worker: on one shared queue a worker would
    # have to get through all of them before the screening message behind them.
    with celery_app.producer_or_acquire() as producer:
        for offer_id in range(1, FANOUT_BACKLOG + 1):
            offer_fanout.apply_async((offer_id,), producer=producer)
    assert broker.llen("fanout") == FANOUT_BACKLOG

    application = ApplicationFactory(company=company)
    with start_worker(
        celery_app, pool="solo", queues=["screening"], perform_ping_check=False, shutdown_timeout=30
    ):
        started = time.monotonic()
        workflow.application_submit(application=application, by=company_member)  # queued on commit
        waiting = {Status.SUBMITTED, Status.SCREENING}
        screened = _wait_for(lambda: Application.objects.get(pk=application.pk).status not in waiting)
        elapsed = time.monotonic() - started
    assert screened, "the screening worker did not screen the application within 20 s"
    print(f"screened in {elapsed:.2f} s with {FANOUT_BACKLOG} fan-out messages waiting")  # noqa: T201
    assert Application.objects.get(pk=application.pk).status == Status.UNDER_REVIEW
    assert broker.llen("fanout") == FANOUT_BACKLOG  # untouched: nobody consumes "fanout"
    assert broker.llen("email") >= 1  # the reviewer's e-mail waits for an e-mail worker


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
