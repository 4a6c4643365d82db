"""A screening that keeps failing stops after a few tries and waits for staff in the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F

from support import workflow
from support.models import Application, ApplicationEvent, Status
from support.tasks import SCREENING_MAX_ATTEMPTS, applications_screen_sweep
from tests.support.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_a_screening_that_keeps_failing_stops_and_shows_in_the_admin(
    company_member, company, manager, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(application, on):  # a bug, a missing file: anything but a broker outage
        raise RuntimeError("screening broke")

    monkeypatch.setattr("support.screening.screen", broken)
    application = ApplicationFactory(company=company, created_by=company_member)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_submit(application=application, by=company_member)
    for _ in range(3 * SCREENING_MAX_ATTEMPTS):  # beat's sweep, every ten minutes for hours
        Application.objects.update(submitted_at=F("submitted_at") - timedelta(minutes=10))
        applications_screen_sweep()
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED  # nothing half-done: each try rolled back
    assert application.screening_attempts == SCREENING_MAX_ATTEMPTS
    assert not ApplicationEvent.objects.filter(application=application, action="screen_start").exists()

    admin = client_for(manager)
    listed = admin.get("/admin/support/application/?screening=failed").content.decode()
    assert application.reference in listed
    monkeypatch.undo()
    # Resubmitting is not possible from "submitted"; staff fix the cause and the count restarts
    # with the next submission. Here: the next sweep does nothing more.
    assert applications_screen_sweep() == 0


def test_a_revised_application_gets_fresh_tries(company_member, company, django_capture_on_commit_callbacks):
    application = ApplicationFactory(
        company=company, created_by=company_member, status=Status.REVISION_REQUESTED
    )
    Application.objects.filter(pk=application.pk).update(screening_attempts=SCREENING_MAX_ATTEMPTS)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.application_submit(application=application, by=company_member)
    application.refresh_from_db()
    assert application.status != Status.SUBMITTED  # screened at once (eager in tests)
    assert application.screening_attempts == 1
