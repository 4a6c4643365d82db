"""portal.enqueue.sweep: the one helper behind every sweep for lost messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.enqueue import sweep
from portal.models import Notification
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


class RecordingTask:
    """Stands in for a Celery task: records what the sweep queued."""

    name = "tests.recording"

    def __init__(self) -> None:
        self.queued: list[int] = []

    def delay(self, pk: int) -> None:
        self.queued.append(pk)


def pending(minutes_ago: int) -> Notification:
    notification = Notification.objects.create(
        recipient=UserFactory(), kind="test", email_status=Notification.EmailStatus.PENDING
    )
    Notification.objects.filter(pk=notification.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return notification


def test_sweep_queues_rows_older_than_the_grace_oldest_first_up_to_the_limit():
    oldest, older, old = pending(60), pending(30), pending(10)
    pending(0)  # just created: its own message is still on its way
    task = RecordingTask()

    assert sweep(Notification.objects.all(), task, grace=dt.timedelta(minutes=5), limit=2) == 2
    assert task.queued == [oldest.pk, older.pk]

    task.queued.clear()
    assert (
        sweep(Notification.objects.exclude(pk__in=[oldest.pk, older.pk]), task, grace=dt.timedelta(minutes=5))
        == 1
    )
    assert task.queued == [old.pk]


def test_sweep_reads_the_age_from_the_field_it_is_given():
    fresh_but_read_long_ago = pending(0)
    Notification.objects.filter(pk=fresh_but_read_long_ago.pk).update(
        read_at=timezone.now() - dt.timedelta(days=1)
    )
    task = RecordingTask()

    assert sweep(Notification.objects.all(), task, grace=dt.timedelta(minutes=5), since="read_at") == 1
    assert task.queued == [fresh_but_read_long_ago.pk]
    assert sweep(Notification.objects.all(), RecordingTask(), grace=dt.timedelta(minutes=5)) == 0
