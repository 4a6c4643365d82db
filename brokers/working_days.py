"""The centre's working week: Saturday to Wednesday; Thursday and Friday are the weekend."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

WEEKEND = frozenset({3, 4})  # date.weekday(): Thursday, Friday


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment `days` working days after `start` (local time): each day passed counts only if
    it is a working day, so Wednesday 10:00 plus 3 is the next Monday 10:00."""
    moment = timezone.localtime(start)
    while days > 0:
        moment += timedelta(days=1)
        if moment.weekday() not in WEEKEND:
            days -= 1
    return moment
