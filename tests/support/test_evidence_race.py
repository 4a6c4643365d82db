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
