"""A member sends the renewal again while a manager approves the one waiting: both lock the
brokerage first, so one waits for the other (no deadlock, no 500), and the approval of the renewal
the resend set aside fails as "already decided" (real transactions, PostgreSQL row locks)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import timezone

from brokers import services
from brokers.models import LicenceRenewal
from tests.brokers.factories import LicenceRenewalFactory
from tests.companies.factories import PDF_BYTES
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_resend_and_an_approval_at_the_same_moment_never_deadlock(
    brokerage, broker_member, manager, monkeypatch
):
    if connection.vendor != "postgresql":
        skip_or_fail("the race needs PostgreSQL's row locks (set DATABASE_URL)")
    # The role groups' permissions come from a data migration, which a transaction test before this
    # one may have flushed: the manager is granted the one that decides renewals directly.
    manager.user_permissions.add(Permission.objects.get(codename="change_licencerenewal"))
    manager = type(manager).objects.get(pk=manager.pk)
    brokerage.licence_expires_on = timezone.localdate() + dt.timedelta(days=20)
    brokerage.save()
    first = LicenceRenewalFactory(broker=brokerage, expires_on=timezone.localdate() + dt.timedelta(days=385))
    # Each side dwells between its first lock and its second: taken in opposite orders (the resend
    # the brokerage then the renewal, the approval the renewal then the brokerage) they deadlock.
    check, decide = services.can_renew_licence, services._renewal_to_decide

    def slow_check(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        time.sleep(0.5)
        return check(*args, **kwargs)

    def slow_decide(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        renewal = decide(*args, **kwargs)
        time.sleep(0.5)
        return renewal

    monkeypatch.setattr(services, "can_renew_licence", slow_check)
    monkeypatch.setattr(services, "_renewal_to_decide", slow_decide)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def run(name: str, action) -> None:  # noqa: ANN001
        try:
            barrier.wait(timeout=10)
            action()
            outcomes[name] = "done"
        except ValidationError as error:
            outcomes[name] = f"refused: {error.messages[0]}"
        except Exception as error:  # noqa: BLE001 - the deadlock (a 500 in the view) is the failure
            outcomes[name] = f"error: {type(error).__name__}: {error}"
        finally:
            connections.close_all()

    resend = SimpleUploadedFile("licence.pdf", PDF_BYTES, content_type="application/pdf")
    threads = [
        threading.Thread(
            target=run,
            args=(
                "resend",
                lambda: services.licence_renewal_submit(
                    broker=brokerage, by=broker_member, expires_on=first.expires_on, licence_file=resend
                ),
            ),
        ),
        threading.Thread(
            target=run,
            args=("approve", lambda: services.licence_renewal_approve(renewal=first, by=manager)),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(outcome.startswith("error") for outcome in outcomes.values()), outcomes
    assert outcomes["resend"] == "done" or outcomes["resend"].startswith("refused"), outcomes
    first.refresh_from_db()
    brokerage.refresh_from_db()
    if outcomes["approve"] == "done":  # the approval went first: the resend came after it
        assert first.status == LicenceRenewal.Status.APPROVED
        assert brokerage.licence_expires_on == first.expires_on
    else:  # the resend went first: the renewal the manager saw was set aside
        assert "already been decided" in outcomes["approve"] or "پیش‌تر" in outcomes["approve"]
        assert first.status == LicenceRenewal.Status.SUPERSEDED
        assert brokerage.licence_renewals.filter(status="pending").count() == 1
