"""Hand work to Celery without letting a broker outage break the request that caused it."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task: Any, *args: Any, **kwargs: Any) -> None:
    """`task.delay(...)`, logging instead of raising when the broker is unreachable.

    Every task queued this way has a beat-driven sweep (or is re-derivable), so a lost message
    is picked up later rather than lost.
    """
    try:
        task.delay(*args, **kwargs)
    except Exception:
        logger.warning(
            "Could not enqueue %s%r; a sweep will retry", getattr(task, "name", task), args, exc_info=True
        )


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue the task once the current transaction commits (safe against broker outages)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
