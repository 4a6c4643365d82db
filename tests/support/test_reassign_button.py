"""The admin's "Reassign" link is offered by support.permissions.can_reassign: a programme manager,
on an application under review (not a status comparison in the template)."""

from __future__ import annotations

import pytest

from support.models import Application, Status
from support.permissions import can_reassign
from tests.support.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_only_a_manager_may_reassign_and_only_under_review(manager, reviewer, company):
    application = ApplicationFactory(company=company)
    for status in Status:
        application.status = status
        assert bool(can_reassign(manager, application)) == (status == Status.UNDER_REVIEW), status
        assert not can_reassign(reviewer, application)


def test_the_change_page_shows_the_link_for_the_allowed_state_and_user(
    client_for, manager, reviewer, company
):
    application = ApplicationFactory(company=company)
    url = f"/admin/support/application/{application.pk}/change/"
    assert "reassign-link" not in client_for(manager).get(url).content.decode()  # a draft
    Application.objects.filter(pk=application.pk).update(status=Status.UNDER_REVIEW)
    assert "reassign-link" in client_for(manager).get(url).content.decode()
