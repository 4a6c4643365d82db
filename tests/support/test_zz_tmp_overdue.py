import datetime as dt

import pytest
from django.utils import timezone

from support.models import Application, Status
from tests.support.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_x():
    a = ApplicationFactory()
    Application.objects.filter(pk=a.pk).update(
        status=Status.UNDER_REVIEW, review_started_at=timezone.now() - dt.timedelta(days=20)
    )
    qs = Application.objects.overdue()
    print(qs.query)
    print(Application.objects.values("review_started_at", "program__review_period_days", "status"))
    assert qs.count() == 1
