"""Every task runs under one retry policy (portal.tasks.PortalTask): late acknowledgement, bounded
retries with backoff and jitter for transient failures, an immediate failure for anything else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from smtplib import SMTPException

import pytest
import redis
from django.utils import timezone
from kombu.exceptions import OperationalError

from brokers import services as broker_services
from brokers.models import Offer
from brokers.tasks import offers_expire
from portal import celery_app
from portal.tasks import PortalTask
from tests.brokers.factories import OfferFactory

pytestmark = pytest.mark.django_db


def project_tasks() -> dict[str, object]:
    celery_app.loader.import_default_modules()  # autodiscovery: every app's tasks.py
    return {name: task for name, task in celery_app.tasks.items() if not name.startswith("celery.")}


def test_every_task_runs_under_the_portal_policy():
    tasks = project_tasks()
    assert len(tasks) >= 20
    for name, task in tasks.items():
        assert isinstance(task, PortalTask), name
        assert task.acks_late is True, name
        assert task.reject_on_worker_lost is True, name
        assert task.max_retries == 5, name
        assert task.retry_backoff == 30, name
        assert task.retry_backoff_max == 30 * 60, name
        assert task.retry_jitter is True, name
        for error in (OSError, SMTPException, ConnectionError, OperationalError, redis.ConnectionError):
            assert issubclass(error, task.autoretry_for), (name, error)
        assert not issubclass(ValueError, task.autoretry_for), name


def test_no_task_sets_its_own_retry_policy():
    # The policy is PortalTask's alone: options passed to @shared_task land on the class Celery
    # makes for that one task, shadowing PortalTask's.
    for name, task in project_tasks().items():
        for option in ("acks_late", "autoretry_for", "retry_backoff", "retry_jitter", "max_retries"):
            assert option not in vars(type(task)), (name, option)


def _flaky(error: Exception, failures: int, calls: list[int]):
    real = broker_services.offer_expire

    def offer_expire(*, offer: Offer) -> bool:
        calls.append(offer.pk)
        if len(calls) <= failures:
            raise error
        return real(offer=offer)

    return offer_expire


def _past_offer() -> Offer:
    return OfferFactory(deadline=timezone.localdate() - dt.timedelta(days=1))


@pytest.fixture(autouse=True)
def _retries_run_in_process() -> Iterator[None]:
    # With failures propagated (the project's eager setting) Celery raises the Retry itself;
    # without, apply() runs each retry in turn, as a worker would run it after its countdown.
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = previous


def test_a_transient_failure_is_retried_and_the_work_done(monkeypatch, django_capture_on_commit_callbacks):
    offer = _past_offer()
    calls: list[int] = []
    monkeypatch.setattr(broker_services, "offer_expire", _flaky(OSError("mail server away"), 1, calls))

    with django_capture_on_commit_callbacks(execute=True):
        result = offers_expire.apply()  # in-process, as Celery runs it eagerly

    assert result.get() == 1
    assert calls == [offer.pk, offer.pk]  # failed once, retried once
    offer.refresh_from_db()
    assert offer.status == Offer.Status.CLOSED


def test_retries_are_bounded(monkeypatch):
    _past_offer()
    calls: list[int] = []
    monkeypatch.setattr(broker_services, "offer_expire", _flaky(OSError("still away"), 100, calls))

    with pytest.raises(OSError, match="still away"):
        offers_expire.apply().get()

    assert len(calls) == 1 + PortalTask.max_retries


def test_a_bug_is_not_retried(monkeypatch):
    offer = _past_offer()
    calls: list[int] = []
    monkeypatch.setattr(broker_services, "offer_expire", _flaky(ValueError("a bug"), 100, calls))

    with pytest.raises(ValueError, match="a bug"):
        offers_expire.apply().get()

    assert calls == [offer.pk]
    offer.refresh_from_db()
    assert offer.status == Offer.Status.OPEN
