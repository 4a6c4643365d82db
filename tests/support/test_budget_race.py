"""Two managers approve at the same moment: the budget must hold (real transactions, PostgreSQL)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from support import workflow
from support.models import Application
from support.selectors import program_budget
from tests.conftest import skip_or_fail
from tests.portal.factories import UserFactory
from tests.support.factories import ApplicationFactory, ProgramFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


def test_two_simultaneous_approvals_never_overspend_the_budget(company, reviewer):
    if connection.vendor != "postgresql":
        skip_or_fail("the race needs PostgreSQL's row locks (set DATABASE_URL)")
    from portal.permissions import Role

    program = ProgramFactory(budget=Decimal("15000"), cap_per_application=Decimal("10000"))
    applications = []
    for _ in range(2):
        applications.append(
            ApplicationFactory(
                company=company,
                program=program,
                requested_amount=Decimal("10000"),
                reviewed=True,
                advance__reviewer=reviewer,
            )  # fmt: skip
        )
    managers = [UserFactory(is_staff=True, roles=[Role.PROGRAMME_MANAGER]) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(application: Application, manager) -> None:  # noqa: ANN001
        try:
            barrier.wait(timeout=10)
            workflow.application_approve(application=application, by=manager, amount=Decimal("10000"))
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=pair) for pair in zip(applications, managers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["approved", "refused"]
    assert program_budget(program).granted == Decimal("10000")
    assert program_budget(program).remaining == Decimal("5000")
