"""Declared ties (conflicts of interest) are decided through their one door,
support.services.staff_tie_decide: programme managers only, to approved or rejected."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from support import services
from support.models import StaffTie

pytestmark = pytest.mark.django_db


@pytest.fixture
def tie(reviewer, company):
    return StaffTie.objects.create(user=reviewer, company=company, nature=StaffTie.Nature.FAMILY)


def test_a_manager_approves_then_corrects_a_decision(tie, manager):
    approved = services.staff_tie_decide(tie=tie, by=manager, status=StaffTie.Status.APPROVED)
    assert (approved.status, approved.decided_by) == (StaffTie.Status.APPROVED, manager)
    decided_at = approved.decided_at
    again = services.staff_tie_decide(tie=tie, by=manager, status=StaffTie.Status.APPROVED)
    assert again.decided_at == decided_at  # deciding twice records nothing new
    rejected = services.staff_tie_decide(tie=tie, by=manager, status=StaffTie.Status.REJECTED)
    assert rejected.status == StaffTie.Status.REJECTED


def test_a_tie_is_never_put_back_to_pending(tie, manager):
    services.staff_tie_decide(tie=tie, by=manager, status=StaffTie.Status.APPROVED)
    with pytest.raises(ValidationError):
        services.staff_tie_decide(tie=tie, by=manager, status=StaffTie.Status.PENDING)
    tie.refresh_from_db()
    assert tie.status == StaffTie.Status.APPROVED


def test_only_a_manager_decides(tie, reviewer, company_member):
    for user in (reviewer, company_member):
        with pytest.raises(PermissionDenied):
            services.staff_tie_decide(tie=tie, by=user, status=StaffTie.Status.APPROVED)
    tie.refresh_from_db()
    assert (tie.status, tie.decided_by) == (StaffTie.Status.PENDING, None)
