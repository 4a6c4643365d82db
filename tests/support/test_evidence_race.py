"""Two managers approve, at the same moment and in two programmes, two applications citing the
same shipment: one export backs one grant (real transactions, PostgreSQL's row locks)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from portal.permissions import Role
from support import workflow
from support.models import Application, ApplicationEvidence, Status
from tests.conftest import skip_or_fail
from tests.deals.factories import open_direct, walk_to
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import ProductFactory
from tests.support.factories import ApplicationFactory, ProgramFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("role_groups")]


def test_two_simultaneous_approvals_citing_one_shipment_grant_only_one(company, company_member, reviewer):
    if connection.vendor != "postgresql":
        skip_or_fail("the race needs PostgreSQL's row locks (set DATABASE_URL)")
    deal = walk_to(
        open_direct(company_member, ProductFactory(company=company), TargetCountryFactory(iso_code="IQ")),
        "shipped",
        company_member,
    )
    shipment = deal.shipments.get()
    # Two programmes: their budget locks do not serialize the two approvals; the shipment's does.
    applications = [
        ApplicationFactory(
            company=company, program=ProgramFactory(), reviewed=True, advance__reviewer=reviewer
        )
        for _ in range(2)
    ]
    # Both cite the shipment (as if two submissions had raced past the submission check).
    for application in applications:
        ApplicationEvidence.objects.create(application=application, deal=deal, shipment=shipment)
    managers = [UserFactory(is_staff=True, roles=[Role.PROGRAMME_MANAGER]) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(application: Application, manager) -> None:  # noqa: ANN001
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                workflow.application_approve(application=application, by=manager, amount=Decimal("5000"))
            outcomes.append("approved")
        except ValidationError as error:
            outcomes.append("refused: " + " ".join(error.messages))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=pair) for pair in zip(applications, managers, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 2
    assert sorted(o.split(":")[0] for o in outcomes) == ["approved", "refused"]
    refusal = next(o for o in outcomes if o.startswith("refused"))
    assert "Shipment EXP-DECL-1" in refusal
    assert "already backs" in refusal
    statuses = sorted(
        Application.objects.filter(pk__in=[a.pk for a in applications]).values_list("status", flat=True)
    )
    assert statuses == [Status.APPROVED, Status.UNDER_REVIEW]


def test_a_deal_lost_while_the_approval_waits_for_its_lock_is_refused(company, company_member, reviewer):
    """The deal's party marks it lost in a transaction that holds the deal's row lock; the approval
    started meanwhile waits at the cited deals' lock, then sees the deal lost and grants nothing."""
    if connection.vendor != "postgresql":
        skip_or_fail("the race needs PostgreSQL's row locks (set DATABASE_URL)")
    from django.db import transaction

    from deals.models import Deal
    from deals.services import deal_mark_lost
    from support.selectors import program_budget
    from tests.support.factories import manager_for

    deal = walk_to(
        open_direct(company_member, ProductFactory(company=company), TargetCountryFactory(iso_code="IQ")),
        "shipped",
        company_member,
    )
    application = ApplicationFactory(company=company, reviewed=True, advance__reviewer=reviewer)
    ApplicationEvidence.objects.create(application=application, deal=deal, shipment=deal.shipments.get())
    manager = manager_for(application)
    budget = program_budget(application.program)
    locked, outcomes = threading.Event(), []

    def approve() -> None:
        try:
            locked.wait(timeout=10)
            with translation.override("en"):
                workflow.application_approve(application=application, by=manager, amount=Decimal("5000"))
            outcomes.append("approved")
        except ValidationError as error:
            outcomes.append("refused: " + " ".join(error.messages))
        except Exception as error:  # noqa: BLE001 - reported by the assertions below
            outcomes.append(f"failed: {error!r}")
        finally:
            connections.close_all()

    approval = threading.Thread(target=approve)
    approval.start()
    try:
        with transaction.atomic():
            Deal.objects.select_for_update().filter(pk=deal.pk).get()
            locked.set()
            _wait_until_blocked_on_a_lock(approval, outcomes)
            deal_mark_lost(deal=deal, by=company_member, reason="logistics", note="")
    finally:
        locked.set()
        approval.join(timeout=30)
    assert len(outcomes) == 1
    assert outcomes[0].startswith("refused")
    assert deal.reference in outcomes[0]
    application.refresh_from_db()
    assert (application.status, application.granted_amount) == (Status.UNDER_REVIEW, None)
    assert program_budget(application.program) == budget


def _wait_until_blocked_on_a_lock(
    approval: threading.Thread, outcomes: list[str], timeout: float = 10
) -> None:
    """Until another connection waits for a row lock (the approval at the cited deal's lock)."""
    import time

    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # a transaction reads one snapshot else
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            if not approval.is_alive():
                pytest.fail(f"the approval ended without waiting for the deal's lock: {outcomes}")
            time.sleep(0.05)
    pytest.fail("the approval never waited for the deal's lock")
