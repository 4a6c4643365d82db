"""A real Celery worker consuming from Redis: the path production takes."""

from __future__ import annotations

import os
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core import mail

from config import celery_app
from portal.models import Notification
from portal.notifications.services import notify
from tests.conftest import skip_or_fail
from tests.portal.factories import UserFactory

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("role_groups"),
]


@pytest.fixture
def real_worker():
    url = os.environ.get("REDIS_URL")
    if not url:
        skip_or_fail("REDIS_URL is not set: no broker for a real worker")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis at {url} is not reachable: {exc}")
    assert celery_app.conf.broker_url.startswith("redis://")
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()  # leftovers of earlier runs must not reach this worker
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_real_worker_sends_the_notification_email_through_redis(real_worker):
    user = UserFactory(english=True)
    notification = notify(recipient=user, kind="welcome", url="/en/", context={"full_name": "Sara"})
    # Autocommit: the on-commit hook has already published the task to Redis.
    sent = wait_for(
        lambda: Notification.objects.get(pk=notification.pk).email_status == Notification.EmailStatus.SENT
    )
    assert sent, "the worker did not send the e-mail within 20 s"
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert mail.outbox[0].subject == "Welcome to the Export Support Portal"


def test_real_worker_redelivery_sends_nothing_twice(real_worker):
    from portal.tasks import notification_email_send

    first = notify(recipient=UserFactory(), kind="welcome", context={"full_name": "x"})
    assert wait_for(lambda: len(mail.outbox) == 1)
    notification_email_send.delay(first.pk)  # the same message delivered again
    # The solo worker handles messages in order: once this one's e-mail is out,
    # the redelivered task above has run too.
    second = notify(recipient=UserFactory(), kind="welcome", context={"full_name": "y"})
    assert wait_for(lambda: len(mail.outbox) >= 2)
    time.sleep(0.5)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.recipient.email, second.recipient.email])
