"""Hand work to Celery without letting a broker outage break, or slow, the request that caused it.

Every task queued this way stands for work already recorded in the database (a submitted
application, a pending notification e-mail, an unrouted inquiry, ...) that a beat-driven sweep
queues again, so a message that cannot be published is late, never lost.

Publishing fails fast: one retry and short socket timeouts (CELERY_TASK_PUBLISH_RETRY_POLICY,
CELERY_BROKER_TRANSPORT_OPTIONS). After a failure this process does not try again for
BROKER_RETRY_SECONDS, so during an outage only one request in that window pays for the attempt.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from typing import Any

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What an unreachable broker raises from `.delay()`: kombu wraps connection errors in
# OperationalError; the rest are the raw forms some code paths let through.
BROKER_ERRORS = (OperationalError, redis.RedisError, ConnectionError, TimeoutError, OSError)


class _BrokerState:
    lock = threading.Lock()
    down_until = 0.0
    skipped = 0


def broker_paused() -> bool:
    """Whether this process is currently not publishing (a recent attempt failed)."""
    return time.monotonic() < _BrokerState.down_until


def broker_pause_reset() -> None:
    """Forget a past failure (tests, or an operator's shell after a repair)."""
    with _BrokerState.lock:
        _BrokerState.down_until = 0.0
        _BrokerState.skipped = 0


def enqueue(task: Any, *args: Any, **kwargs: Any) -> bool:
    """`task.delay(...)`; logs instead of raising when it cannot be published. Returns whether sent."""
    name = getattr(task, "name", task)
    app = getattr(task, "app", None)
    if app is not None and app.conf.task_always_eager:
        # Development and tests run the task here: its failure must not undo the request that
        # queued it either, and its record stays for the sweep.
        try:
            task.delay(*args, **kwargs)
        except Exception:
            logger.warning("Task %s%r failed when queued; a sweep will retry", name, args, exc_info=True)
            return False
        return True
    if broker_paused():
        with _BrokerState.lock:
            _BrokerState.skipped += 1
        logger.info("Broker unreachable a moment ago: not publishing %s%r; a sweep will queue it", name, args)
        return False
    started = time.monotonic()
    try:
        task.delay(*args, **kwargs)
    except BROKER_ERRORS as exc:
        with _BrokerState.lock:
            _BrokerState.down_until = time.monotonic() + settings.BROKER_RETRY_SECONDS
        logger.warning(
            "Could not enqueue %s%r after %.2f s (%s: %s); a sweep will queue it, not publishing for %.0f s",
            name,
            args,
            time.monotonic() - started,
            type(exc).__name__,
            exc,
            settings.BROKER_RETRY_SECONDS,
        )
        return False
    except Exception:
        logger.exception("Could not enqueue %s%r; a sweep will queue it", name, args)
        return False
    with _BrokerState.lock:
        if _BrokerState.skipped:
            logger.warning(
                "Broker reachable again; %d messages skipped meanwhile go by sweep", _BrokerState.skipped
            )
            _BrokerState.skipped = 0
    return True


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue the task once the current transaction commits (safe against broker outages)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))


def sweep(rows: QuerySet, task: Any, *, grace: timedelta, since: str = "created_at", limit: int = 200) -> int:
    """Queue `task` again for each of `rows` whose message was lost; return how many were queued.

    `rows` are the records whose work is still undone (an e-mail pending, an inquiry unrouted, ...);
    `grace` leaves those whose `since` field is more recent to the message queued on commit, and
    the oldest `limit` go first (beat runs the sweep again for the rest). The task gets the row's id.
    """
    ids = list(
        rows.filter(**{f"{since}__lt": timezone.now() - grace})
        .order_by(since, "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        enqueue(task, pk)
    if ids:
        logger.info("Sweep queued %s for %d rows", getattr(task, "name", task), len(ids))
    return len(ids)
